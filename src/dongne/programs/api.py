"""Programs endpoints under /api/v1/programs/."""

from ninja import Router

router = Router(tags=["programs"])
