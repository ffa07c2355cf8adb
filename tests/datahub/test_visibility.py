"""Visibility is enforced on every path a dataset can be read through: the catalog (selector, page, API,
facets), the dataset page, the three downloads, rows, query and SQL.

Public data is open to everyone, members-only data to anyone logged in, private data to the publisher's
representatives and the officers. Whoever may not see a dataset gets what they would get for a dataset that
does not exist (404; ``unknown_table`` in SQL), so private datasets do not reveal themselves."""

import pytest

from dongne.core import services as core_services
from dongne.datahub import selectors
from dongne.datahub.models import DatasetUsage
from tests.factories import make_representative

from . import fixtures
from .fixtures import csv_bytes, make_dataset, visitor_rows

pytestmark = pytest.mark.django_db
datahub_dirs = fixtures.datahub_dirs  # autouse: the lake, uploads and exports in tmp_path
ingest = fixtures.ingest
API = "/api/v1/datahub"

VISIBLE = {
    "anonymous": {"public"},
    "other-member": {"public", "members"},
    "publisher": {"public", "members", "private"},
    "secretariat": {"public", "members", "private"},
}


@pytest.fixture
def published(secretariat, org, ingest):
    """One dataset per visibility, all published by ``org`` and holding data. Slugs are the visibility."""
    datasets = {}
    for visibility in ("public", "members", "private"):
        dataset = make_dataset(
            secretariat,
            slug=f"{visibility}-visitors",
            title=f"춘천 방문객 {visibility}",
            publisher=org,
            visibility=visibility,
        )
        ingest(secretariat, dataset, csv_bytes(visitor_rows(12)))
        datasets[visibility] = dataset
    return datasets


@pytest.fixture
def viewer(request, secretariat, rep, other_org, anonymous):
    return {
        "anonymous": anonymous,
        "other-member": make_representative(other_org),
        "publisher": rep,
        "secretariat": secretariat,
    }[request.param]


def as_viewer(client, user):
    """Log the browser session in and return the API headers of a personal token (none for the public)."""
    if not user.is_authenticated:
        return {}
    client.force_login(user)
    token = core_services.create_api_token(actor=user, name="분석 스크립트").raw_token
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


VIEWERS = list(VISIBLE)


@pytest.mark.parametrize("viewer", VIEWERS, indirect=True)
def test_catalog_lists_only_what_the_viewer_may_see(client, published, viewer, request):
    expected = {f"{v}-visitors" for v in VISIBLE[request.node.callspec.params["viewer"]]}
    headers = as_viewer(client, viewer)

    assert {d.slug for d in selectors.catalog(viewer)} == expected
    assert {d.slug for d in selectors.catalog(viewer, q="방문객")} == expected

    page = client.get("/data/").content.decode()
    search = client.get("/data/", {"q": "방문객"}).content.decode()
    for slug in (f"{v}-visitors" for v in ("public", "members", "private")):
        link = f'href="/data/{slug}/"'
        assert (link in page) == (slug in expected), slug
        assert (link in search) == (slug in expected), slug

    listed = client.get(f"{API}/datasets", **headers).json()
    assert {d["slug"] for d in listed["items"]} == expected and listed["count"] == len(expected)
    searched = client.get(f"{API}/datasets", {"q": "방문객"}, **headers).json()
    assert {d["slug"] for d in searched["items"]} == expected

    facets = client.get(f"{API}/facets", **headers).json()
    assert {f["theme__code"]: f["n"] for f in facets["theme"]} == {"tourism": len(expected)}
    assert [f["n"] for f in facets["publisher"]] == [len(expected)]


@pytest.mark.parametrize("visibility", ["public", "members", "private"])
@pytest.mark.parametrize("viewer", VIEWERS, indirect=True)
def test_every_read_path_follows_visibility(client, published, viewer, visibility, request):
    allowed = visibility in VISIBLE[request.node.callspec.params["viewer"]]
    dataset = published[visibility]
    slug = dataset.slug
    headers = as_viewer(client, viewer)
    status = 200 if allowed else 404

    page = client.get(f"/data/{slug}/")
    assert page.status_code == status, "dataset page"
    if not allowed:
        assert dataset.title.encode() not in page.content  # nothing about it leaks into the 404 page
    for fmt in ("csv", "json", "parquet"):
        assert client.get(f"/data/{slug}/download.{fmt}").status_code == status, fmt
        assert client.get(f"/data/{slug}/download.{fmt}?version=1").status_code == status, fmt

    assert client.get(f"{API}/datasets/{slug}", **headers).status_code == status, "detail"
    assert client.get(f"{API}/datasets/{slug}/versions", **headers).status_code == status, "versions"
    rows = client.get(f"{API}/datasets/{slug}/rows", {"읍면동": "신북읍"}, **headers)
    assert rows.status_code == status, "rows"
    query = client.post(
        f"{API}/datasets/{slug}/query",
        {"group_by": ["읍면동"], "aggregates": [{"func": "count"}]},
        content_type="application/json",
        **headers,
    )
    assert query.status_code == status, "query"
    if not allowed:
        for response in (rows, query):
            assert response.json()["code"] == "not_found"

    table = slug.replace("-", "_")
    sql = client.post(
        f"{API}/sql",
        {"sql": f"SELECT count(*) AS n FROM {table}"},
        content_type="application/json",
        **headers,
    )
    if allowed:
        assert sql.status_code == 200, sql.content
        assert sql.json()["rows"] == [{"n": 12}]
    else:
        assert sql.status_code == 400
        assert sql.json()["code"] == "unknown_table"
        assert table in str(sql.json()["errors"])

    usage = DatasetUsage.objects.filter(dataset=dataset).first()
    if allowed:
        assert (usage.downloads, usage.api_calls) == (6, 3)
    else:  # refused reads are not counted as use
        assert usage is None


@pytest.mark.parametrize("viewer", ["anonymous", "other-member"], indirect=True)
def test_sql_cannot_reach_a_hidden_dataset_through_a_visible_one(client, published, viewer):
    headers = as_viewer(client, viewer)
    response = client.post(
        f"{API}/sql",
        {"sql": "SELECT p.읍면동 FROM public_visitors p JOIN private_visitors q ON p.일자 = q.일자"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_table"
    assert "private_visitors" in str(response.json()["errors"])
