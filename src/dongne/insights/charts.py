"""Plotly figures of the insights dashboards, built server-side from the analyses' tables.

Each builder takes a :class:`~dongne.insights.analyses.Table` (rows as dicts, columns as documented in
analyses.py) and returns a ``plotly.graph_objects.Figure``; :func:`embed` turns it into JSON safe inside a
``<script type="application/json">`` that ``static/insights/charts.js`` draws with the local plotly.js.
Text in figures goes through gettext like every other string; fonts are the page's own (Hangul included).
"""

import datetime as dt

import plotly.graph_objects as go
from django.utils.translation import gettext as _

FONT = '"Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", system-ui, sans-serif'
# Colour-blind safe (Okabe–Ito), first the site's own blue; every hue meets 3:1 against white.
COLOURS = ["#0b5394", "#d55e00", "#009e73", "#cc79a7", "#b8860b", "#56b4e9", "#6a3d9a"]
VISITOR_COLOURS = {"local": "#0b5394", "other": "#d55e00", "foreign": "#009e73"}
MAP_SCALE = [[0.0, "#eef4fb"], [0.35, "#9ecae1"], [0.7, "#3182bd"], [1.0, "#08306b"]]
PHASE_COLOURS = {"before": "#9aa5b1", "during": "#d55e00", "after": "#56b4e9"}


def _layout(**kwargs):
    layout = dict(
        template="none",  # no 10 kB default template in every figure; the look is set here
        font={"family": FONT, "size": 13, "color": "#1a1a1a"},
        hoverlabel={"font": {"family": FONT}},
        colorway=COLOURS,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 56, "r": 16, "t": 16, "b": 48},
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        separators=".,",
        autosize=True,
    )
    layout.update(kwargs)
    return layout


def _axis(**kwargs):
    axis = dict(gridcolor="#e5e9ef", zerolinecolor="#c9d3df", linecolor="#767676", automargin=True)
    axis.update(kwargs)
    return axis


