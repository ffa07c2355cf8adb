"""Permission rules of programs (see core.permissions)."""
