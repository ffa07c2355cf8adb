"""Spaces endpoints under /api/v1/spaces/."""

from ninja import Router

router = Router(tags=["spaces"])
