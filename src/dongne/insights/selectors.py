"""Read side of the insights app: where the published data is, and request parameters → an analysis result.

The analyses themselves (:mod:`dongne.insights.analyses`) are plain functions over Parquet paths; this module
gives them the datahub's current versions and turns their errors into the platform's domain errors, so the API
and the pages report a bad parameter the same way (400 naming the parameter).
"""

from collections.abc import Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dongne.core.errors import NotFound, ValidationError
from dongne.core.korean import parse_korean_date
from dongne.core.regions import emd, sigungu
from dongne.lake.errors import LakeError

from . import analyses
from .generate import SLUGS

# Parameters each analysis takes besides the common filters (start, end, area, visitor_type, industry, level).
OPTIONS = {
    "trend": ("grain", "by", "moving_average"),
    "year_over_year": ("grain",),
    "festival_impact": ("festival_id", "weeks"),
    "visitor_mix": ("by",),
    "spend_per_visitor": ("by",),
    "hotspots": ("top",),
    "seasonality": (),
    "keyword_trends": ("top", "min_support"),
    "opportunities": ("top",),
    "area_totals": (),
    "festivals": (),
    "attractions": (),
}
_INTEGER_OPTIONS = ("moving_average", "top", "weeks", "min_support")

MESSAGES = {
    "invalid_date": _("Enter the date as YYYY-MM-DD (e.g. 2025-05-01)."),
    "invalid_period": _("The end date is before the start date."),
    "invalid_visitor_type": _("Unknown visitor type; use local, other or foreign."),
    "invalid_industry": _("Unknown industry; use 식음료, 숙박, 레저·스포츠, 쇼핑, 문화·관광 or 운송."),
    "invalid_level": _("Unknown area level; use sigungu or emd."),
    "invalid_grain": _("Unknown period; use day, week or month."),
    "invalid_by": _("This breakdown is not available for this analysis."),
    "invalid_number": _("Enter a whole number in the allowed range."),
    "invalid_top": _("Enter a whole number in the allowed range."),
    "invalid_moving_average": _("Enter a whole number in the allowed range."),
    "invalid_weeks": _("Enter a whole number in the allowed range."),
    "unknown_area": _("Unknown area code: %(value)s. Use a Gangwon 시군구 or 읍면동 code."),
    "missing_festival": _("Choose a festival (festival_id)."),
    "no_controls": _("No comparison areas are left for this festival; choose them with area."),
    "invalid_part": _("This analysis has no such part."),
    "invalid_format": _("Use format=json or format=csv."),
}


def current_sources():
    """{dataset slug: [Parquet paths of its current version]} for the insights datasets that have data.

    The analyses publish only aggregates with small counts suppressed, so they read the datasets whatever
    their catalog visibility (which governs access to the rows themselves)."""
    from dongne.datahub.models import Dataset
    from dongne.datahub.services import lake_store

    store = lake_store()
    out = {}
    datasets = Dataset.objects.filter(slug__in=SLUGS.values()).exclude(current_version=None)
    for dataset in datasets.select_related("current_version"):
        try:
            out[dataset.slug] = [
                str(p) for p in store.get(dataset.slug, dataset.current_version.number).files
            ]
        except LakeError:  # recorded but missing from the lake (a restored database): treated as no data
            continue
    return out


def _values(params, name):
    """All values of a repeatable parameter (``?area=a&area=b`` or ``?area=a,b``), blanks dropped."""
    if hasattr(params, "getlist"):
        raw = params.getlist(name)
    else:
        raw = params.get(name) or []
        if isinstance(raw, str):
            raw = [raw]
    out = []
    for item in raw:
        out.extend(part.strip() for part in str(item).split(",") if part.strip())
    return out


def _one(params, name):
    values = _values(params, name)
    return values[-1] if values else None


def _date(params, name):
    value = _one(params, name)
    if value is None:
        return None
    try:
        return parse_korean_date(value)
    except ValueError:
        raise invalid(name, "invalid_date", value)


