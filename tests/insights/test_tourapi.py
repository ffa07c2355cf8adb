"""Real sources into the insights schema: TourAPI (recorded answers served by a local HTTP server) fills the
attractions and festivals tables as new versions, with area codes mapped TourAPI 32/13 → KOSTAT 32010."""

import datetime as dt

import pytest

from dongne.core.regions import CHUNCHEON, sigungu, sigungu_from_tourapi
from dongne.datahub.choices import JobStatus
from dongne.datahub.models import Dataset
from dongne.insights import services, sources
from dongne.insights.generate import SLUGS
from tests.lake.test_connectors import KEY, api  # noqa: F401  (the recorded gateway fixture)


@pytest.fixture
def tourapi(api, settings):  # noqa: F811
    settings.TOURAPI_BASE_URL = api.url("ok")
    settings.TOURAPI_KEY = KEY
    return api


def test_tourapi_sigungu_numbers_map_to_kostat_codes_by_name():
    assert sigungu_from_tourapi("32", "13") == CHUNCHEON
    assert sigungu_from_tourapi("32", "9") == "32020"  # 원주시
    mapped = {sigungu_from_tourapi("32", str(n)) for n in range(1, 19)}
    assert mapped == set(sigungu())  # all 18 Gangwon 시군구, each once
    assert sigungu_from_tourapi("1", "13") == ""  # Seoul's 13 is not Chuncheon


def test_records_become_attractions_and_festivals_in_the_insights_schema():
    records = [
        {
            "contentid": "125592",
            "title": "공지천유원지",
            "areacode": "32",
            "sigungucode": "13",
            "contenttypeid": "12",
            "latitude": 37.87,
            "longitude": 127.71,
        },
        {
            "contentid": "1",
            "title": "서울 어딘가",
            "areacode": "1",
            "sigungucode": "13",
            "contenttypeid": "12",
            "latitude": 37.5,
            "longitude": 127.0,
        },
    ]
    table = sources.attractions_from_tourapi(records)
    assert table.schema == sources.ATTRACTIONS_SCHEMA
    assert table.to_pylist() == [
        {
            "attraction_id": "tourapi-125592",
            "name": "공지천유원지",
            "area_code": CHUNCHEON,
            "latitude": 37.87,
            "longitude": 127.71,
            "category": "관광지",
        }
    ]
    festivals = sources.festivals_from_tourapi(
        [
            {
                "contentid": "506545",
                "title": "춘천마임축제",
                "areacode": "32",
                "sigungucode": "13",
                "eventstartdate": dt.date(2025, 5, 25),
                "eventenddate": dt.date(2025, 6, 1),
                "addr1": "춘천시 영서로 2225",
            }
        ]
    )
    assert festivals.to_pylist()[0]["festival_id"] == "tourapi-506545-2025"
    assert festivals.to_pylist()[0]["area_code"] == CHUNCHEON


def test_refresh_publishes_new_versions_from_tourapi(tourapi, demo_datasets, secretariat):
    before = {
        slug: Dataset.objects.get(slug=slug).current_version.number
        for slug in (SLUGS["attractions"], SLUGS["festivals"])
    }
    jobs = services.refresh_from_tourapi(actor=secretariat, event_start=dt.date(2025, 1, 1))
    for slug, job in jobs.items():
        assert job.status == JobStatus.SUCCEEDED, job.error
        dataset = Dataset.objects.get(slug=slug)
        assert dataset.current_version.number == before[slug] + 1
    attractions = Dataset.objects.get(slug=SLUGS["attractions"]).current_version
    assert {c["name"]: c["type"] for c in attractions.columns}["latitude"] == "double"
    assert {row["name"] for row in attractions.preview} >= {"남이섬", "소양강댐"}
    assert all(row["area_code"] == CHUNCHEON for row in attractions.preview)


def test_a_refused_key_keeps_the_previous_tables(tourapi, demo_datasets, secretariat, settings):
    settings.TOURAPI_KEY = "not-registered"
    slug = SLUGS["festivals"]
    before = Dataset.objects.get(slug=slug).current_version.number
    jobs = services.refresh_from_tourapi(actor=secretariat)
    assert jobs[slug].status == JobStatus.FAILED
    assert jobs[slug].error["code"] == "key_not_registered"
    assert Dataset.objects.get(slug=slug).current_version.number == before


def test_only_publishers_or_the_secretariat_may_refresh(demo_datasets, partner_user):
    with pytest.raises(services.permissions.PermissionDenied):
        services.refresh_from_tourapi(actor=partner_user)
