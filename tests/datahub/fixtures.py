"""Shared helpers of the datahub tests (imported by the test modules; there is no conftest.py here, so
that every module states what it uses).

    from . import fixtures
    from .fixtures import csv_bytes, make_dataset, visitor_rows

    datahub_dirs = fixtures.datahub_dirs  # pytest finds fixtures by module attribute
    ingest = fixtures.ingest

``datahub_dirs`` is autouse in every module that imports it: the lake, the upload folder and the export
cache live in the test's own tmp_path, so tests never see each other's files (nor another checkout's), and
the seeded themes are there even after a transactional test flushed the tables.
Datasets are registered through the service and their data ingested through the real path
(start_ingest → queued job → run_ingest_job), so audit, search and the lake are all real.
"""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dongne.datahub import services
from dongne.datahub.choices import THEMES
from dongne.datahub.models import IngestJob, Theme

# A daily visitors file the way a 시청 정보통신과 exports it from Korean Excel.
HEADER = ["일자", "행정동코드", "읍면동", "업종", "방문객수", "매출액"]
TOWNS = [("3201025000", "신북읍"), ("3201051000", "효자1동"), ("3201056000", "근화동")]
INDUSTRIES = ["식음료", "숙박", "레저"]


def visitor_rows(n=120, *, start=dt.date(2024, 5, 1), factor=1):
    """``n`` deterministic rows: dates as 2024.05.01, 행정동코드 as text, amounts written "1,234원"."""
    rows = []
    for i in range(n):
        code, town = TOWNS[i % len(TOWNS)]
        rows.append(
            [
                (start + dt.timedelta(days=i // 9)).strftime("%Y.%m.%d"),
                code,
                town,
                INDUSTRIES[(i // 3) % len(INDUSTRIES)],
                str((100 + (i * 37) % 900) * factor),
                f"{(i + 1) * 12_500 * factor:,}원",
            ]
        )
    return rows


def csv_bytes(rows, *, header=HEADER, encoding="cp949"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def expected_values(rows):
    """The rows as the lake types them: 방문객수 and 매출액 as integers, 일자 as an ISO date."""
    out = []
    for day, code, town, industry, visitors, amount in rows:
        out.append(
            {
                "일자": dt.datetime.strptime(day, "%Y.%m.%d").date().isoformat(),
                "행정동코드": code,
                "읍면동": town,
                "업종": industry,
                "방문객수": int(visitors),
                "매출액": int(amount.rstrip("원").replace(",", "")),
            }
        )
    return out


def make_dataset(actor, slug="chuncheon-visitors", **data):
    data.setdefault("title", "춘천 읍면동 방문객 통계")
    data.setdefault("description", "읍면동별 일 방문객과 매출액")
    data.setdefault("themes", ["tourism"])
    return services.create_dataset(actor=actor, data={"slug": slug, **data})


def seed_themes():
    """The themes migration 0002 seeds. A transactional test (live_server, browser) flushes every table
    when it ends, seeded rows included, so tests that rely on the themes put them back."""
    for code, name, name_en in THEMES:
        Theme.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})


@pytest.fixture(autouse=True)
def datahub_dirs(settings, tmp_path, db):
    settings.LAKE_ROOT = tmp_path / "lake"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path / "data"  # downloads are cached in DATA_DIR/exports
    seed_themes()
    return tmp_path


@pytest.fixture
def ingest(django_capture_on_commit_callbacks):
    """``ingest(actor, dataset, data, name=..., note=...)`` → the finished IngestJob.

    The upload is accepted by start_ingest; the queued task runs when the transaction commits (huey is
    immediate in tests), which the capture below makes happen inside the test's transaction."""

    def run(actor, dataset, data, *, name="방문객.csv", note=""):
        with django_capture_on_commit_callbacks(execute=True):
            job = services.start_ingest(
                actor=actor,
                dataset_id=dataset.pk,
                uploaded_file=SimpleUploadedFile(name, data, content_type="text/csv"),
                note=note,
            )
        job = IngestJob.objects.select_related("version", "dataset").get(pk=job.pk)
        dataset.refresh_from_db()
        return job

    return run
