"""The datahub pages through the test client: the catalog (Korean search, facets), the dataset page
(preview, profile, versions), registering and editing, uploads with their job page and its htmx fragment."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from dongne.core.models import AuditEntry
from dongne.datahub import lake_errors
from dongne.datahub.choices import JobStatus
from dongne.datahub.models import Dataset, IngestJob
from tests.factories import UserFactory, make_representative

from . import fixtures
from .fixtures import HEADER, csv_bytes, expected_values, make_dataset, visitor_rows

pytestmark = pytest.mark.django_db
datahub_dirs = fixtures.datahub_dirs  # autouse: the lake, uploads and exports in tmp_path
ingest = fixtures.ingest
ROWS = visitor_rows(60)


class _Tables(HTMLParser):
    """Cell texts of the table with a given id: [[header cells], [row cells], …]."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.depth, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(response, table_id):
    parser = _Tables(table_id)
    parser.feed(response.content.decode())
    assert parser.rows, f"no table #{table_id}"
    return parser.rows


def listed(response):
    return [d.slug for d in response.context["page"].object_list]


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def catalog_data(secretariat, org, other_org, ingest):
    visitors = make_dataset(secretariat, publisher=org, spatial=["32010"], description="읍면동별 일 방문객")
    ingest(secretariat, visitors, csv_bytes(ROWS))
    festivals = make_dataset(
        secretariat,
        slug="festivals",
        title="강릉 축제 일정",
        description="단오제와 커피축제",
        themes=["culture"],
        publisher=other_org,
        spatial=["32030"],
    )
    make_dataset(
        secretariat,
        slug="bus-stops",
        title="시내버스 정류장",
        description="정류장 위치와 노선",
        themes=["transport"],
        licence="CC0-1.0",
    )
    return visitors, festivals


# --- catalog -----------------------------------------------------------------------------------------------
def test_catalog_searches_in_korean(client, catalog_data):
    assert listed(client.get("/data/")) == ["festivals", "bus-stops", "chuncheon-visitors"]  # by title
    assert listed(client.get("/data/", {"q": "축제"})) == ["festivals"]
    assert listed(client.get("/data/", {"q": "커피"})) == ["festivals"]  # from the description
    assert listed(client.get("/data/", {"q": "방문객"})) == ["chuncheon-visitors"]
    assert listed(client.get("/data/", {"q": "매출액"})) == ["chuncheon-visitors"]  # a column of the data
    empty = client.get("/data/", {"q": "지하철"})
    assert listed(empty) == [] and b'class="empty"' in empty.content


def test_facet_links_filter_the_catalog(client, catalog_data, org):
    page = client.get("/data/").content.decode()
    for link in (
        'href="?theme=culture"',
        f'href="?publisher={org.pk}"',
        'href="?licence=CC0-1.0"',
        'href="?format=csv"',
    ):
        assert link in page
    for query, expected in [
        ("theme=culture", ["festivals"]),
        ("theme=tourism", ["chuncheon-visitors"]),
        (f"publisher={org.pk}", ["chuncheon-visitors"]),
        ("licence=CC0-1.0", ["bus-stops"]),
        ("format=csv", ["chuncheon-visitors"]),
        ("region=32030", ["festivals"]),
        ("theme=culture&q=방문객", []),
    ]:
        response = client.get(f"/data/?{query}")
        assert listed(response) == expected, query
    current = client.get("/data/?theme=culture").content.decode()
    assert re.search(r'href="\?theme=culture" aria-current="true"', current)


def test_only_those_who_may_publish_see_the_register_button(client, catalog_data, rep, partner_user):
    assert b'href="/data/new/"' not in client.get("/data/").content
    client.force_login(partner_user)
    assert b'href="/data/new/"' not in client.get("/data/").content
    client.force_login(rep)
    assert b'href="/data/new/"' in client.get("/data/").content


