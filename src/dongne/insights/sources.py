"""Real sources mapped into the insights schema: TourAPI list records → attractions and festivals.

The generated demo tables and these share one schema (docs/insights.md), so the analyses and dashboards do
not care where a row came from. Area codes go through a mapping (TourAPI 32/13 → KOSTAT 32010), never an
assumption that the numbering systems agree."""

import pyarrow as pa

from dongne.core.regions import sigungu_from_tourapi

ATTRACTIONS_SCHEMA = pa.schema(
    [
        ("attraction_id", pa.string()),
        ("name", pa.string()),
        ("area_code", pa.string()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("category", pa.string()),
    ]
)
FESTIVALS_SCHEMA = pa.schema(
    [
        ("festival_id", pa.string()),
        ("name", pa.string()),
        ("area_code", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("place", pa.string()),
    ]
)
# TourAPI content types (contenttypeid) as the attraction categories the dashboards show.
CONTENT_TYPES = {
    "12": "관광지",
    "14": "문화시설",
    "15": "축제·행사",
    "25": "여행코스",
    "28": "레포츠",
    "32": "숙박",
    "38": "쇼핑",
    "39": "음식점",
}


def attractions_from_tourapi(records):
    """TourAPI areaBasedList2/locationBasedList2 records (dicts from TourApiConnector.records) → attractions."""
    rows = []
    for r in records:
        area = sigungu_from_tourapi(r.get("areacode"), r.get("sigungucode"))
        if not area or r.get("latitude") is None or r.get("longitude") is None:
            continue  # outside Gangwon, or no coordinates to put on a map
        rows.append(
            {
                "attraction_id": f"tourapi-{r['contentid']}",
                "name": r.get("title") or "",
                "area_code": area,
                "latitude": r["latitude"],
                "longitude": r["longitude"],
                "category": CONTENT_TYPES.get(str(r.get("contenttypeid")), "관광지"),
            }
        )
    return pa.Table.from_pylist(rows, schema=ATTRACTIONS_SCHEMA)


def festivals_from_tourapi(records):
    """TourAPI searchFestival2 records → festivals (one row per event edition)."""
    rows = []
    for r in records:
        area = sigungu_from_tourapi(r.get("areacode"), r.get("sigungucode"))
        start, end = r.get("eventstartdate"), r.get("eventenddate")
        if not area or start is None:
            continue
        rows.append(
            {
                "festival_id": f"tourapi-{r['contentid']}-{start:%Y}",
                "name": r.get("title") or "",
                "area_code": area,
                "start_date": start,
                "end_date": end or start,
                "place": " ".join(p for p in (r.get("addr1"), r.get("addr2")) if p),
            }
        )
    return pa.Table.from_pylist(rows, schema=FESTIVALS_SCHEMA)
