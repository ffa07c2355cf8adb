"""Demo data of the regional insights: the generated tables (``generate.generate()``, 2023-11 … 2026-10) registered
and published as datahub datasets, so the catalog, the CKAN API and SQL see them as well as the dashboards.

The tables are written as Parquet and go through the datahub's own ingest (``start_ingest`` →
``run_ingest_job``): Parquet keeps its declared types, so dates stay dates and area codes stay text.
"""

import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from dongne.core.regions import CHUNCHEON, sigungu
from dongne.datahub import services as datahub_services
from dongne.datahub.models import Dataset
from dongne.network.models import Organisation

from . import generate

# slug → title, English title, description, themes, frequency
ROW_LEVEL = {"insights-visitors", "insights-spending", "insights-reviews"}
CATALOG = {
    "insights-visitors": (
        "강원·춘천 일별 방문객 (현지인·외지인·외국인)",
        "Daily visitors in Gangwon and Chuncheon by visitor type",
        "춘천시 25개 읍면동과 강원도 18개 시군구의 일별 방문객 수를 현지인·외지인·외국인으로 나눈 자료입니다 "
        "(이동통신 기반 방문객 통계의 형태). 춘천시 행은 읍면동 합계에서 같은 날 여러 읍면동을 다녀간 사람을 한 번만 "
        "센 값입니다. 지역 인사이트 대시보드의 원천이며, 데모용으로 생성한 자료입니다.",
        ["tourism", "population"],
        "daily",
    ),
    "insights-spending": (
        "강원·춘천 업종별 일별 카드 소비액",
        "Daily card spending in Gangwon and Chuncheon by industry",
        "지역·업종(식음료, 숙박, 레저·스포츠, 쇼핑, 문화·관광, 운송)별 일별 카드 소비액(원)과 결제 건수. "
        "방문객 수와 연동되어 축제·휴일에 함께 움직입니다. 데모용으로 생성한 자료입니다.",
        ["commerce", "tourism"],
        "daily",
    ),
    "insights-attractions": (
        "춘천·강원 주요 관광지 (좌표 포함)",
        "Main attractions of Chuncheon and Gangwon, with coordinates",
        "남이섬, 소양강댐, 김유정문학촌, 레고랜드 코리아, 삼악산 호수케이블카, 공지천, 명동 닭갈비골목 등 관광지와 "
        "좌표(WGS84), 분류. TourAPI 관광지 목록이 같은 형태로 들어옵니다.",
        ["tourism", "leisure", "culture"],
        "yearly",
    ),
    "insights-festivals": (
        "춘천·강원 축제·행사 일정",
        "Festival and event calendar of Chuncheon and Gangwon",
        "춘천마임축제, 춘천인형극제, 춘천닭갈비막국수축제, 춘천마라톤, 화천산천어축제, 강릉단오제 등 축제의 "
        "기간·지역·장소. 축제 효과 분석(이중차분)의 기준이 됩니다.",
        ["culture", "tourism"],
        "yearly",
    ),
    "insights-reviews": (
        "춘천·강원 관광지 방문 후기",
        "Visitor reviews of attractions in Chuncheon and Gangwon",
        "관광지별 방문 후기(한국어)와 평점. 형태소 분석(kiwipiepy)으로 월별·지역별 키워드와 떠오르는 키워드를 "
        "찾는 데 씁니다. 데모용으로 생성한 문장입니다.",
        ["tourism", "culture"],
        "daily",
    ),
}


def load_insights_demo(actor, *, seed=2018):
    """Register and publish the insights datasets; those that already have data are left alone, so running it
    twice adds nothing. Returns the slugs published now."""
    missing = [
        slug
        for slug in CATALOG
        if not Dataset.objects.filter(slug=slug).exclude(current_version=None).exists()
    ]
    if not missing:
        return []
    data = generate.generate(generate.DEMO_START, generate.DEMO_END, seed=seed)
    publisher = Organisation.objects.filter(name="춘천시 정보통신과").first()
    published = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = generate.write_parquet(data, Path(tmp))
        for slug in missing:
            title, title_en, description, themes, frequency = CATALOG[slug]
            dataset = Dataset.objects.filter(slug=slug).first()
            if dataset is None:
                dataset = datahub_services.create_dataset(
                    actor=actor,
                    data={
                        "slug": slug,
                        "title": title,
                        "title_en": title_en,
                        "description": description,
                        "themes": themes,
                        "keywords": ["춘천", "강원", "관광", "지역 인사이트", "데모"],
                        "licence": "KOGL-1",
                        "spatial": [CHUNCHEON, *[c for c in sigungu() if c != CHUNCHEON]],
                        "frequency": frequency,
                        "publisher": publisher,
                        "temporal_start": generate.DEMO_START,
                        "temporal_end": generate.DEMO_END,
                        "contact_name": "춘천시 정보통신과",
                        "contact_email": "data@demo.dongne.kr",
                        "source_kind": "generated",
                        # Row-level counts can fall below the privacy threshold k: only members see the raw
                        # tables; the public sees the k-suppressed analyses built on them.
                        "visibility": "members" if slug in ROW_LEVEL else "public",
                    },
                )
            path = paths[slug]
            upload = SimpleUploadedFile(
                path.name, path.read_bytes(), content_type="application/vnd.apache.parquet"
            )
            job = datahub_services.start_ingest(
                actor=actor,
                dataset_id=dataset.pk,
                uploaded_file=upload,
                note=f"데모 데이터 (generate.py, seed {seed})",
            )
            # Ingest now rather than waiting for the queue consumer: the demo opens with data.
            datahub_services.run_ingest_job(actor=actor, job_id=job.pk)
            published.append(slug)
    return published
