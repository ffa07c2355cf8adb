"""Dashboards of the regional insights (issue 4): overview with maps and charts, festival impact, keywords and
opportunity cards. Every number comes from ``analyses`` (the lake query layer); this module only picks the
filters, builds plotly figures (``charts``) and writes the text summaries that stand in for each chart.

The overview's filter form sends htmx GETs; the view then answers with the charts fragment only (the URL is
pushed, so the filtered view can be bookmarked and shared). plotly.js and the map boundaries are served from
here, from the installed ``plotly`` package and the bundled KOSTAT GeoJSON: no page loads anything from
another site.
"""

import datetime as dt
import gzip
import hashlib
import json
import logging
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import plotly
from django.conf import settings
from django.core.cache import cache as django_cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from dongne.core.regions import CHUNCHEON
from dongne.datahub import selectors as datahub_selectors
from dongne.datahub.models import Dataset
from dongne.lake.errors import LakeError

from . import analyses, charts, geo
from . import selectors as insights_selectors
from .forms import (
    MOVING_AVERAGE,
    KeywordFilterForm,
    OpportunityFilterForm,
    OverviewFilterForm,
    area_name,
    visitor_type_label,
)
from .generate import SLUGS

logger = logging.getLogger(__name__)

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_VERSION = plotly.__version__
YEAR = 365 * 24 * 3600
API = "/api/v1/insights/"
ANALYSIS_ERRORS = (analyses.AnalysisError, LakeError)
TABLE_ROWS = 60  # rows of a chart's data table on the page; the CSV link has all of them


# --- static assets ------------------------------------------------------------------------------------------


@cache
def _plotly_gzip():
    return gzip.compress(PLOTLY_JS.read_bytes(), compresslevel=9)


