"""Fixtures of the CKAN and DCAT tests: a small catalog with one dataset per visibility, built through the
datahub services (create_dataset, then start_ingest of a Korean CSV, whose job runs inline).

    from . import ckan_fixtures
    ckan_catalog = ckan_fixtures.ckan_catalog  # pytest finds fixtures by module attribute
    lake_in_tmp = ckan_fixtures.lake_in_tmp  # autouse: the lake and uploads in tmp_path
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from dongne.core import services as core_services
from dongne.datahub import services
from dongne.datahub.models import Dataset, IngestJob

TOURISM_CSV = """관광지명,시군구,분류,방문객수,기준일
소양강스카이워크,춘천시,전망대,1234,2024-05-01
남이섬,춘천시,섬,5678,2024-05-01
김유정문학촌,춘천시,문학관,321,2024-05-02
레고랜드,춘천시,테마파크,4321,2024-05-02
강촌레일파크,춘천시,레저,987,2024-05-03
공지천유원지,춘천시,공원,654,2024-05-03
설악산국립공원,속초시,국립공원,8765,2024-05-01
속초해수욕장,속초시,해수욕장,2345,2024-05-02
경포해변,강릉시,해수욕장,7654,2024-05-01
오죽헌,강릉시,문화재,1111,2024-05-02
"""

COMMERCE_CSV = """상권명,업종,매출액,점포수
명동,식음료,"1,200,000원",42
명동,숙박,"800,000원",7
후평동,식음료,"450,000원",18
"""

SURVEY_CSV = """문항,응답수
만족,10
불만족,2
"""


def ingest(actor, dataset, text, name="data.csv"):
    """A version from ``text`` through the real path; the queued job runs when the upload's transaction
    commits (captured here for tests that run inside one transaction)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.start_ingest(
            actor=actor,
            dataset_id=dataset.pk,
            uploaded_file=SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv"),
        )
    job = IngestJob.objects.get(pk=job.pk)
    assert job.version_id, job.error
    dataset.refresh_from_db()
    return dataset


@dataclass
class Catalog:
    tourism: Dataset  # public, with data
    members: Dataset  # members only, published by org
    org_private: Dataset  # private to org (its representative sees it)
    other_private: Dataset  # private to other_org
    empty: Dataset  # public, no data yet

    @property
    def all(self):
        return [self.tourism, self.members, self.org_private, self.other_private, self.empty]


@pytest.fixture(autouse=True)
def lake_in_tmp(settings, tmp_path):
    settings.LAKE_ROOT = tmp_path / "lake"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path / "data"
    settings.SITE_URL = "https://data.dongne.test"
    return tmp_path


@pytest.fixture
def ckan_catalog(secretariat, org, other_org):
    def create(slug, **data):
        return services.create_dataset(actor=secretariat, data={"slug": slug, **data})

    tourism = create(
        "chuncheon-tourism",
        title="춘천 관광지 방문객 현황",
        title_en="Chuncheon tourist attraction visitors",
        description="강원 관광지별 일 방문객 수",
        description_en="Daily visitors per tourist attraction in Gangwon",
        publisher=org.pk,
        themes=["tourism", "leisure"],
        keywords=["관광", "방문객"],
        licence="KOGL-1",
        spatial=["32010"],
        temporal_start=dt.date(2024, 5, 1),
        temporal_end=dt.date(2024, 5, 31),
        frequency="monthly",
        contact_name="박데이터",
        contact_email="data@bomnae.test",
    )
    members = create(
        "members-commerce",
        title="상권 매출 (회원 전용)",
        description="명동 상권 업종별 매출",
        publisher=org.pk,
        themes=["commerce"],
        keywords=["상권", "매출"],
        licence="CC-BY-4.0",
        visibility="members",
    )
    org_private = create(
        "org-survey",
        title="봄내 내부 만족도 조사",
        publisher=org.pk,
        themes=["administration"],
        licence="KOGL-4",
        visibility="private",
    )
    other_private = create(
        "soyang-survey",
        title="소양 관광 내부 조사",
        description="관광 만족도",
        publisher=other_org.pk,
        themes=["tourism"],
        keywords=["관광"],
        visibility="private",
    )
    empty = create("empty-plan", title="준비 중인 교통 데이터", themes=["transport"], licence="CC0-1.0")
    ingest(secretariat, tourism, TOURISM_CSV, "관광지.csv")
    ingest(secretariat, members, COMMERCE_CSV, "상권.csv")
    ingest(secretariat, org_private, SURVEY_CSV)
    ingest(secretariat, other_private, SURVEY_CSV)
    return Catalog(tourism, members, org_private, other_private, empty)


def token_for(user):
    return core_services.create_api_token(actor=user, name="ckan").raw_token
