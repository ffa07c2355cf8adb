"""Permission rules of governance (see core.permissions)."""