# --- dataset page ------------------------------------------------------------------------------------------
def test_dataset_page_shows_preview_profile_and_versions(client, secretariat, catalog_data, ingest):
    visitors, _ = catalog_data
    ingest(secretariat, visitors, csv_bytes(visitor_rows(90)), name="6월.csv", note="6월분 추가")
    response = client.get("/data/chuncheon-visitors/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta charset="utf-8">' in html
    assert re.search(r'id="row-count">90<', html)

    preview = table(response, "preview")
    assert preview[0] == HEADER
    first = expected_values(visitor_rows(90)[:2])
    assert preview[1:3] == [[str(v) for v in row.values()] for row in first]
    assert len(preview) == 51  # the stored first 50 rows

    profile = {row[0]: row[1:] for row in table(response, "profile")[1:]}
    assert list(profile) == HEADER
    assert profile["일자"][0] == "date" and profile["방문객수"][0] == "integer"
    assert profile["행정동코드"][0] == "text"
    assert profile["읍면동"][2] == "3"  # distinct values
    assert "신북읍 (30)" in profile["읍면동"][5]  # top values with their counts

    history = re.findall(r"<li>v(\d+) · .*?</li>", html, re.S)
    assert history == ["2", "1"]
    assert "6월분 추가" in html and "6월.csv" in html
    assert 'href="/data/chuncheon-visitors/download.csv?version=1"' in html


def test_a_dataset_without_data_says_so(client, catalog_data):
    response = client.get("/data/bus-stops/")
    assert response.status_code == 200
    assert b'id="preview"' not in response.content and b'class="empty"' in response.content


def test_an_unknown_dataset_is_not_found(client):
    assert client.get("/data/no-such-data/").status_code == 404


# --- registering and editing -------------------------------------------------------------------------------
def test_the_secretariat_registers_a_dataset_through_the_form(client, secretariat, org):
    client.force_login(secretariat)
    form = client.get("/data/new/")
    assert form.status_code == 200 and b'name="slug"' in form.content
    response = client.post(
        "/data/new/",
        {
            "slug": "parking-lots",
            "title": "춘천 공영주차장 현황",
            "publisher": org.pk,
            "themes": ["transport", "administration"],
            "keywords": "주차, 교통",
            "licence": "KOGL-1",
            "spatial": ["32010"],
            "temporal_start": "2024.01.01",
            "temporal_end": "2024.12.31",
            "frequency": "monthly",
            "visibility": "members",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/data/parking-lots/"
    dataset = Dataset.objects.get(slug="parking-lots")
    assert dataset.publisher == org and dataset.keywords == ["주차", "교통"]
    assert sorted(t.code for t in dataset.themes.all()) == ["administration", "transport"]
    assert dataset.visibility == "members" and dataset.spatial == ["32010"]
    assert AuditEntry.objects.filter(action="datahub.dataset.created", actor=secretariat).exists()


def test_the_form_shows_what_to_fix(client, secretariat, catalog_data):
    client.force_login(secretariat)
    response = client.post(
        "/data/new/",
        {
            "slug": "festivals",
            "title": "중복",
            "licence": "KOGL-1",
            "frequency": "yearly",
            "visibility": "public",
            "temporal_start": "2024.05.01",
            "temporal_end": "2024.04.01",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"slug", "temporal_end"}
    assert Dataset.objects.filter(slug="festivals").count() == 1


def test_a_representative_registers_for_their_own_organisation_only(client, rep, org, other_org):
    client.force_login(rep)
    form = client.get("/data/new/")
    assert list(form.context["form"].fields["publisher"].queryset) == [org]
    base = {"title": "봄내 관광 데이터", "licence": "KOGL-1", "frequency": "yearly", "visibility": "private"}
    refused = client.post("/data/new/", {**base, "slug": "not-ours", "publisher": other_org.pk})
    assert refused.status_code == 200 and "publisher" in refused.context["form"].errors
    accepted = client.post("/data/new/", {**base, "slug": "ours", "publisher": org.pk})
    assert accepted.status_code == 302
    assert list(Dataset.objects.values_list("slug", "publisher")) == [("ours", org.pk)]


def test_someone_who_represents_no_organisation_cannot_open_the_form(client, partner_user):
    client.force_login(partner_user)
    assert client.get("/data/new/").status_code == 403
    client.logout()
    assert client.get("/data/new/").status_code == 302  # to the login page


def test_the_publisher_edits_the_dataset(client, rep, catalog_data, other_org):
    client.force_login(rep)
    page = client.get("/data/chuncheon-visitors/edit/")
    assert page.status_code == 200 and page.context["form"]["title"].value() == "춘천 읍면동 방문객 통계"
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(
        title="춘천 읍면동 방문객 (통신 기반)",
        themes=["tourism", "population"],
        publisher=data["publisher"].pk,
    )
    response = client.post("/data/chuncheon-visitors/edit/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    dataset = Dataset.objects.get(slug="chuncheon-visitors")
    assert dataset.title == "춘천 읍면동 방문객 (통신 기반)"
    assert sorted(t.code for t in dataset.themes.all()) == ["population", "tourism"]
    assert dataset.current_version.number == 1  # metadata edits leave the data alone
    outsider = make_representative(other_org)
    client.force_login(outsider)
    assert client.get("/data/chuncheon-visitors/edit/").status_code == 403


# --- uploads and the job page ------------------------------------------------------------------------------
def upload(client, slug, data, name="방문객.csv", note=""):
    return client.post(
        f"/data/{slug}/upload/",
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "note": note},
        HTTP_REFERER=f"http://testserver/data/{slug}/",
    )


def test_upload_redirects_to_the_job_page_which_shows_the_result(
    client, rep, catalog_data, django_capture_on_commit_callbacks
):
    client.force_login(rep)
    page = client.get("/data/chuncheon-visitors/")
    assert b'id="upload-form"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "chuncheon-visitors", csv_bytes(visitor_rows(33)), note="7월분")
    job = IngestJob.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/data/jobs/{job.pk}/"

    full = client.get(response["Location"])
    assert full.status_code == 200 and b"<html" in full.content
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html and 'id="job"' in html
    assert f'data-status="{JobStatus.SUCCEEDED}"' in html
    assert 'id="job-done"' in html and 'value="100"' in html
    assert "hx-get" not in html  # a finished job stops polling
    assert 'href="/data/chuncheon-visitors/"' in html
    dataset = Dataset.objects.get(slug="chuncheon-visitors")
    assert (dataset.current_version.number, dataset.current_version.rows) == (2, 33)
    assert dataset.current_version.note == "7월분"


def test_a_queued_job_fragment_keeps_polling(client, secretariat, catalog_data):
    client.force_login(secretariat)
    response = upload(client, "chuncheon-visitors", csv_bytes(visitor_rows(5)))  # no commit: stays queued
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert f'data-status="{JobStatus.QUEUED}"' in fragment
    assert re.search(r'hx-get="/data/jobs/\d+/" hx-trigger="every 1s"', fragment)
    assert 'id="job-done"' not in fragment


def test_a_failed_upload_names_the_row_and_keeps_the_previous_version(
    client, secretariat, catalog_data, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    lines = csv_bytes(visitor_rows(10)).decode("cp949").splitlines()
    lines[7] += ",추가열"  # line 8 of the file
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "chuncheon-visitors", "\r\n".join(lines).encode("cp949"))
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert f'data-status="{JobStatus.FAILED}"' in fragment and "hx-get" not in fragment
    error = re.search(r'<div class="message error" role="alert" id="job-error">(.*?)</div>', fragment, re.S)
    assert error and re.search(r"\b8\b", error.group(1))
    page = client.get("/data/chuncheon-visitors/")
    assert page.context["version"].number == 1 and re.search(rb'id="row-count">60<', page.content)


def test_an_empty_upload_is_refused_with_a_message_that_says_so(client, secretariat, catalog_data):
    client.force_login(secretariat)
    response = upload(client, "chuncheon-visitors", b"")
    assert response.status_code == 302 and response["Location"].endswith("/data/chuncheon-visitors/")
    with translation.override("ko"):
        said = str(lake_errors.MESSAGES["empty_file"])
    assert said in client.get(response["Location"]).content.decode()  # shown on the dataset page
    assert (
        not IngestJob.objects.filter(dataset__slug="chuncheon-visitors").exclude(status="succeeded").exists()
    )
    # Without a file at all the form asks for one.
    missing = client.post("/data/chuncheon-visitors/upload/", {"note": "파일 없음"})
    assert missing.status_code == 302 and [level for level, _ in messages_of(missing)] == ["error"]
    assert said not in client.get(missing["Location"]).content.decode()


def test_another_publishers_representative_cannot_upload(client, catalog_data, other_org, datahub_dirs):
    outsider = make_representative(other_org)
    client.force_login(outsider)
    page = client.get("/data/chuncheon-visitors/")
    assert page.status_code == 200
    assert b'id="upload-form"' not in page.content and b"/upload/" not in page.content
    before = IngestJob.objects.count()
    response = upload(client, "chuncheon-visitors", csv_bytes(visitor_rows(5)))
    assert (
        response.status_code == 302 and response["Location"] == "http://testserver/data/chuncheon-visitors/"
    )
    assert [level for level, _ in messages_of(response)] == ["error"]
    assert IngestJob.objects.count() == before
    assert not any((datahub_dirs / "uploads").iterdir())
    assert Dataset.objects.get(slug="chuncheon-visitors").current_version.number == 1
    # Their own organisation's dataset is theirs to fill.
    assert b'id="upload-form"' in client.get("/data/festivals/").content


def test_the_job_page_is_for_those_who_may_add_versions(client, secretariat, rep, catalog_data, other_org):
    client.force_login(secretariat)
    job_url = upload(client, "chuncheon-visitors", csv_bytes(visitor_rows(5)))["Location"]
    client.force_login(rep)
    assert client.get(job_url).status_code == 200
    client.force_login(make_representative(other_org))
    assert client.get(job_url).status_code == 404
    client.force_login(UserFactory(role="partner"))
    assert client.get(job_url).status_code == 404
    client.logout()
    assert client.get(job_url).status_code == 302
