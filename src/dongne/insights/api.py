"""Insights endpoints under /api/v1/insights/: every analysis as JSON or CSV.

``GET /api/v1/insights/<analysis>?start=&end=&area=&area=&visitor_type=&industry=&level=&grain=&by=
&moving_average=&festival_id=&top=&part=&format=json|csv``. The results are aggregates with every count below k
suppressed, so anyone may read them (no login). Errors come as the platform's error body, with the parameter
at fault in ``errors``.
"""

from django.http import HttpResponse
from ninja import Query, Router, Schema

from dongne.core.api import ERRORS

from . import selectors

router = Router(tags=["insights"])


class InsightQuery(Schema):
    """Documented for OpenAPI; the values are read (and validated, naming the parameter) by the selectors."""

    start: str | None = None
    end: str | None = None
    area: list[str] = []
    visitor_type: list[str] = []
    industry: list[str] = []
    level: str | None = None
    grain: str | None = None
    by: str | None = None
    moving_average: str | None = None
    festival_id: str | None = None
    weeks: str | None = None
    top: str | None = None
    min_support: str | None = None
    part: str | None = None
    format: str = "json"


@router.get("/", response={200: dict, **ERRORS}, summary="The analyses and their parameters")
def index(request):
    return {
        "analyses": [
            {"name": name, "options": list(options), "url": f"{request.path.rstrip('/')}/{name}"}
            for name, options in selectors.OPTIONS.items()
        ],
        "filters": ["start", "end", "area", "visitor_type", "industry", "level"],
        "formats": ["json", "csv"],
    }


@router.get(
    "/{analysis}",
    response={200: dict, **ERRORS},
    summary="One analysis as a tidy table (JSON, or CSV in UTF-8 with a BOM); counts below k suppressed",
)
def analysis(request, analysis: str, params: Query[InsightQuery]):
    fmt = (params.format or "json").lower()
    if fmt not in ("json", "csv"):
        raise selectors.invalid("format", "invalid_format", fmt)
    table = selectors.run_analysis(analysis, request.GET)
    table = selectors.table_part(table, params.part)
    if fmt == "csv":
        suffix = f"-{params.part}" if params.part else ""
        response = HttpResponse(table.to_csv().encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="insights-{analysis}{suffix}.csv"'
        return response
    return {"analysis": analysis, **table.as_dict()}
