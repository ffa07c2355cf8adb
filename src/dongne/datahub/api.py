"""Datahub endpoints under /api/v1/datahub/: catalog, versions, rows and read-only SQL."""

import datetime as dt
from typing import Any

from django.conf import settings
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from dongne.core.api import ERRORS, PUBLIC_QUERY
from dongne.lake.errors import LakeError

from . import lake_errors, selectors, services

router = Router(tags=["datahub"])


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    note: str
    rows: int
    columns: list[dict]
    bytes: int
    source_name: str
    source_format: str
    encoding: str


class DatasetOut(Schema):
    slug: str
    title: str
    title_en: str
    description: str
    description_en: str
    publisher: str | None = None
    themes: list[str]
    keywords: list[str]
    licence: str
    spatial: list[str]
    temporal_start: dt.date | None = None
    temporal_end: dt.date | None = None
    frequency: str
    visibility: str
    rows: int | None = None
    current_version: int | None = None
    updated_at: dt.datetime

    @staticmethod
    def resolve_publisher(obj):
        return obj.publisher.name if obj.publisher else None

    @staticmethod
    def resolve_themes(obj):
        return [t.code for t in obj.themes.all()]

    @staticmethod
    def resolve_rows(obj):
        return obj.current_version.rows if obj.current_version else None

    @staticmethod
    def resolve_current_version(obj):
        return obj.current_version.number if obj.current_version else None


class DatasetDetailOut(DatasetOut):
    columns: list[dict]
    profile: Any
    preview: list[dict]

    @staticmethod
    def resolve_columns(obj):
        return obj.current_version.columns if obj.current_version else []

    @staticmethod
    def resolve_profile(obj):
        return obj.current_version.profile if obj.current_version else []

    @staticmethod
    def resolve_preview(obj):
        return obj.current_version.preview if obj.current_version else []


class DatasetIn(Schema):
    slug: str
    title: str
    title_en: str = ""
    description: str = ""
    description_en: str = ""
    publisher_id: int | None = None
    themes: list[str] = []
    keywords: list[str] = []
    licence: str = "KOGL-1"
    spatial: list[str] = []
    temporal_start: str | None = None
    temporal_end: str | None = None
    frequency: str = "irregular"
    visibility: str = "public"


class Catalog(Schema):
    q: str = ""
    theme: str = ""
    publisher: str = ""
    licence: str = ""
    format: str = ""
    region: str = ""


@router.get(
    "/datasets", response=list[DatasetOut], summary="Catalog (Korean search with q, facets as filters)"
)
@paginate
def list_datasets(request, filters: Query[Catalog]):
    f = filters.dict()
    f["fmt"] = f.pop("format")
    return selectors.catalog(request.auth, **f)


@router.get("/facets", summary="Facet counts over the datasets you can see")
def facets(request):
    return selectors.facets(request.auth)


@router.post("/datasets", response={201: DatasetDetailOut, **ERRORS}, summary="Register a dataset")
def create_dataset(request, payload: DatasetIn):
    data = payload.dict()
    data["publisher"] = data.pop("publisher_id")
    return Status(201, services.create_dataset(actor=request.auth, data=data))


@router.get("/datasets/{slug}", response={200: DatasetDetailOut, **ERRORS})
def get_dataset(request, slug: str):
    return selectors.get_dataset(request.auth, slug)


@router.get("/datasets/{slug}/versions", response={200: list[VersionOut], **ERRORS})
def list_versions(request, slug: str):
    return list(selectors.get_dataset(request.auth, slug).versions.all())


class RowsQuery(Schema):
    version: int | None = None
    limit: int = 100
    offset: int = 0
    sort: str = ""
    columns: str = ""


def _run(request, dataset, spec, version=None):
    from dongne.lake.query import QuerySpec, run_query

    try:
        lake_version = selectors.lake_version(dataset, version)
        result = run_query(
            [str(p) for p in lake_version.files],
            QuerySpec.from_dict(spec),
            max_limit=settings.DATAHUB_MAX_ROWS,
        )
    except LakeError as exc:
        raise lake_errors.to_domain(exc)
    services.count_usage(dataset, api_calls=1, rows=len(result.rows))
    return {**result.as_dict(), "version": lake_version.number}


@router.get(
    "/datasets/{slug}/rows",
    response={200: dict, **ERRORS},
    summary="Rows with equality filters (?col=value), sort (?sort=a,-b), paging",
)
def rows(request, slug: str, params: Query[RowsQuery]):
    dataset = selectors.get_dataset(request.auth, slug)
    reserved = {"version", "limit", "offset", "sort", "columns"}
    filters = [{"column": k, "op": "=", "value": v} for k, v in request.GET.items() if k not in reserved]
    sort = [(s[1:], "desc") if s.startswith("-") else (s, "asc") for s in params.sort.split(",") if s.strip()]
    spec = {"filters": filters, "sort": sort, "limit": params.limit, "offset": params.offset}
    if params.columns:
        spec["columns"] = [c.strip() for c in params.columns.split(",") if c.strip()]
    return _run(request, dataset, spec, params.version)


class QueryIn(Schema):
    version: int | None = None
    columns: list[str] | None = None
    filters: list[dict] | dict = []
    sort: list | str = []
    limit: int = 100
    offset: int = 0
    group_by: list[str] = []
    aggregates: list[dict] = []


@router.post(
    "/datasets/{slug}/query",
    auth=PUBLIC_QUERY,
    response={200: dict, **ERRORS},
    summary="Filter (= != < <= > >= in contains startswith isnull notnull), sort, page, group and aggregate",
)
def query(request, slug: str, payload: QueryIn):
    dataset = selectors.get_dataset(request.auth, slug)
    spec = payload.dict()
    version = spec.pop("version")
    return _run(request, dataset, spec, version)


class SqlIn(Schema):
    sql: str
    max_rows: int = 1000


@router.post(
    "/sql",
    auth=PUBLIC_QUERY,
    response={200: dict, **ERRORS},
    summary="Read-only SQL: one SELECT over datasets you can see (table name = slug with _ for -)",
)
def sql(request, payload: SqlIn):
    from dongne.lake.query import run_sql

    tables, used = selectors.sql_tables(request.auth, payload.sql)
    try:
        result = run_sql(
            tables,
            payload.sql,
            max_rows=min(payload.max_rows, settings.DATAHUB_MAX_ROWS),
            timeout_s=settings.DATAHUB_SQL_TIMEOUT,
        )
    except LakeError as exc:
        raise lake_errors.to_domain(exc)
    for dataset in used:
        services.count_usage(dataset, api_calls=1, rows=len(result.rows))
    return result.as_dict()