def invalid(param, code, value=None):
    """The ValidationError for one bad parameter: ``errors={param: [message]}``."""
    message = MESSAGES.get(code, _("The request does not match the API schema."))
    return ValidationError.on(
        param, message, code=code, params={"value": value} if "%(" in str(message) else None
    )


def parse_filters(params: Mapping) -> analyses.Filters:
    """Common filters from query parameters: ``start``, ``end``, ``area`` (repeatable; Gangwon 시군구 or 읍면동
    codes), ``visitor_type``, ``industry`` (repeatable), ``level``. Raises ValidationError naming the
    parameter."""
    known = set(sigungu()) | set(emd())
    areas = _values(params, "area")
    for code in areas:
        if code not in known:
            raise invalid("area", "unknown_area", code)
    try:
        return analyses.Filters(
            start=_date(params, "start"),
            end=_date(params, "end"),
            areas=areas,
            visitor_types=_values(params, "visitor_type"),
            industries=_values(params, "industry"),
            level=_one(params, "level") or None,
        )
    except analyses.AnalysisError as exc:
        raise to_domain(exc)


def to_domain(exc):
    """An AnalysisError (or a lake error) as the platform's domain error."""
    if isinstance(exc, LakeError):
        from dongne.datahub import lake_errors

        return lake_errors.to_domain(exc)
    if exc.code == "no_data":
        return NotFound(
            _("The regional data has not been loaded yet (dataset %(slug)s)."),
            code="no_data",
            params={"slug": exc.param},
        )
    if exc.code == "unknown_festival":
        return NotFound(_("There is no festival %(id)s."), code="unknown_festival", params={"id": exc.value})
    return invalid(exc.param or "__all__", exc.code, exc.value)


def run_analysis(name: str, params: Mapping, *, engine=None, k=None) -> analyses.Table:
    """Run analysis ``name`` with request parameters ``params`` (a QueryDict or a dict): the common filters plus
    the analysis' own options (:data:`OPTIONS`). Unknown analysis → NotFound; a bad parameter → ValidationError
    naming it."""
    if name not in analyses.ANALYSES:
        raise NotFound(
            _("There is no analysis %(name)s; the analyses are: %(names)s."),
            code="unknown_analysis",
            params={"name": name, "names": ", ".join(analyses.ANALYSES)},
        )
    filters = parse_filters(params)
    options = {}
    for option in OPTIONS[name]:
        value = _one(params, option)
        if value is None:
            continue
        if option in _INTEGER_OPTIONS:
            try:
                value = int(value)
            except ValueError:
                raise invalid(option, "invalid_number", value)
        options[option] = value
    args = ()
    if name == "festival_impact":
        festival_id = options.pop("festival_id", None)
        if not festival_id:
            raise invalid("festival_id", "missing_festival")
        args = (festival_id,)
    try:
        table = analyses.ANALYSES[name](*args, filters, **options, engine=engine, k=k)
    except (analyses.AnalysisError, LakeError) as exc:
        raise to_domain(exc)
    return localise(table)


# Row values that are labels (English msgids from analyses), not data.
_LABEL_VALUES = ("visitor_type_label", "label")


def localise(table: analyses.Table) -> analyses.Table:
    """Translate the table's column labels and label values into the active language, in place (nested tables in
    ``meta`` too); the analyses themselves stay free of Django and speak English msgids."""
    for column in table.columns:
        column["label"] = gettext(column["label"])
    labelled = [name for name in _LABEL_VALUES if name in table.names]
    if labelled:
        for row in table.rows:
            for name in labelled:
                if isinstance(row.get(name), str):
                    row[name] = gettext(row[name])
    for value in table.meta.values():
        if isinstance(value, analyses.Table):
            localise(value)
    return table


def table_part(table: analyses.Table, part: str | None) -> analyses.Table:
    """The table itself, or one of the Tables in its meta (``series`` of festival_impact, ``frequency`` of
    keyword_trends)."""
    if not part:
        return table
    inner = table.meta.get(part)
    if not isinstance(inner, analyses.Table):
        raise invalid("part", "invalid_part", part)
    return inner
