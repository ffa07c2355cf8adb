"""``dongne ingest`` as the secretariat's IT person runs it: a file becomes a dataset version, with progress,
the row count and the column types printed; a broken file exits 2 naming the row."""

import pytest

from dongne.core.cli import main
from dongne.core.models import AuditEntry
from dongne.datahub.choices import JobStatus
from dongne.datahub.models import Dataset, IngestJob

from . import fixtures
from .fixtures import HEADER, csv_bytes, visitor_rows

pytestmark = pytest.mark.django_db
datahub_dirs = fixtures.datahub_dirs  # autouse: the lake, uploads and exports in tmp_path


@pytest.fixture
def visitors_csv(tmp_path):
    path = tmp_path / "춘천_방문객_2024.csv"
    path.write_bytes(csv_bytes(visitor_rows(150)))
    return path


def test_ingest_creates_the_dataset_and_prints_rows_and_types(capsys, secretariat, org, visitors_csv):
    code = main(
        [
            "ingest",
            str(visitors_csv),
            "--dataset",
            "chuncheon-visitors",
            "--title",
            "춘천 방문객",
            "--publisher",
            org.name,
            "--note",
            "최초 적재",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "chuncheon-visitors" in out  # "dataset created"
    assert "100%" in out  # progress was printed as the ingest went
    assert "v1" in out and "150" in out
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith("  ")}
    assert lines == {
        "일자": "date",
        "행정동코드": "text",
        "읍면동": "text",
        "업종": "text",
        "방문객수": "integer",
        "매출액": "integer",
    }
    dataset = Dataset.objects.get(slug="chuncheon-visitors")
    assert dataset.title == "춘천 방문객" and dataset.publisher == org
    assert dataset.created_by == secretariat
    version = dataset.current_version
    assert (version.number, version.rows, version.note) == (1, 150, "최초 적재")
    assert [c["name"] for c in version.columns] == HEADER
    assert AuditEntry.objects.get(action="datahub.version.published").actor == secretariat

    # Again into the same dataset: a second version, no second dataset.
    assert main(["ingest", str(visitors_csv), "--dataset", "chuncheon-visitors"]) == 0
    out = capsys.readouterr().out
    assert "v2" in out and "dataset created" not in out
    assert Dataset.objects.count() == 1
    assert Dataset.objects.get().current_version.number == 2


def test_a_broken_file_exits_2_naming_the_row(capsys, secretariat, tmp_path):
    lines = csv_bytes(visitor_rows(20)).decode("cp949").splitlines()
    lines[12] = lines[12].rsplit(",", 2)[0]  # line 13 lost its last two fields
    path = tmp_path / "깨진.csv"
    path.write_bytes("\r\n".join(lines).encode("cp949"))

    assert main(["ingest", str(path), "--dataset", "broken-data", "--title", "깨진 파일"]) == 2
    err = capsys.readouterr().err
    assert "row=13" in err
    job = IngestJob.objects.get()
    assert job.status == JobStatus.FAILED and job.error["code"] == "ragged_row"
    assert Dataset.objects.get(slug="broken-data").current_version is None


def test_a_missing_file_or_unknown_publisher_exits_with_a_message(capsys, secretariat, tmp_path):
    assert main(["ingest", str(tmp_path / "없는파일.csv"), "--dataset", "x-data"]) == 2
    assert "없는파일.csv" in capsys.readouterr().err
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(visitor_rows(3)))
    with pytest.raises(SystemExit) as info:
        main(["ingest", str(path), "--dataset", "x-data", "--publisher", "없는기관"])
    assert "없는기관" in str(info.value.code)
    assert not Dataset.objects.exists()


def test_ingest_needs_a_secretariat_account(capsys, tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(csv_bytes(visitor_rows(3)))
    with pytest.raises(SystemExit) as info:
        main(["ingest", str(path), "--dataset", "x-data"])
    assert "create-secretariat" in str(info.value.code)
    assert not Dataset.objects.exists()
