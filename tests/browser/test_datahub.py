"""Journey: the secretariat registers a dataset, uploads a CP949 CSV saved by Korean Excel, follows the
ingest on the job page, opens the dataset with its Korean preview and queries it through the API."""

import csv
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from dongne.datahub.models import Dataset
from tests.datahub.fixtures import seed_themes

HEADER = ["일자", "행정동코드", "읍면동", "업종", "방문객수"]
TOWNS = [
    ("3201025000", "신북읍"),
    ("3201051000", "효자1동"),
    ("3201056000", "근화동"),
    ("3201031000", "동내면"),
]
ROWS = [
    [
        (dt.date(2024, 5, 1) + dt.timedelta(days=i // 4)).strftime("%Y.%m.%d"),
        TOWNS[i % 4][0],
        TOWNS[i % 4][1],
        ["식음료", "숙박", "레저·스포츠"][i % 3],
        str(150 + (i * 53) % 1000),
    ]
    for i in range(200)
]


@pytest.fixture(autouse=True)
def lake_dirs(settings, tmp_path, transactional_db):
    # The live server runs in a thread of this process, so it reads these settings too.
    settings.LAKE_ROOT = tmp_path / "lake"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path / "data"
    seed_themes()  # an earlier transactional test may have flushed them


@pytest.fixture
def visitors_csv(tmp_path):
    path = tmp_path / "춘천_읍면동_방문객.csv"
    with open(path, "w", encoding="cp949", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def test_upload_a_cp949_csv_and_query_it(page, new_page, secretariat, org, login, visitors_csv):
    login(page, secretariat)

    # Register the dataset (members only, so the API call below needs the logged-in session).
    page.goto("/data/")
    with page.expect_navigation():
        page.locator('main a[href="/data/new/"]').click()
    page.locator("#id_slug").fill("chuncheon-town-visitors")
    page.locator("#id_title").fill("춘천 읍면동 방문객 현황")
    page.locator("#id_description").fill("읍면동·업종별 일 방문객 수")
    page.locator("#id_publisher").select_option(str(org.pk))
    page.locator('input[name="themes"][value="tourism"]').check()
    page.locator("#id_keywords").fill("춘천, 방문객")
    page.locator("#id_visibility").select_option("members")
    with page.expect_navigation():
        page.locator("main form.narrow button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/data/chuncheon-town-visitors/$"))
    expect(page.locator("#preview")).to_have_count(0)  # no data yet

    # Upload the file on the dataset page; the ingest's job page shows the finished state.
    page.locator("#upload-form #id_file").set_input_files(visitors_csv)
    page.locator("#upload-form #id_note").fill("2024년 5월분")
    with page.expect_navigation():
        page.locator("#upload-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/data/jobs/\d+/$"))
    done = page.locator("#job-done")
    expect(done).to_be_visible()
    expect(page.locator("#job progress")).to_have_attribute("value", "100")
    expect(page.locator("#job-error")).to_have_count(0)

    with page.expect_navigation():
        done.locator('a[href="/data/chuncheon-town-visitors/"]').click()
    preview = page.locator("#preview")
    expect(preview).to_be_visible()
    expect(preview.locator("thead th")).to_have_text(HEADER)
    first = preview.locator("tbody tr").first.locator("td")
    expect(first).to_have_text(["2024-05-01", "3201025000", "신북읍", "식음료", "150"])
    expect(preview.locator("tbody")).to_contain_text("근화동")
    expect(page.locator("#row-count")).to_have_text(str(len(ROWS)))
    expect(page.locator("#profile tbody th")).to_have_text(HEADER)
    version = Dataset.objects.get(slug="chuncheon-town-visitors").current_version
    assert (version.rows, version.encoding, version.note) == (len(ROWS), "cp949", "2024년 5월분")

    # Query it with the browser's session: rows of one town.
    response = page.request.get(
        "/api/v1/datahub/datasets/chuncheon-town-visitors/rows",
        params={"읍면동": "근화동", "sort": "-방문객수", "limit": "100"},
    )
    assert response.status == 200, response.text()
    body = response.json()
    expected = sorted((r for r in ROWS if r[2] == "근화동"), key=lambda r: -int(r[4]))
    assert body["total"] == len(expected) == 50
    assert [(r["읍면동"], r["행정동코드"], r["방문객수"]) for r in body["rows"]] == [
        (r[2], r[1], int(r[4])) for r in expected
    ]

    # Members only: a visitor who is not logged in finds nothing there.
    stranger = new_page()
    assert stranger.request.get("/api/v1/datahub/datasets/chuncheon-town-visitors/rows").status == 404
    stranger.goto("/data/")
    expect(stranger.locator('main a[href="/data/chuncheon-town-visitors/"]')).to_have_count(0)
