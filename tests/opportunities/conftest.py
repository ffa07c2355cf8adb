import pytest

from .factories import make_member


@pytest.fixture
def tourism_member(secretariat):
    return make_member(
        secretariat,
        name="봄내데이터랩",
        description="춘천 관광객 빅데이터 분석 플랫폼을 만듭니다. 축제 방문객 실시간 집계.",
        capability_tags=["데이터 분석", "GIS 지도"],
        industry_tags=["빅데이터"],
    )


@pytest.fixture
def app_member(secretariat):
    return make_member(
        secretariat,
        name="소양소프트",
        description="펜션 숙박 예약 모바일 앱과 결제 연동을 개발합니다.",
        capability_tags=["모바일 앱", "예약 시스템", "결제 연동"],
        industry_tags=["웹·앱 개발"],
    )
