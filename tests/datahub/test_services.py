"""datahub services: registering datasets (validation, who may), editing (audited), and ingests that turn
an uploaded file into a published version — or leave the previous version exactly as it was."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dongne.core.errors import NotAuthenticated, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry
from dongne.datahub import selectors, services
from dongne.datahub.choices import JobStatus
from dongne.datahub.models import Dataset, DatasetVersion, IngestJob
from tests.factories import make_representative

from . import fixtures
from .fixtures import HEADER, csv_bytes, expected_values, make_dataset, visitor_rows

pytestmark = pytest.mark.django_db
datahub_dirs = fixtures.datahub_dirs  # autouse: the lake, uploads and exports in tmp_path
ingest = fixtures.ingest


def field_errors(info):
    return info.value.errors or {}


# --- registering ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "slug", ["Chuncheon visitors", "-visitors", "a", "방문객", "visitors_2024", "x" * 81]
)
def test_a_malformed_identifier_is_refused_on_the_slug_field(secretariat, slug):
    with pytest.raises(ValidationError) as info:
        make_dataset(secretariat, slug=slug)
    assert "slug" in field_errors(info)
    assert not Dataset.objects.exists()


def test_an_identifier_is_lower_cased_and_must_be_unique(secretariat):
    first = make_dataset(secretariat, slug="Chuncheon-Visitors")
    assert first.slug == "chuncheon-visitors"
    with pytest.raises(ValidationError) as info:
        make_dataset(secretariat, slug="chuncheon-visitors", title="다른 제목")
    assert list(field_errors(info)) == ["slug"]
    assert Dataset.objects.count() == 1


def test_unknown_theme_and_region_codes_are_named(secretariat):
    with pytest.raises(ValidationError) as info:
        make_dataset(secretariat, themes=["tourism", "astrology"], spatial=["32010", "99999"])
    errors = field_errors(info)
    assert "astrology" in errors["themes"][0] and "tourism" not in errors["themes"][0]
    assert "99999" in errors["spatial"][0] and "32010" not in errors["spatial"][0]
    assert not Dataset.objects.exists()


def test_temporal_coverage_cannot_end_before_it_starts(secretariat):
    with pytest.raises(ValidationError) as info:
        make_dataset(secretariat, temporal_start="2024.05.01", temporal_end="2024.04.30")
    assert list(field_errors(info)) == ["temporal_end"]
    dataset = make_dataset(secretariat, temporal_start="2024.05.01", temporal_end="20241231")
    assert (dataset.temporal_start.isoformat(), dataset.temporal_end.isoformat()) == (
        "2024-05-01",
        "2024-12-31",
    )


def test_a_title_is_required(secretariat):
    with pytest.raises(ValidationError) as info:
        make_dataset(secretariat, title="   ")
    assert "title" in field_errors(info)


def test_the_secretariat_registers_for_any_publisher(secretariat, org, other_org):
    for n, publisher in enumerate([org, other_org, None]):
        dataset = make_dataset(secretariat, slug=f"data-{n}", publisher=publisher)
        assert dataset.publisher == publisher
        assert dataset.created_by == secretariat
    entry = AuditEntry.objects.filter(action="datahub.dataset.created").first()
    assert entry.actor == secretariat and entry.data == {"slug": "data-2"}


def test_a_representative_registers_only_for_their_own_organisation(rep, org, other_org):
    own = make_dataset(rep, slug="own-data", publisher=org.pk)
    assert own.publisher == org
    with pytest.raises(PermissionDenied):
        make_dataset(rep, slug="their-data", publisher=other_org)
    with pytest.raises(PermissionDenied):
        make_dataset(rep, slug="nobodys-data")  # without a publisher only the secretariat may
    assert list(Dataset.objects.values_list("slug", flat=True)) == ["own-data"]


def test_partners_and_the_public_cannot_register(partner_user, anonymous, org):
    with pytest.raises(PermissionDenied):
        make_dataset(partner_user, publisher=org)
    with pytest.raises(NotAuthenticated):
        make_dataset(anonymous, publisher=org)
    assert not Dataset.objects.exists()


def test_editing_is_audited_and_reindexed(secretariat, rep, org, other_org):
    dataset = make_dataset(secretariat, publisher=org)
    services.update_dataset(actor=rep, dataset_id=dataset.pk, data={"title": "춘천 축제 관람객 통계"})
    dataset.refresh_from_db()
    assert dataset.title == "춘천 축제 관람객 통계"
    entry = AuditEntry.objects.get(action="datahub.dataset.updated")
    assert entry.actor == rep and entry.target_id == str(dataset.pk)
    assert entry.data["changes"]["title"] == ["춘천 읍면동 방문객 통계", "춘천 축제 관람객 통계"]
    assert [d.slug for d in selectors.catalog(None, q="관람객")] == [dataset.slug]

    outsider = make_representative(other_org)
    with pytest.raises(PermissionDenied):
        services.update_dataset(actor=outsider, dataset_id=dataset.pk, data={"title": "남의 데이터"})
    with pytest.raises(PermissionDenied):  # a representative cannot hand the dataset to another publisher
        services.update_dataset(actor=rep, dataset_id=dataset.pk, data={"publisher": other_org.pk})
    dataset.refresh_from_db()
    assert dataset.title == "춘천 축제 관람객 통계" and dataset.publisher == org
    assert AuditEntry.objects.filter(action="datahub.dataset.updated").count() == 1


# --- ingests ----------------------------------------------------------------------------------------------
def test_a_cp949_csv_becomes_version_one(secretariat, ingest, datahub_dirs):
    dataset = make_dataset(secretariat)
    assert list(selectors.catalog(None, q="업종")) == []  # a column name, searchable once the data is in
    rows = visitor_rows(120)
    job = ingest(secretariat, dataset, csv_bytes(rows), note="2024년 5월분")

    assert job.status == JobStatus.SUCCEEDED and job.error is None
    version = dataset.current_version
    assert version == job.version
    assert (version.number, version.rows, version.note) == (1, 120, "2024년 5월분")
    assert (version.source_name, version.source_format, version.encoding) == ("방문객.csv", "csv", "cp949")
    types = {c["name"]: c["type"] for c in version.columns}
    assert list(types) == HEADER
    assert types == {
        "일자": "date",
        "행정동코드": "text",
        "읍면동": "text",
        "업종": "text",
        "방문객수": "integer",
        "매출액": "integer",
    }
    # The page's preview and profile come from the version record, not from the files.
    assert version.preview[:3] == expected_values(rows[:3])
    assert len(version.preview) == 50
    profile = {p["name"]: p for p in version.profile}
    assert profile["읍면동"]["distinct"] == 3 and profile["읍면동"]["nulls"] == 0
    amounts = [r["매출액"] for r in expected_values(rows)]
    assert (profile["매출액"]["min"], profile["매출액"]["max"]) == (min(amounts), max(amounts))
    assert job.rows_done == 120 and job.percent == 100

    entry = AuditEntry.objects.get(action="datahub.version.published")
    assert entry.actor == secretariat and entry.data["version"] == 1 and entry.data["rows"] == 120
    assert AuditEntry.objects.filter(action="datahub.ingest.queued").count() == 1
    assert [d.slug for d in selectors.catalog(None, q="방문객")] == [dataset.slug]
    assert [d.slug for d in selectors.catalog(None, q="업종")] == [dataset.slug]
    assert not any((datahub_dirs / "uploads").iterdir())  # the uploaded copy is removed


def test_a_second_upload_becomes_version_two_and_version_one_stays(secretariat, ingest, client):
    dataset = make_dataset(secretariat)
    ingest(secretariat, dataset, csv_bytes(visitor_rows(30)), name="5월.csv")
    job = ingest(secretariat, dataset, csv_bytes(visitor_rows(45, factor=2)), name="6월.csv", note="6월 추가")
    assert job.version.number == 2 and dataset.current_version.rows == 45
    assert [(v.number, v.rows, v.source_name) for v in dataset.versions.all()] == [
        (2, 45, "6월.csv"),
        (1, 30, "5월.csv"),
    ]
    assert [v.number for v in services.lake_store().versions(dataset.slug)] == [1, 2]

    old = client.get(f"/data/{dataset.slug}/download.csv?version=1")
    new = client.get(f"/data/{dataset.slug}/download.csv")
    assert old.status_code == new.status_code == 200
    assert len(b"".join(old.streaming_content).decode("utf-8-sig").splitlines()) == 31
    assert len(b"".join(new.streaming_content).decode("utf-8-sig").splitlines()) == 46
    assert client.get(f"/data/{dataset.slug}/download.csv?version=3").status_code == 404


def ragged():
    lines = csv_bytes(visitor_rows(5)).decode("cp949").splitlines()
    lines.insert(4, lines[3] + ",남는값")  # line 5 of the file (the header is line 1)
    return "\r\n".join(lines).encode("cp949")


BAD_FILES = {
    "ragged_row": (ragged, 5),
    "no_rows": (lambda: ",".join(HEADER).encode("cp949") + b"\r\n", None),
    "bad_encoding": (lambda: csv_bytes(visitor_rows(3)) + b"2024.05.09,\x80\xff\x80,x,y,1,2\r\n", 5),
}


@pytest.mark.parametrize("code", list(BAD_FILES))
def test_a_bad_file_fails_the_job_and_leaves_the_previous_version(secretariat, ingest, code):
    dataset = make_dataset(secretariat)
    first = ingest(secretariat, dataset, csv_bytes(visitor_rows(20))).version
    make, row = BAD_FILES[code]

    job = ingest(secretariat, dataset, make(), name="깨진파일.csv")

    assert job.status == JobStatus.FAILED and job.version is None and job.finished_at
    assert job.error["code"] == code
    assert job.error["message"] and job.error["detail"]
    if row is not None:
        assert job.error["row"] == row
    assert dataset.current_version == first
    assert DatasetVersion.objects.filter(dataset=dataset).count() == 1
    lake = services.lake_store()
    assert [v.number for v in lake.versions(dataset.slug)] == [1]
    assert [p.name for p in lake.dataset_dir(dataset.slug).iterdir()] == ["v000001"]  # no staging left
    failed = AuditEntry.objects.get(action="datahub.ingest.failed")
    assert failed.data["error"]["code"] == code
    # The data still answers from version 1.
    assert selectors.lake_version(dataset).number == 1


def test_a_zero_byte_file_is_refused_before_anything_is_stored(secretariat, ingest, datahub_dirs):
    dataset = make_dataset(secretariat)
    ingest(secretariat, dataset, csv_bytes(visitor_rows(20)))
    with pytest.raises(ValidationError) as info:
        services.start_ingest(
            actor=secretariat, dataset_id=dataset.pk, uploaded_file=SimpleUploadedFile("빈파일.csv", b"")
        )
    assert info.value.code == "empty_file" and "file" in info.value.errors
    assert IngestJob.objects.count() == 1
    assert not any((datahub_dirs / "uploads").iterdir())
    dataset.refresh_from_db()
    assert dataset.current_version.number == 1


def test_only_the_publisher_and_the_secretariat_add_versions(secretariat, org, other_org, rep, datahub_dirs):
    dataset = make_dataset(secretariat, publisher=org)
    outsider = make_representative(other_org)
    upload = SimpleUploadedFile("방문객.csv", csv_bytes(visitor_rows(5)))
    with pytest.raises(PermissionDenied):
        services.start_ingest(actor=outsider, dataset_id=dataset.pk, uploaded_file=upload)
    assert not IngestJob.objects.exists()
    assert not (datahub_dirs / "uploads").exists() or not any((datahub_dirs / "uploads").iterdir())
    job = services.start_ingest(actor=rep, dataset_id=dataset.pk, uploaded_file=upload)
    assert job.created_by == rep and job.status == JobStatus.QUEUED


def test_a_job_delivered_twice_runs_once(secretariat):
    dataset = make_dataset(secretariat)
    # Outside a commit the queued task does not fire; the "queue" delivers the job by hand, twice.
    job = services.start_ingest(
        actor=secretariat,
        dataset_id=dataset.pk,
        uploaded_file=SimpleUploadedFile("방문객.csv", csv_bytes(visitor_rows(10))),
    )
    assert job.status == JobStatus.QUEUED
    first = services.run_ingest_job(actor=secretariat, job_id=job.pk)
    second = services.run_ingest_job(actor=secretariat, job_id=job.pk)
    assert first.status == second.status == JobStatus.SUCCEEDED
    assert second.version == first.version
    assert DatasetVersion.objects.filter(dataset=dataset).count() == 1
    assert [v.number for v in services.lake_store().versions(dataset.slug)] == [1]
    assert AuditEntry.objects.filter(action="datahub.version.published").count() == 1


def test_the_identifier_is_fixed_once_data_is_published(secretariat, ingest, client):
    dataset = make_dataset(secretariat)
    services.update_dataset(actor=secretariat, dataset_id=dataset.pk, data={"slug": "visitors-2024"})
    dataset.refresh_from_db()
    assert dataset.slug == "visitors-2024"  # free to change while there is no data
    ingest(secretariat, dataset, csv_bytes(visitor_rows(10)))
    # The data lives under the identifier (lake folder, API URLs, SQL table name): renaming would orphan it.
    with pytest.raises(ValidationError) as info:
        services.update_dataset(actor=secretariat, dataset_id=dataset.pk, data={"slug": "visitors-new"})
    assert list(field_errors(info)) == ["slug"]
    services.update_dataset(
        actor=secretariat, dataset_id=dataset.pk, data={"slug": "visitors-2024", "title": "새 제목"}
    )
    dataset.refresh_from_db()
    assert (dataset.slug, dataset.title) == ("visitors-2024", "새 제목")
    assert client.get("/data/visitors-2024/download.csv").status_code == 200
    assert client.get("/api/v1/datahub/datasets/visitors-2024/rows").json()["total"] == 10