@require_GET
@cache_control(public=True, max_age=YEAR, immutable=True)
def plotly_js(request, version):
    """plotly.min.js from the installed plotly package; the version in the URL makes a year's caching safe."""
    if version != PLOTLY_VERSION:
        return redirect("insights:plotly_js", version=PLOTLY_VERSION)
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(_plotly_gzip(), content_type="application/javascript; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = FileResponse(open(PLOTLY_JS, "rb"), content_type="application/javascript; charset=utf-8")
    response["Vary"] = "Accept-Encoding"
    return response


@require_GET
@cache_control(public=True, max_age=YEAR, immutable=True)
def geojson(request, name, version):
    """Boundaries of one map layer (see geo.py); versioned by content hash."""
    if name not in geo.LAYERS:
        raise Http404
    if version != geo.layer_version(name):
        return redirect("insights:geojson", name=name, version=geo.layer_version(name))
    return HttpResponse(geo.layer_bytes(name), content_type="application/geo+json")


@require_GET
@cache_control(public=True, max_age=YEAR)
def topojson(request, name):
    """An empty base map. plotly.js asks for one for every geo subplot, even with the base map hidden; without
    this it would fetch it from cdn.plot.ly. Our maps draw only our own boundaries."""
    return HttpResponse(b'{"type":"Topology","objects":{},"arcs":[]}', content_type="application/json")


def _assets():
    return {
        "plotly_url": reverse("insights:plotly_js", kwargs={"version": PLOTLY_VERSION}),
        "topojson_url": reverse("insights:topojson", kwargs={"name": "x"}).rsplit("/", 1)[0] + "/",
        "attribution": geo.ATTRIBUTION,
    }


def _geo_url(name):
    return reverse("insights:geojson", kwargs={"name": name, "version": geo.layer_version(name)})


# --- helpers ------------------------------------------------------------------------------------------------


def _extent(slug, column="date"):
    """(first, last) date of a dataset's current version, from the profile stored at ingest (no query), or None
    when the catalog does not know it (then the pages start with the whole period). Like the analyses, this ignores the dataset's catalog visibility: the pages
    publish only aggregates."""
    dataset = Dataset.objects.filter(slug=slug).select_related("current_version").first()
    version = dataset.current_version if dataset is not None else None
    if version is None:
        return None
    for entry in version.profile or []:
        if entry.get("name") == column and entry.get("min") and entry.get("max"):
            try:
                return (
                    dt.date.fromisoformat(str(entry["min"])[:10]),
                    dt.date.fromisoformat(str(entry["max"])[:10]),
                )
            except ValueError:
                return None
    return None


def _api_url(analysis, filters, fmt="csv", **extra):
    """The same analysis as the chart, from the insights API (CSV by default)."""
    params = []
    if filters is not None:
        if filters.start:
            params.append(("start", filters.start.isoformat()))
        if filters.end:
            params.append(("end", filters.end.isoformat()))
        params += [("area", a) for a in filters.areas]
        params += [("visitor_type", v) for v in filters.visitor_types]
        params += [("industry", i) for i in filters.industries]
        if filters.level:
            params.append(("level", filters.level))
    params += [(k, v) for k, v in extra.items() if v not in (None, "")]
    params.append(("format", fmt))
    return f"{API}{analysis}?{urlencode(params)}"


def _n(value, digits=0):
    if value is None:
        return "—"
    return number_format(
        round(value, digits) if digits else round(value), decimal_pos=digits, force_grouping=True
    )


def _won(value):
    return "—" if value is None else _("%(amount)s won") % {"amount": _n(value)}


def _share(value):
    return "—" if value is None else _pct(value * 100)


def _pct(value, digits=1, sign=False):
    if value is None:
        return "—"
    # number_format cuts decimals off; round first so that 2.15 shows as 2.2 like the chart's own labels.
    text = number_format(
        round(abs(value) if sign else value, digits), decimal_pos=digits, force_grouping=True
    )
    if sign:
        text = ("+" if value > 0 else "−" if value < 0 else "±") + text
    return f"{text}%"


def _date(value):
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%Y.%m.%d")


def _as_date(value):
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _chart(chart_id, figure, *, title, summary, csv_url, table=None, note=""):
    """Everything a chart section of a template shows: the figure, its text summary and its data."""
    return {
        "id": chart_id,
        "title": title,
        "figure": charts.embed(figure) if figure is not None else None,
        "height": (figure.layout.height or 360) if figure is not None else None,
        "summary": summary,
        "csv_url": csv_url,
        "table": table,
        "note": note,
    }


def _table(headers, rows):
    """A small data table shown under a chart (the first TABLE_ROWS rows; the CSV has all)."""
    return {"headers": headers, "rows": rows[:TABLE_ROWS], "total": len(rows), "cut": len(rows) > TABLE_ROWS}


_SUPPRESSED_NOTE = gettext_lazy("Counts below the privacy threshold are left out (gaps in the lines).")


def _filters_summary(filters):
    parts = []
    if filters.areas:
        parts.append(", ".join(area_name(a) for a in filters.areas))
    if filters.start or filters.end:
        parts.append(f"{_date(filters.start) or '…'} – {_date(filters.end) or '…'}")
    if filters.visitor_types:
        parts.append(", ".join(str(visitor_type_label(v)) for v in filters.visitor_types))
    if filters.industries:
        parts.append(", ".join(filters.industries))
    return " · ".join(parts)


# --- overview -----------------------------------------------------------------------------------------------


def _overview_form(request, form_class=OverviewFilterForm):
    extent = _extent(SLUGS["visitors"])
    initial = {"area": CHUNCHEON, "grain": "day"}
    if extent:
        # A year up to the last day with data: long enough for seasons, short enough for daily points.
        initial["end"] = extent[1]
        initial["start"] = max(extent[0], extent[1] - dt.timedelta(days=364))
    return form_class(request.GET or None, initial=initial)


def _trend_chart(form):
    grain = form.value("grain", "day")
    filters = form.filters(industry=False)
    window = MOVING_AVERAGE[grain]
    table = analyses.trend(filters, grain=grain, by="visitor_type", moving_average=window)
    average_label = {
        "day": _("7-day average"),
        "week": _("4-week average"),
        "month": _("3-month average"),
    }[grain]
    figure = charts.trend(
        table,
        grain=grain,
        value_label=_("Visitors"),
        average_label=average_label,
        labels={code: str(visitor_type_label(code)) for code in analyses.VISITOR_TYPES},
    )
    totals = {}
    for row in table.rows:
        if row.get("visitors") is not None:
            totals[row["period"]] = totals.get(row["period"], 0) + row["visitors"]
    if totals:
        peak = max(totals, key=totals.get)
        periods = sorted(totals)
        summary = _(
            "%(area)s, %(first)s to %(last)s: %(total)s visits in all. The busiest %(grain)s was %(peak)s "
            "with %(peak_n)s visits. Solid lines are the counts, dashed lines the %(average)s."
        ) % {
            "area": area_name(form.value("area", CHUNCHEON)),
            "first": _date(periods[0]),
            "last": _date(periods[-1]),
            "total": _n(sum(totals.values())),
            "grain": {"day": _("day"), "week": _("week"), "month": _("month")}[grain],
            "peak": _date(peak)[:7] if grain == "month" else _date(peak),
            "peak_n": _n(totals[peak]),
            "average": average_label,
        }
        hidden = (table.meta or {}).get("suppressed_rows")
        if hidden:
            summary += " " + _SUPPRESSED_NOTE
    else:
        summary = _("No visitor counts match these filters.")
    rows = [
        [
            _date(r["period"]),
            visitor_type_label(r.get("visitor_type")),
            _n(r.get("visitors")),
            _n(r.get("moving_average")),
        ]
        for r in table.rows
    ]
    chart = _chart(
        "chart-trend",
        figure if totals else None,
        title=_("Visitors over time"),
        summary=summary,
        csv_url=_api_url("trend", filters, grain=grain, by="visitor_type", moving_average=window),
        table=_table([_("Period"), _("Visitor type"), _("Visitors"), average_label], rows),
    )
    return chart


def _map_chart(form, level, highlight):
    layer = "chuncheon-emd" if level == "emd" else "gangwon-sigungu"
    filters = form.filters(area=False, industry=False, level=level)
    table = analyses.area_totals(filters)
    codes = geo.layer_codes(layer)
    table.rows = [r for r in table.rows if r.get("area_code") in codes]
    figure = charts.choropleth(
        table,
        geojson_url=_geo_url(layer),
        codes=codes,
        label=_("Visitors"),
        highlight=highlight,
        hover_extra=[("visitors_per_day", _("Per day"))],
    )
    ranked = sorted((r for r in table.rows if r.get("visitors") is not None), key=lambda r: -r["visitors"])
    missing = len(codes) - len(ranked)
    if ranked:
        summary = _("Most visited: %(list)s.") % {
            "list": ", ".join(f"{r['area_name']} {_n(r['visitors'])}" for r in ranked[:3])
        }
        summary += " " + _("Least visited: %(name)s (%(n)s).") % {
            "name": ranked[-1]["area_name"],
            "n": _n(ranked[-1]["visitors"]),
        }
        if missing:
            summary += " " + ngettext(
                "%(n)s area is grey: its count is not published (below the privacy threshold or no data).",
                "%(n)s areas are grey: their counts are not published (below the privacy threshold or no "
                "data).",
                missing,
            ) % {"n": missing}
    else:
        summary = _("No visitor counts match these filters.")
    title = _("Chuncheon by eup, myeon and dong") if level == "emd" else _("Gangwon by city and county")
    rows = [
        [
            r["area_name"],
            _n(r.get("visitors")),
            _n(r.get("visitors_per_day")),
            _n(r.get("local")),
            _n(r.get("other")),
            _n(r.get("foreign")),
        ]
        for r in ranked
    ]
    headers = [
        _("Area"),
        _("Visitors"),
        _("Per day"),
        visitor_type_label("local"),
        visitor_type_label("other"),
        visitor_type_label("foreign"),
    ]
    return _chart(
        f"map-{level}",
        figure if ranked else None,
        title=title,
        summary=summary,
        csv_url=_api_url("area_totals", filters),
        table=_table(headers, rows),
        note=geo.ATTRIBUTION,
    )


def _mix_chart(form):
    filters = form.filters(visitor_type=False, industry=False)
    table = analyses.visitor_mix(filters)
    rows = [r for r in table.rows if r.get("visitors") is not None]
    labels = [str(visitor_type_label(r["visitor_type"])) for r in rows]
    figure = charts.bars(
        labels,
        [r["visitors"] for r in rows],
        value_label=_("Visitors"),
        colours=[charts.VISITOR_COLOURS.get(r["visitor_type"], charts.COLOURS[0]) for r in rows],
        percent=[r.get("share") for r in rows],
    )
    pairs = list(zip(labels, rows, strict=True))
    if rows:
        summary = _("Share of visits: %(list)s.") % {
            "list": ", ".join(f"{label} {_share(r.get('share'))}" for label, r in pairs)
        }
    else:
        summary = _("No visitor counts match these filters.")
    return _chart(
        "chart-mix",
        figure if rows else None,
        title=_("Who visits"),
        summary=summary,
        csv_url=_api_url("visitor_mix", filters),
        table=_table(
            [_("Visitor type"), _("Visitors"), _("Share")],
            [[label, _n(r["visitors"]), _share(r.get("share"))] for label, r in pairs],
        ),
    )


def _spending_chart(form):
    filters = form.filters(visitor_type=False, industry=False)
    chosen = form.value("industry")
    table = analyses.spend_per_visitor(filters, by="industry")
    rows = sorted((r for r in table.rows if r.get("amount") is not None), key=lambda r: -r["amount"])
    figure = charts.bars(
        [r["industry"] for r in rows],
        [r["amount"] / 1e8 for r in rows],  # in 억 원: a Korean reader's unit for sums this size
        value_label=_("Card spending (100 million won)"),
        colours=[charts.COLOURS[1] if r["industry"] == chosen else charts.COLOURS[0] for r in rows],
        percent=[r.get("share") for r in rows],
        value_format=",.1f",
    )
    if rows:
        top = rows[0]
        summary = _(
            "Card spending of %(total)s in all; the largest industry is %(industry)s (%(share)s, "
            "%(per_visitor)s per visitor)."
        ) % {
            "total": _won(sum(r["amount"] for r in rows)),
            "industry": top["industry"],
            "share": _share(top.get("share")),
            "per_visitor": _won(top.get("per_visitor")),
        }
        picked = next((r for r in rows if r["industry"] == chosen), None)
        if picked:
            summary += " " + _("%(industry)s (highlighted): %(amount)s, %(per_visitor)s per visitor.") % {
                "industry": chosen,
                "amount": _won(picked["amount"]),
                "per_visitor": _won(picked.get("per_visitor")),
            }
    else:
        summary = _("No card spending matches these filters.")
    return _chart(
        "chart-spending",
        figure if rows else None,
        title=_("Spending by industry"),
        summary=summary,
        csv_url=_api_url("spend_per_visitor", filters, by="industry"),
        table=_table(
            [
                _("Industry"),
                _("Card spending (won)"),
                _("Share"),
                _("Per visitor (won)"),
                _("Average payment (won)"),
            ],
            [
                [
                    r["industry"],
                    _n(r["amount"]),
                    _share(r.get("share")),
                    _n(r.get("per_visitor")),
                    _n(r.get("avg_ticket")),
                ]
                for r in rows
            ],
        ),
    )


def _opportunities(form, user, top):
    """Opportunity cards within the chosen area, and the CSV link of the analysis behind them.

    The analysis ranks places of one level against that level's median: 춘천시 → its 읍면동; one 읍면동 →
    Chuncheon's 읍면동, keeping that one; another 시군구 → Gangwon's 시군구, keeping that one."""
    area = form.value("area", CHUNCHEON)
    base = form.filters(area=False, visitor_type=False)
    level = "emd" if area == CHUNCHEON or len(area) == 7 else "sigungu"
    filters = analyses.Filters(start=base.start, end=base.end, industries=base.industries, level=level)
    keep = None if area == CHUNCHEON else area
    table = analyses.opportunities(filters, top=top if keep is None else 1000)
    rows = [r for r in table.rows if keep is None or r.get("area_code") == keep][:top]
    return _opportunity_cards(rows, user), _api_url("opportunities", filters, top=top)


def _opportunity_cards(rows, user):
    slugs = {slug for row in rows for slug in row.get("datasets") or []}
    titles = dict(
        datahub_selectors.visible_datasets(user).filter(slug__in=slugs).values_list("slug", "title")
    )
    cards = []
    for row in rows:
        gap = _gap_pct(row)
        cards.append(
            {
                "area": row.get("area_name") or area_name(row.get("area_code")),
                "area_code": row.get("area_code"),
                "industry": row.get("industry"),
                "month": MONTHS.get(row.get("month"), row.get("month") or ""),
                "visitors": _n(row.get("visitors")),
                "per_visitor": _won(row.get("per_visitor")),
                "benchmark": _won(row.get("benchmark_per_visitor")),
                "gap_pct": _pct(gap, 0, sign=True) if gap is not None else "",
                "potential": _won(row.get("gap")) if row.get("gap") is not None else "",
                "datasets": [
                    {
                        "slug": slug,
                        "title": titles[slug],
                        "url": reverse("datahub:dataset_detail", args=[slug]),
                    }
                    for slug in row.get("datasets") or []
                    if slug in titles  # a dataset the reader may not see is neither linked nor named
                ],
            }
        )
    return cards


def _gap_pct(row):
    per, bench = row.get("per_visitor"), row.get("benchmark_per_visitor")
    if per is None or not bench:
        return None
    return (per - bench) / bench * 100


def _overview_context(form, user):
    # Whether there is data at all is the analyses' answer (no_data), not the catalog's: they read the same
    # published versions.
    context = {"form": form, "has_data": True}
    if form.is_bound and not form.is_valid():
        return context
    area = form.value("area", CHUNCHEON)
    try:
        key = _charts_key(form)
        context["charts"] = _cached(key)
        if context["charts"] is None:
            context["charts"] = {
                "trend": _trend_chart(form),
                "map_emd": _map_chart(form, "emd", highlight=area if len(area) == 7 else None),
                "map_sigungu": _map_chart(form, "sigungu", highlight=area[:5]),
                "mix": _mix_chart(form),
                "spending": _spending_chart(form),
            }
            _cache_set(key, context["charts"])
        context["opportunities"], _csv = _opportunities(form, user, top=3)
    except ANALYSIS_ERRORS as exc:
        return _analysis_failed(context, exc)
    query = [
        (name, form.data.get(name)) for name in ("start", "end", "area", "industry") if form.data.get(name)
    ]
    context["opportunities_url"] = reverse("insights:opportunities") + (
        f"?{urlencode(query)}" if query else ""
    )
    context["summary"] = _filters_summary(form.filters(industry=False))
    return context


def _charts_key(form):
    """The overview's charts are the same for every reader (aggregates only, small counts suppressed) and
    change only with the filters, the language, the privacy threshold or a new version of the data: the key
    holds all four (the current versions' Parquet paths carry their version numbers), so a new ingest is
    seen on the next request. Building the five charts is most of the page's time (plotly figures, lake
    queries); the opportunity cards depend on the reader and are not cached."""
    parts = [
        translation.get_language(),
        settings.INSIGHTS_MIN_COUNT,
        sorted(insights_selectors.current_sources().items()),
        [(name, str(form.value(name))) for name in sorted(form.fields)],
    ]
    digest = hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
    return f"insights:overview:{digest}"


def _cached(key):
    try:
        return django_cache.get(key)
    except Exception:  # a cache that is down (Redis) costs time, never the page
        logger.warning("insights: the cache could not be read", exc_info=True)
        return None


def _cache_set(key, value):
    try:
        django_cache.set(key, value, settings.INSIGHTS_CHARTS_CACHE_SECONDS)
    except Exception:
        logger.warning("insights: the cache could not be written", exc_info=True)


def _analysis_failed(context, exc):
    """No data (the regional datasets are not loaded) shows the empty state; anything else is a message."""
    if getattr(exc, "code", None) == "no_data":
        context["has_data"] = False
    else:
        context["error"] = insights_selectors.to_domain(exc).render()
    context.pop("charts", None)
    return context


def overview(request):
    form = _overview_form(request)
    context = _overview_context(form, request.user)
    context.update(_assets())
    if request.htmx and not request.htmx.history_restore_request and request.htmx.target == "insight-charts":
        return render(request, "insights/_charts.html", context)
    return render(request, "insights/overview.html", context)


# --- festivals ----------------------------------------------------------------------------------------------


def festivals(request):
    context = {"has_data": True, "years": []}
    try:
        rows = analyses.festivals(analyses.Filters()).rows
    except ANALYSIS_ERRORS as exc:
        return render(request, "insights/festivals.html", _analysis_failed(context, exc))
    years = {}
    for row in sorted(rows, key=lambda r: _as_date(r.get("start_date")) or dt.date.min, reverse=True):
        start = _as_date(row.get("start_date"))
        years.setdefault(start.year if start else "", []).append(
            {
                "id": row["festival_id"],
                "name": row["name"],
                "area": area_name(row.get("area_code")) or row.get("area_name"),
                "place": row.get("place") or "",
                "start": _date(row.get("start_date")),
                "end": _date(row.get("end_date")),
                "days": row.get("days"),
            }
        )
    context["years"] = list(years.items())
    return render(request, "insights/festivals.html", context)


METRIC_LABELS = {"visitors": gettext_lazy("Visitors"), "spending": gettext_lazy("Card spending")}


def _impact_sentence(row, festival):
    """The estimate in words: what changed, by how much, how sure, and what it means in units."""
    if row.get("uplift_pct") is None:
        return _("Not published: the festival area's daily counts are below the privacy threshold.")
    values = {
        "area": festival["area"],
        "pct": _pct(row.get("uplift_pct"), sign=True),
        "low": _pct(row.get("ci_low_pct"), sign=True),
        "high": _pct(row.get("ci_high_pct"), sign=True),
        "days": _n(row.get("days")),
    }
    if row["metric"] == "spending":
        values.update(
            per_day=_won(row.get("extra_per_day")),
            per_day_low=_won(row.get("extra_ci_low")),
            per_day_high=_won(row.get("extra_ci_high")),
            total=_won(row.get("extra_total")),
        )
        text = ngettext(
            "Card spending in %(area)s during the festival was %(pct)s against the baseline (95%% interval "
            "%(low)s to %(high)s): about %(per_day)s more a day (%(per_day_low)s to %(per_day_high)s), "
            "%(total)s over %(days)s day.",
            "Card spending in %(area)s during the festival was %(pct)s against the baseline (95%% interval "
            "%(low)s to %(high)s): about %(per_day)s more a day (%(per_day_low)s to %(per_day_high)s), "
            "%(total)s over %(days)s days.",
            row.get("days") or 0,
        )
    else:
        values.update(
            per_day=_n(row.get("extra_per_day")),
            per_day_low=_n(row.get("extra_ci_low")),
            per_day_high=_n(row.get("extra_ci_high")),
            total=_n(row.get("extra_total")),
        )
        text = ngettext(
            "Visitors in %(area)s during the festival were %(pct)s against the baseline (95%% interval "
            "%(low)s to %(high)s): about %(per_day)s more visitors a day (%(per_day_low)s to %(per_day_high)s), "
            "%(total)s over %(days)s day.",
            "Visitors in %(area)s during the festival were %(pct)s against the baseline (95%% interval "
            "%(low)s to %(high)s): about %(per_day)s more visitors a day (%(per_day_low)s to %(per_day_high)s), "
            "%(total)s over %(days)s days.",
            row.get("days") or 0,
        )
    sentence = text % values
    low, high = row.get("ci_low_pct"), row.get("ci_high_pct")
    if low is not None and high is not None:
        if low > 0:
            sentence += " " + _(
                "The whole interval is above zero: the festival very likely raised this figure."
            )
        elif high < 0:
            sentence += " " + _("The whole interval is below zero: this figure very likely fell.")
        else:
            sentence += " " + _("The interval includes zero: the data do not show a clear effect.")
    return sentence


def festival_detail(request, festival_id):
    try:
        table = analyses.festival_impact(festival_id)
    except ANALYSIS_ERRORS as exc:
        if getattr(exc, "code", None) in ("unknown_festival", "no_data"):
            raise Http404(str(exc)) from exc
        context = _analysis_failed({"festival": {"id": festival_id, "name": festival_id}}, exc)
        return render(request, "insights/festival_detail.html", context)
    meta = table.meta or {}
    info = meta.get("festival") or {}
    start, end = _as_date(info.get("start_date")), _as_date(info.get("end_date"))
    festival = {
        "id": festival_id,
        "name": info.get("name") or festival_id,
        "area": area_name(info.get("area_code")) or info.get("area_name") or "",
        "place": info.get("place") or "",
        "start": _date(start),
        "end": _date(end),
    }
    series = meta.get("series")
    series_rows = series.rows if series is not None else []
    phase_labels = {"before": _("Before"), "during": _("During the festival"), "after": _("After")}
    control_areas = [
        (a.get("area_name") or area_name(a.get("area_code"))) if isinstance(a, dict) else area_name(a)
        for a in meta.get("control_areas") or []
    ]
    impacts = [
        {
            "metric": row["metric"],
            "label": METRIC_LABELS.get(row["metric"], row["metric"]),
            "sentence": _impact_sentence(row, festival),
            "uplift": _pct(row.get("uplift_pct"), sign=True),
            "low": _pct(row.get("ci_low_pct"), sign=True),
            "high": _pct(row.get("ci_high_pct"), sign=True),
            "during": (_won if row["metric"] == "spending" else _n)(row.get("during")),
            "baseline": (_won if row["metric"] == "spending" else _n)(row.get("baseline")),
            "extra_per_day": (_won if row["metric"] == "spending" else _n)(row.get("extra_per_day")),
            "extra_total": (_won if row["metric"] == "spending" else _n)(row.get("extra_total")),
            "days": row.get("days"),
            "baseline_days": row.get("baseline_days"),
            "published": row.get("uplift_pct") is not None,
        }
        for row in table.rows
    ]
    weeks = 3
    window = meta.get("window") or []
    if len(window) == 2 and start:
        weeks = max(1, (start - _as_date(window[0])).days // 7)
    series_chart = _chart(
        "chart-festival",
        charts.festival(
            series,
            festival_start=start,
            festival_end=end,
            visitors_label=_("Visitors"),
            control_label=_("Comparison areas (average)"),
            phase_labels=phase_labels,
        )
        if series_rows
        else None,
        title=_("Daily visitors before, during and after"),
        summary=_festival_series_summary(series_rows, phase_labels),
        csv_url=_api_url("festival_impact", None, festival_id=festival_id, part="series"),
        table=_table(
            [_("Date"), _("Phase"), _("Visitors"), _("Comparison areas (average)"), _("Card spending (won)")],
            [
                [
                    _date(r["date"]),
                    phase_labels.get(r.get("phase"), r.get("phase")),
                    _n(r.get("visitors")),
                    _n(r.get("control_visitors")),
                    _n(r.get("spending")),
                ]
                for r in series_rows
            ],
        ),
    )
    published = [r for r in table.rows if r.get("uplift_pct") is not None]
    interval_chart = _chart(
        "chart-impact",
        charts.interval(published, labels=METRIC_LABELS, axis_label=_("Change against the baseline"))
        if published
        else None,
        # "%%" and a format call: a bare "% i" would read as a format directive to msgfmt's checks.
        title=_("Estimated effect with 95%% interval") % {},
        summary=_interval_summary(impacts),
        csv_url=_api_url("festival_impact", None, festival_id=festival_id),
    )
    context = {
        "festival": festival,
        "impacts": impacts,
        "charts": [series_chart, interval_chart],
        "control_areas": control_areas,
        "baseline_days": next((i["baseline_days"] for i in impacts if i["baseline_days"]), None),
        "weeks": weeks,
        "method": meta.get("method"),
    }
    context.update(_assets())
    return render(request, "insights/festival_detail.html", context)


def _interval_summary(impacts):
    shown = [i for i in impacts if i["published"]]
    if not shown:
        return _("No estimate could be published for this festival.")
    parts = [
        _("%(measure)s %(change)s (95%% interval %(low)s to %(high)s)")
        % {"measure": i["label"], "change": i["uplift"], "low": i["low"], "high": i["high"]}
        for i in shown
    ]
    return (
        "; ".join(parts)
        + ". "
        + _(
            "Dots are the estimates, bars their 95%% intervals; a bar that crosses zero shows no clear effect."
        )
        % {}
    )


def _festival_series_summary(rows, phase_labels):
    parts = []
    for phase in ("before", "during", "after"):
        values = [r["visitors"] for r in rows if r.get("phase") == phase and r.get("visitors") is not None]
        if values:
            parts.append(
                _("%(phase)s: %(n)s visitors a day on average")
                % {"phase": phase_labels[phase], "n": _n(sum(values) / len(values))}
            )
    if not parts:
        return _("No daily counts are published for this festival.")
    return (
        "; ".join(parts)
        + ". "
        + _("The shaded days are the festival; the dotted line is the comparison areas.")
    )


# --- keywords -----------------------------------------------------------------------------------------------


def _months(extent):
    """'YYYY-MM' of every month with data, latest first."""
    if not extent:
        return []
    first, last = extent
    months, year, month = [], last.year, last.month
    while (year, month) >= (first.year, first.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def keywords(request):
    extent = _extent(SLUGS["reviews"])
    months = _months(extent)
    form = KeywordFilterForm(
        request.GET or None, months=months, initial={"month": months[0] if months else ""}
    )
    context = {"form": form, "has_data": True}
    if not form.is_bound or form.is_valid():
        filters = form.filters()
        try:
            table = analyses.keyword_trends(filters, top=20, examples=2)
        except ANALYSIS_ERRORS as exc:
            context = _analysis_failed(context, exc)
        else:
            context.update(_keyword_context(table, filters, form))
    context.update(_assets())
    return render(request, "insights/keywords.html", context)


def _keyword_context(table, filters, form):
    meta = table.meta or {}
    period, previous = _as_date(meta.get("period")), _as_date(meta.get("previous_period"))
    this_label = period.strftime("%Y.%m") if period else _("This month")
    last_label = previous.strftime("%Y.%m") if previous else _("Month before")
    k = meta.get("k")
    under = _("under %(k)s") % {"k": k} if k else "—"
    terms = [
        {
            "rank": row.get("rank"),
            "term": row["term"],
            "count": _n(row.get("count")) if row.get("count") is not None else under,
            # None is a suppressed count (1 to k-1 reviews), not zero.
            "previous": _n(row.get("previous")) if row.get("previous") is not None else under,
            "growth": _growth(row, under),
            "new": row.get("previous") == 0,
            "examples": [_highlight(text, row["term"]) for text in row.get("examples") or []],
        }
        for row in table.rows
    ]
    shown = [r for r in table.rows if r.get("count") is not None][:15]
    figure = (
        charts.paired_bars(
            [r["term"] for r in shown],
            [r.get("previous") for r in shown],
            [r["count"] for r in shown],
            names=(last_label, this_label),
            value_label=_("Reviews that mention the term"),
        )
        if shown
        else None
    )
    if terms:
        summary = _("Fastest rising terms in %(month)s against %(previous)s: %(list)s.") % {
            "month": this_label,
            "previous": last_label,
            "list": ", ".join(f"{t['term']} ({t['previous']} → {t['count']})" for t in terms[:5]),
        }
    else:
        summary = _("No term is used often enough in these reviews to be published.")
    return {
        "terms": terms,
        "chart": _chart(
            "chart-keywords",
            figure,
            title=_("Rising terms"),
            summary=summary,
            csv_url=_api_url("keyword_trends", filters, top=20),
            table=_table(
                [_("Keyword"), last_label, this_label, _("Growth")],
                [[t["term"], t["previous"], t["count"], t["growth"]] for t in terms],
            ),
        ),
        "period_label": this_label,
        "previous_label": last_label,
        "area": area_name(form.value("area")) or _("All areas"),
        "reviews": _n(meta.get("reviews_in_period")),
        "min_support": meta.get("min_support"),
    }


def _growth(row, under):
    """The rise of a term's share of reviews as a factor (×2.5); "new" when no review used it the month before,
    "from under k" when that month's count is suppressed."""
    if row.get("count") is None:
        return "—"
    if row.get("previous") == 0:
        return _("new")
    if row.get("previous") is None:
        return _("from %(under)s") % {"under": under}
    if row.get("growth") is None:
        return "—"
    return "×" + number_format(round(row["growth"], 1), decimal_pos=1)


def _highlight(text, term):
    """An example sentence split around the term, so that the template can mark it (escaping stays its job)."""
    index = text.find(term)
    if index < 0:
        return {"before": text, "term": "", "after": ""}
    return {"before": text[:index], "term": term, "after": text[index + len(term) :]}


# --- opportunities ------------------------------------------------------------------------------------------


def opportunities(request):
    form = _overview_form(request, OpportunityFilterForm)
    context = {"form": form, "has_data": True}
    if not form.is_bound or form.is_valid():
        try:
            context["cards"], context["csv_url"] = _opportunities(form, request.user, top=12)
        except ANALYSIS_ERRORS as exc:
            context = _analysis_failed(context, exc)
        context["area"] = area_name(form.value("area", CHUNCHEON))
    return render(request, "insights/opportunities.html", context)


def home_panel(request):
    """The regional overview shown on the platform's start page: the Chuncheon map and the visitor trend
    for the default period, or nothing when the regional data is not loaded."""
    form = OverviewFilterForm(None, initial=_overview_form(request).initial)
    try:
        area = form.value("area", CHUNCHEON)
        panel = {
            "map_emd": _map_chart(form, "emd", highlight=area if len(area) == 7 else None),
            "trend": _trend_chart(form),
        }
    except ANALYSIS_ERRORS:
        return {}
    return {"insight_panel": panel, **_assets()}
