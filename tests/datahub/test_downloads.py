"""Downloads of a dataset version: CSV that Korean Excel opens (UTF-8 with BOM), JSON and Parquet, each with
the same rows as the upload; every download is counted as use of the dataset."""

import csv
import io
import json

import pyarrow.parquet as pq
import pytest

from dongne.datahub.models import DatasetUsage

from . import fixtures
from .fixtures import HEADER, csv_bytes, expected_values, make_dataset, visitor_rows

pytestmark = pytest.mark.django_db
datahub_dirs = fixtures.datahub_dirs  # autouse: the lake, uploads and exports in tmp_path
ingest = fixtures.ingest
ROWS = visitor_rows(75)


@pytest.fixture
def dataset(secretariat, ingest):
    dataset = make_dataset(secretariat)
    ingest(secretariat, dataset, csv_bytes(ROWS))
    return dataset


def download(client, dataset, fmt, **params):
    response = client.get(f"/data/{dataset.slug}/download.{fmt}", params)
    assert response.status_code == 200, fmt
    return response, b"".join(response.streaming_content)


def test_csv_has_a_bom_and_round_trips_korean(client, dataset):
    response, body = download(client, dataset, "csv")
    assert body.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"].startswith("text/csv")
    assert f"{dataset.slug}-v1.csv" in response["Content-Disposition"]
    records = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert records[0] == HEADER
    assert len(records) == len(ROWS) + 1
    expected = expected_values(ROWS)
    assert [dict(zip(HEADER, r, strict=True)) for r in records[1:3]] == [
        {k: str(v) for k, v in row.items()} for row in expected[:2]
    ]
    assert {r[2] for r in records[1:]} == {"신북읍", "효자1동", "근화동"}
    assert all(r[1].startswith("3201") and len(r[1]) == 10 for r in records[1:])  # codes stay text


def test_json_is_a_list_of_objects(client, dataset):
    response, body = download(client, dataset, "json")
    assert response["Content-Type"] == "application/json"
    data = json.loads(body)
    assert isinstance(data, list) and len(data) == len(ROWS)
    assert data[:5] == expected_values(ROWS[:5])


def test_parquet_reads_back_with_the_same_rows(client, dataset):
    _response, body = download(client, dataset, "parquet")
    table = pq.read_table(io.BytesIO(body))
    assert table.num_rows == len(ROWS)
    assert table.column_names == HEADER
    assert table.column("읍면동").to_pylist()[:3] == ["신북읍", "효자1동", "근화동"]
    assert sum(table.column("방문객수").to_pylist()) == sum(r["방문객수"] for r in expected_values(ROWS))


def test_an_unknown_format_or_version_is_not_found(client, dataset):
    assert client.get(f"/data/{dataset.slug}/download.xlsx").status_code == 404
    assert client.get(f"/data/{dataset.slug}/download.csv", {"version": "2"}).status_code == 404
    assert client.get(f"/data/{dataset.slug}/download.csv", {"version": "첫째"}).status_code == 404


def test_a_dataset_without_data_has_no_download(client, secretariat):
    empty = make_dataset(secretariat, slug="empty-data")
    assert client.get(f"/data/{empty.slug}/download.csv").status_code == 404
    page = client.get(f"/data/{empty.slug}/").content.decode()
    assert 'id="download-csv"' not in page


def test_downloads_and_api_calls_are_counted(client, dataset):
    for fmt in ("csv", "json", "parquet", "csv"):
        download(client, dataset, fmt)
    client.get(f"/api/v1/datahub/datasets/{dataset.slug}/rows", {"limit": 10})
    client.get(f"/api/v1/datahub/datasets/{dataset.slug}/rows", {"limit": 5, "offset": 70})
    usage = DatasetUsage.objects.get(dataset=dataset)
    assert (usage.downloads, usage.api_calls, usage.rows_served) == (4, 2, 15)
