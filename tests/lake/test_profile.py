"""Column profiles and previews: computed at ingest, stored with the version, JSON-safe."""

import datetime as dt
import json
import random

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dongne.lake.profile as profile_mod
from dongne.lake.ingest import ingest_batches, ingest_file
from dongne.lake.profile import json_safe, preview, profile
from dongne.lake.sqlutil import connect
from dongne.lake.store import Store

from .samples import TOURIST_CP949


@pytest.fixture
def parquet(tmp_path):
    path = tmp_path / "p.parquet"
    n = 1000
    pq.write_table(
        pa.table(
            {
                "업종": ["음식점"] * 500
                + ["카페"] * 300
                + ["약국"] * 150
                + ["서점"] * 40
                + ["문구"] * 8
                + ["꽃집", None],
                "id": list(range(n)),
                "매출": [float(i % 7) if i % 10 else None for i in range(n)],
                "일자": [dt.date(2024, 1, 1) + dt.timedelta(days=i % 30) for i in range(n)],
            }
        ),
        path,
    )
    return path


def columns(*pairs):
    return [{"name": n, "type": t} for n, t in pairs]


def test_profile_counts_nulls_distinct_range_and_top_values(parquet):
    with connect() as con:
        p = profile(
            con, [parquet], columns(("업종", "text"), ("id", "integer"), ("매출", "double"), ("일자", "date"))
        )
    kind, ids, sales, days = p
    assert (kind["nulls"], kind["distinct"], kind["min"], kind["max"]) == (1, 6, "꽃집", "카페")
    assert kind["top"] == [
        {"value": "음식점", "count": 500},
        {"value": "카페", "count": 300},
        {"value": "약국", "count": 150},
        {"value": "서점", "count": 40},
        {"value": "문구", "count": 8},
    ]
    assert (ids["nulls"], ids["min"], ids["max"], ids["top"]) == (0, 0, 999, [])  # unique: no top values
    assert abs(ids["distinct"] - 1000) < 50  # an estimate (HyperLogLog)
    assert (sales["nulls"], sales["min"], sales["max"]) == (100, 0.0, 6.0)
    assert (days["min"], days["max"]) == ("2024-01-01", "2024-01-30")  # JSON-safe dates
    json.dumps(p)


def test_top_values_are_skipped_beyond_the_group_limit(parquet, monkeypatch):
    monkeypatch.setattr(profile_mod, "TOP_GROUPS", 3)
    with connect() as con:
        (kind,) = profile(con, [parquet], columns(("업종", "text")))
    assert kind["top"] is None  # not computed, rather than a costly GROUP BY over millions of values


def test_preview_is_the_first_rows_in_file_order_and_json_safe(parquet):
    with connect() as con:
        rows = preview(con, [parquet], 3)
    assert rows == [
        {"업종": "음식점", "id": 0, "매출": None, "일자": "2024-01-01"},
        {"업종": "음식점", "id": 1, "매출": 1.0, "일자": "2024-01-02"},
        {"업종": "음식점", "id": 2, "매출": 2.0, "일자": "2024-01-03"},
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("nan"), None),
        (dt.datetime(2024, 5, 1, 10, 30), "2024-05-01T10:30:00"),
        (b"\x00\x01", "AAE="),
        ((1, "a"), [1, "a"]),
    ],
)
def test_json_safe(value, expected):
    assert json_safe(value) == expected


def test_ingest_stores_profile_and_preview_with_the_version(tmp_path):
    store = Store(tmp_path / "lake")
    v = ingest_file(store, "tour", TOURIST_CP949)
    stored = json.loads((v.path / "_version.json").read_text("utf-8"))
    assert stored["rows"] == 745 and len(stored["preview"]) == 50
    by_name = {p["name"]: p for p in stored["profile"]}
    assert by_name["관광지구분"]["top"] == [
        {"value": "관광지", "count": 727},
        {"value": "관광단지", "count": 18},
    ]
    assert by_name["위도"]["type"] == "double" and 33 < by_name["위도"]["min"] < by_name["위도"]["max"] < 39
    assert by_name["지정일자"]["min"] == "1760-01-01"
    assert by_name["소재지도로명주소"]["nulls"] == 77
    assert stored["columns"][0] == {
        "name": "관광지명",
        "type": "text",
        "sql_type": "VARCHAR",
        "source_type": "VARCHAR",
    }


def test_profile_of_nested_values_from_records(tmp_path):
    store = Store(tmp_path / "lake")
    batch = pa.record_batch({"tags": pa.array([["a"], ["b", "c"]]), "n": pa.array([1, 1])})
    v = ingest_batches(store, "nested", [batch])
    tags, n = v.profile
    assert tags == {"name": "tags", "type": "other", "nulls": 0}
    assert n["top"] == [{"value": 1, "count": 2}]


def test_top_values_of_a_many_valued_column_in_a_big_version_come_from_a_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(profile_mod, "TOP_SAMPLE_ROWS", 2000)
    monkeypatch.setattr(profile_mod, "TOP_EXACT_DISTINCT", 100)
    n = 20_000
    path = tmp_path / "big.parquet"
    names = ["봄내" if i % 10 < 3 else f"상호 {i % 3000}" for i in range(n)]  # one name in 30 % of rows
    pq.write_table(
        pa.table({"상호명": names, "업종": [["음식점", "카페"][i % 2] for i in range(n)]}),
        path,
        row_group_size=500,
    )
    with connect() as con:
        shops, kinds = profile(con, [path], columns(("상호명", "text"), ("업종", "text")))
    assert shops["top_sampled"] is True and shops["top"][0]["value"] == "봄내"
    assert abs(shops["top"][0]["count"] - 6000) <= 600  # estimated from about 2,000 rows, scaled
    assert (shops["nulls"], shops["min"], shops["max"]) == (0, "봄내", "상호 999")  # exact, from metadata
    assert "top_sampled" not in kinds and kinds["top"] == [  # few distinct values: exact
        {"value": "음식점", "count": 10_000},
        {"value": "카페", "count": 10_000},
    ]


def test_distinct_counts_of_a_big_version_are_estimated_from_the_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(profile_mod, "TOP_SAMPLE_ROWS", 2000)
    n, rng = 40_000, random.Random(7)
    path = tmp_path / "big.parquet"
    pq.write_table(
        pa.table(
            {
                "순번": list(range(n)),  # unique
                "업종": [["음식점", "카페", "숙박"][i % 3] for i in range(n)],  # saturated
                "상호": [
                    f"상호 {rng.randrange(5000)}" for _ in range(n)
                ],  # 5,000 values spread through the file
            }
        ),
        path,
        row_group_size=500,
    )
    with connect() as con:
        serial, kind, shop = profile(
            con, [path], columns(("순번", "integer"), ("업종", "text"), ("상호", "text"))
        )
    assert all(p["distinct_sampled"] for p in (serial, kind, shop))
    assert serial["distinct"] == n and serial["top"] == []
    assert kind["distinct"] == 3
    assert 4000 <= shop["distinct"] <= 6000, shop["distinct"]
    assert (serial["min"], serial["max"]) == (0, n - 1)  # still exact, from the metadata
