"""Opportunities endpoints under /api/v1/opportunities/."""

from ninja import Router

router = Router(tags=["opportunities"])
