"""Permission rules of opportunities (see core.permissions)."""