def embed(figure):
    """The figure as JSON that is safe to place inside a <script> element (no ``</script>`` can appear)."""
    text = figure.to_json()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def choropleth(table, *, geojson_url, codes, value="visitors", label, highlight=None, hover_extra=()):
    """A filled map of ``codes`` ({code: name}, every feature of the layer) coloured by ``value``.

    Areas without a row (or with a suppressed count) stay grey rather than disappear. The base map is hidden:
    the boundaries come from our own GeoJSON (``geojson_url``), so plotly.js fetches nothing from elsewhere.
    """
    by_code = {row["area_code"]: row for row in table.rows} if table else {}
    shown, missing = [], []
    for code, name in codes.items():
        row = by_code.get(code) or {}
        if row.get(value) is None:
            missing.append(code)
        else:
            shown.append((code, row[value], [name] + [row.get(key) for key, _label in hover_extra]))
    hover = "<b>%{customdata[0]}</b><br>" + label + ": %{z:,.0f}"
    for index, (_key, extra_label) in enumerate(hover_extra, start=1):
        hover += f"<br>{extra_label}: %{{customdata[{index}]:,.0f}}"
    traces = [
        go.Choropleth(
            geojson=geojson_url,
            featureidkey="properties.code",
            locations=[code for code, _v, _c in shown],
            z=[v for _code, v, _c in shown],
            customdata=[c for _code, _v, c in shown],
            hovertemplate=hover + "<extra></extra>",
            colorscale=MAP_SCALE,
            marker={
                "line": {
                    "color": ["#ffbf47" if code == highlight else "#ffffff" for code, _v, _c in shown],
                    "width": [3 if code == highlight else 0.8 for code, _v, _c in shown],
                }
            },
            # Below the map, across it: on a phone a side bar would take a third of the width.
            colorbar={
                "title": {"text": label, "side": "top"},
                "orientation": "h",
                "x": 0.5,
                "xanchor": "center",
                "y": 0,
                "yanchor": "top",
                "len": 0.9,
                "thickness": 10,
                "tickformat": ",",
                "nticks": 5,
            },
            name=label,
        )
    ]
    if missing:
        traces.append(
            go.Choropleth(
                geojson=geojson_url,
                featureidkey="properties.code",
                locations=missing,
                z=[0] * len(missing),
                customdata=[[codes[code]] for code in missing],
                hovertemplate="<b>%{customdata[0]}</b><br>" + _("No published figure") + "<extra></extra>",
                colorscale=[[0, "#d9d9d9"], [1, "#d9d9d9"]],
                showscale=False,
                marker={"line": {"color": "#ffffff", "width": 0.8}},
                name=_("No published figure"),
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        _layout(margin={"l": 0, "r": 0, "t": 0, "b": 70}, height=420, dragmode=False),
        geo={
            "visible": False,
            "fitbounds": "locations",
            "projection": {"type": "mercator"},
            "bgcolor": "rgba(0,0,0,0)",
        },
    )
    return figure


def trend(table, *, grain="day", value_label, average_label, labels=None, series_label=None):
    """Lines per visitor type (or per area), each with its moving average dashed in the same colour."""
    series = {}
    key = None
    if table and table.rows:
        first = table.rows[0]
        key = "visitor_type" if "visitor_type" in first else ("area_code" if "area_code" in first else None)
    for row in table.rows if table else []:
        if key == "visitor_type":
            sid = row["visitor_type"]
            name = (labels or {}).get(sid) or row.get("visitor_type_label") or sid
        elif key == "area_code":
            sid, name = row["area_code"], row.get("area_name") or row["area_code"]
        else:
            sid, name = "all", series_label or value_label
        entry = series.setdefault(sid, {"name": str(name), "x": [], "y": [], "ma": []})
        entry["x"].append(row["period"])
        entry["y"].append(row.get("visitors"))
        entry["ma"].append(row.get("moving_average"))
    order = {code: index for index, code in enumerate(VISITOR_COLOURS)}  # local, other, foreign
    series = dict(sorted(series.items(), key=lambda item: (order.get(item[0], len(order)), item[1]["name"])))
    traces = []
    # Numeric dates only: plotly.js ships English month and weekday names and no Korean locale.
    hover_date = {"day": "%Y.%m.%d", "week": "%Y.%m.%d", "month": "%Y.%m"}.get(grain, "%Y.%m.%d")
    for index, (sid, entry) in enumerate(series.items()):
        colour = VISITOR_COLOURS.get(sid, COLOURS[index % len(COLOURS)])
        traces.append(
            go.Scatter(
                x=entry["x"],
                y=entry["y"],
                name=entry["name"],
                mode="lines",
                line={"color": colour, "width": 1.2},
                opacity=0.55 if any(v is not None for v in entry["ma"]) else 1,
                hovertemplate=f"%{{x|{hover_date}}}<br>{entry['name']}: %{{y:,.0f}}<extra></extra>",
                legendgroup=sid,
                meta={"series": sid},
            )
        )
        if any(v is not None for v in entry["ma"]):
            traces.append(
                go.Scatter(
                    x=entry["x"],
                    y=entry["ma"],
                    name=f"{entry['name']} · {average_label}",
                    mode="lines",
                    line={"color": colour, "width": 2.6, "dash": "dash"},
                    hovertemplate=f"%{{x|{hover_date}}}<br>{average_label}: %{{y:,.0f}}<extra></extra>",
                    legendgroup=sid,
                    meta={"series": sid, "moving_average": True},
                )
            )
    figure = go.Figure(traces)
    figure.update_layout(
        _layout(height=360, hovermode="x unified"),
        xaxis=_axis(type="date", tickformat="%Y.%m"),
        yaxis=_axis(title={"text": value_label}, tickformat=",", rangemode="tozero"),
    )
    return figure


def bars(labels, values, *, value_label, colours=None, percent=None, horizontal=True, value_format=",.0f"):
    """A simple bar chart; ``percent`` (0-1 shares, same order) adds the share to each bar's text."""
    text = [f"{p * 100:.1f}%" if p is not None else "" for p in (percent or [None] * len(labels))]
    bar = go.Bar(
        x=values if horizontal else labels,
        y=labels if horizontal else values,
        orientation="h" if horizontal else "v",
        marker={"color": colours or COLOURS[0]},
        text=text if percent else None,
        textposition="auto",
        hovertemplate=("%{y}" if horizontal else "%{x}")
        + f"<br>{value_label}: %{{{'x' if horizontal else 'y'}:{value_format}}}<extra></extra>",
        name=value_label,
    )
    figure = go.Figure([bar])
    value_axis = _axis(title={"text": value_label}, tickformat=",", rangemode="tozero")
    label_axis = _axis(autorange="reversed") if horizontal else _axis()
    figure.update_layout(
        _layout(height=max(220, 44 * len(labels) + 80) if horizontal else 320, showlegend=False),
        xaxis=value_axis if horizontal else label_axis,
        yaxis=label_axis if horizontal else value_axis,
    )
    return figure


def paired_bars(labels, before, after, *, names, value_label):
    """Two bars per label (e.g. last month and this month), the later one in the accent colour."""
    figure = go.Figure(
        [
            go.Bar(
                y=labels,
                x=before,
                name=names[0],
                orientation="h",
                marker={"color": "#9aa5b1"},
                hovertemplate="%{y}<br>" + names[0] + ": %{x:,}<extra></extra>",
            ),
            go.Bar(
                y=labels,
                x=after,
                name=names[1],
                orientation="h",
                marker={"color": COLOURS[0]},
                hovertemplate="%{y}<br>" + names[1] + ": %{x:,}<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        _layout(height=max(260, 40 * len(labels) + 110), barmode="group", bargap=0.25),
        xaxis=_axis(title={"text": value_label}, tickformat=",", rangemode="tozero"),
        yaxis=_axis(autorange="reversed", type="category"),
    )
    return figure


def festival(series, *, festival_start, festival_end, visitors_label, control_label, phase_labels):
    """Daily visitors around a festival: the festival area by phase (before/during/after) and the comparison
    areas as a thin line, the festival days shaded."""
    rows = series.rows if series else []
    traces = []
    for phase in ("before", "during", "after"):
        points = [r for r in rows if r.get("phase") == phase]
        if not points:
            continue
        traces.append(
            go.Bar(
                x=[r["date"] for r in points],
                y=[r.get("visitors") for r in points],
                name=phase_labels[phase],
                marker={"color": PHASE_COLOURS[phase]},
                hovertemplate="%{x|%Y.%m.%d}<br>" + visitors_label + ": %{y:,.0f}<extra></extra>",
                meta={"phase": phase},
            )
        )
    if any(r.get("control_visitors") is not None for r in rows):
        traces.append(
            go.Scatter(
                x=[r["date"] for r in rows],
                y=[r.get("control_visitors") for r in rows],
                name=control_label,
                mode="lines",
                line={"color": "#1a1a1a", "width": 1.5, "dash": "dot"},
                yaxis="y2",
                hovertemplate="%{x|%Y.%m.%d}<br>" + control_label + ": %{y:,.0f}<extra></extra>",
            )
        )
    figure = go.Figure(traces)
    shapes = []
    if festival_start and festival_end:
        shapes.append(
            dict(
                type="rect",
                xref="x",
                yref="paper",
                # Bars are centred on midnight and a day wide: shade from half a day before the first.
                x0=f"{(festival_start - dt.timedelta(days=1)).isoformat()} 12:00",
                x1=f"{festival_end.isoformat()} 12:00",
                y0=0,
                y1=1,
                fillcolor="rgba(213, 94, 0, 0.08)",
                line={"width": 0},
                layer="below",
            )
        )
    figure.update_layout(
        _layout(height=380, barmode="overlay", bargap=0.15, shapes=shapes, hovermode="x unified"),
        xaxis=_axis(type="date", tickformat="%Y.%m"),
        yaxis=_axis(title={"text": visitors_label}, tickformat=",", rangemode="tozero"),
        yaxis2=_axis(
            title={"text": control_label},
            overlaying="y",
            side="right",
            tickformat=",",
            rangemode="tozero",
            showgrid=False,
        ),
    )
    return figure


def interval(rows, *, labels, axis_label):
    """Uplift estimates (percent) with their 95 % intervals as points with error bars, one per metric."""
    names, values, low, high = [], [], [], []
    for row in rows:
        if row.get("uplift_pct") is None:
            continue
        names.append(str(labels.get(row["metric"], row["metric"])))
        values.append(row["uplift_pct"])
        low.append(row["uplift_pct"] - row["ci_low_pct"] if row.get("ci_low_pct") is not None else 0)
        high.append(row["ci_high_pct"] - row["uplift_pct"] if row.get("ci_high_pct") is not None else 0)
    lo = min([0.0] + [v - m for v, m in zip(values, low, strict=True)])
    hi = max([0.0] + [v + p for v, p in zip(values, high, strict=True)])
    pad = max(2.0, (hi - lo) * 0.08)
    figure = go.Figure(
        [
            go.Scatter(
                x=values,
                y=names,
                mode="markers",
                marker={"size": 12, "color": COLOURS[1]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": high,
                    "arrayminus": low,
                    "thickness": 2,
                    "width": 8,
                },
                hovertemplate="%{y}: %{x:+.1f}%<extra></extra>",
                name=axis_label,
            )
        ]
    )
    figure.update_layout(
        _layout(
            height=max(160, 60 * len(names) + 80),
            showlegend=False,
            margin={"l": 90, "r": 16, "t": 8, "b": 48},
        ),
        # Zero (no effect) is always on the axis: whether an interval crosses it is the point of the chart.
        xaxis=_axis(
            title={"text": axis_label},
            ticksuffix="%",
            zeroline=True,
            zerolinewidth=2,
            zerolinecolor="#1a1a1a",
            range=[lo - pad, hi + pad],
        ),
        yaxis=_axis(type="category"),
    )
    return figure
