"""The insights demo: five datasets registered and published through the datahub, typed exactly, loaded once."""

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq

from dongne.datahub.models import Dataset
from dongne.insights import analyses, selectors
from dongne.insights.demo import CATALOG, load_insights_demo


def test_five_datasets_published_with_exact_types(demo_datasets):
    assert sorted(demo_datasets) == sorted(CATALOG)
    sources = selectors.current_sources()
    assert sorted(sources) == sorted(CATALOG)
    visitors = Dataset.objects.get(slug="insights-visitors")
    assert visitors.current_version.rows == 1096 * 43 * 3
    # Row-level counts may be below k: the raw table is for members; the public sees k-suppressed analyses.
    assert visitors.visibility == "members" and "tourism" in {t.code for t in visitors.themes.all()}
    assert visitors.temporal_start == dt.date(2023, 11, 1)
    schema = pq.read_schema(sources["insights-visitors"][0])
    assert schema.field("date").type == pa.date32()
    assert schema.field("area_code").type == pa.string()
    assert schema.field("visitors").type == pa.int64()
    festivals = pq.read_schema(sources["insights-festivals"][0])
    assert festivals.field("start_date").type == pa.date32()
    columns = {c["name"]: c["type"] for c in visitors.current_version.columns}
    assert columns["date"] == "date" and columns["area_code"] == "text"


def test_analyses_read_the_published_versions(demo_datasets, settings):
    settings.INSIGHTS_MIN_COUNT = 10
    table = analyses.festival_impact("mime-2025")
    assert table.rows[0]["uplift_pct"] > 0
    assert table.meta["k"] == 10


def test_loading_twice_adds_nothing(demo_datasets, secretariat):
    assert load_insights_demo(secretariat) == []
    assert Dataset.objects.filter(slug__startswith="insights-").count() == 5
