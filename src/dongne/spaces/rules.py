"""Permission rules of spaces (see core.permissions)."""
