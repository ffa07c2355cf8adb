"""Governance endpoints under /api/v1/governance/."""

from ninja import Router

router = Router(tags=["governance"])
