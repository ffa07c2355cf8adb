"""Chuncheon demo data for opportunities; called by `dongne demo` after the network and catalog demo.

Funding calls (some open, some closed, one 상시), regional needs posted by the local tourism businesses,
partner requests by members, consortia at several stages with outcomes, and a business model canvas.
Everything goes through the services. ``DEMO_LABELS`` is the evaluation set: for each demo opportunity,
the product themes that make a member relevant (bench/bench_opportunities.py).
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from dongne.network import services as network
from dongne.network.choices import MembershipStatus, OrganisationKind
from dongne.network.models import Organisation

from . import services
from .models import Opportunity

# Advisory institutions bring research and public-data capabilities to consortia.
ADVISOR_CAPABILITIES = {
    "강원대학교 산학협력단": ["자문", "산학협력", "데이터 분석", "인공지능 연구"],
    "한림대학교 산학협력단": ["자문", "산학협력", "UX 디자인", "영상 분석"],
    "한림성심대학교 산학협력단": ["자문", "산학협력", "임베디드"],
    "강원정보문화산업진흥원": ["자문", "산학협력", "공공데이터 API", "AR/VR"],
    "강원관광재단": ["자문", "관광 마케팅"],
}

# (title, body, organiser, ministry, days to deadline or "상시", field, regions, capabilities, industries,
#  budget, max company age, product themes that make a member relevant)
CALLS = [
    (
        "2026년 지역 디지털 관광 실증 사업",
        "관광객 빅데이터 분석과 숙박·레저 예약 통합, 모바일 앱 서비스를 실증할 지역 컨소시엄을 모집합니다. "
        "주관기관은 중소기업, 참여기관으로 대학·연구기관 참여 필수.",
        "한국관광공사",
        "문화체육관광부",
        21,
        "기술",
        ["강원"],
        ["데이터 분석", "예약 시스템", "모바일 앱", "산학협력"],
        [],
        "3억원",
        None,
        ["춘천 관광객 빅데이터 대시보드", "숙박 예약 통합 관리"],
    ),
    (
        "지역 SW 서비스 사업화 지원 (강원)",
        "<p>지역 SW 기업의 서비스 고도화와 <strong>클라우드 전환</strong>을 지원합니다.</p>",
        "정보통신산업진흥원",
        "과학기술정보통신부",
        40,
        "기술",
        ["강원"],
        ["클라우드", "공공데이터 API"],
        [],
        "2억원",
        None,
        ["지역 상권 분석 서비스", "춘천 관광객 빅데이터 대시보드"],
    ),
    (
        "인공지능 챗봇 기반 다국어 관광안내 실증",
        "외국인 관광객을 위한 다국어 인공지능 챗봇 관광 안내 서비스 실증. 영상 분석 연계 가점.",
        "강원정보문화산업진흥원",
        "강원특별자치도",
        6,
        "기술",
        ["강원"],
        ["챗봇", "인공지능 연구", "영상 분석"],
        ["인공지능"],
        "1억 5천만원",
        None,
        ["AI 관광 챗봇", "AR 문화유산 해설"],
    ),
    (
        "초기창업패키지 (창업 3년 이내)",
        "창업 3년 이내 기업의 사업화 자금과 멘토링을 지원합니다.",
        "창업진흥원",
        "중소벤처기업부",
        30,
        "창업",
        [],
        [],
        [],
        "1억원",
        3,
        [],
    ),
    (
        "스마트 축제 운영 지원사업",
        "축제장 방문객 실시간 집계 IoT 센서와 키오스크 발권, 드론 영상 콘텐츠를 지원합니다.",
        "춘천문화재단",
        "춘천시",
        1,
        "판로",
        ["춘천시"],
        ["임베디드", "키오스크", "영상 분석"],
        [],
        "8천만원",
        None,
        ["축제 방문객 실시간 집계", "레저 시설 키오스크", "드론 항공 촬영"],
    ),
    (
        "소상공인 스마트상점 기술보급",
        "음식점·상점의 스마트 주문과 결제 연동, 키오스크 도입을 지원합니다. 상시 접수.",
        "소상공인시장진흥공단",
        "중소벤처기업부",
        "상시",
        "내수",
        [],
        ["결제 연동", "키오스크"],
        [],
        "",
        None,
        ["닭갈비골목 스마트 주문", "레저 시설 키오스크"],
    ),
    (
        "스마트팜 데이터 수집 실증",
        "농가 환경 데이터 수집과 원격 제어 실증.",
        "강원도농업기술원",
        "농림축산식품부",
        -240,
        "기술",
        ["강원"],
        ["임베디드", "데이터 분석"],
        ["스마트팜"],
        "5천만원",
        None,
        ["스마트팜 모니터링"],
    ),
    (
        "서울 관광 스타트업 액셀러레이팅",
        "서울 소재 관광 스타트업 대상.",
        "서울관광재단",
        "서울특별시",
        15,
        "창업",
        ["서울"],
        ["모바일 앱"],
        [],
        "",
        None,
        [],
    ),
]

# (local business name, title, body, capabilities, product themes)
NEEDS = [
    (
        "명동닭갈비골목 상인회",
        "닭갈비골목 스마트 주문·결제와 외국인 관광객 안내",
        "골목 상점 40곳이 함께 쓸 모바일 주문·결제와 다국어 안내가 필요합니다.",
        ["결제 연동", "모바일 앱", "챗봇"],
        ["닭갈비골목 스마트 주문", "AI 관광 챗봇"],
    ),
    (
        "소양강 스카이워크 운영사",
        "축제 방문객 실시간 집계",
        "스카이워크와 주변 축제장의 방문객 수를 실시간으로 집계해 안전 관리와 홍보에 쓰고 싶습니다.",
        ["임베디드", "데이터 분석"],
        ["축제 방문객 실시간 집계", "춘천 관광객 빅데이터 대시보드"],
    ),
    (
        "춘천 호반 게스트하우스",
        "숙박 예약 통합",
        "여러 예약 채널의 객실 재고를 하나로 묶는 예약 시스템을 찾습니다.",
        ["예약 시스템", "결제 연동"],
        ["숙박 예약 통합 관리"],
    ),
    (
        "김유정문학촌 문화해설사회",
        "문학촌 AR 해설 콘텐츠",
        "방문객이 스마트폰으로 작품 속 장소를 증강현실로 보는 해설 콘텐츠가 필요합니다.",
        ["AR/VR", "모바일 앱"],
        ["AR 문화유산 해설"],
    ),
    (
        "삼악산 레저스포츠",
        "레저 체험 온라인 예약과 무인 발권",
        "카약·패들보드 체험의 온라인 예약과 현장 키오스크 발권.",
        ["예약 시스템", "키오스크"],
        ["레저 시설 키오스크", "숙박 예약 통합 관리"],
    ),
]

DEMO_LABELS = {title: themes for title, *_rest, themes in CALLS}
DEMO_LABELS.update({title: themes for _biz, title, _body, _caps, themes in NEEDS})


def relevant_members(title):
    """Active member ids whose products include a theme labelled relevant for the demo opportunity ``title``."""
    themes = DEMO_LABELS.get(title) or []
    if not themes:
        return set()
    return set(
        Organisation.objects.filter(
            kind=OrganisationKind.MEMBER_COMPANY,
            membership__status=MembershipStatus.ACTIVE,
            products__name__in=themes,
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def load_opportunities_demo(secretariat, *, seed=2018):
    """Create the opportunities demo once; return a list of short summary lines (empty when already present)."""
    if Opportunity.objects.filter(title=CALLS[0][0]).exists():
        return []
    rng = random.Random(seed)
    today = timezone.localdate()
    for name, caps in ADVISOR_CAPABILITIES.items():
        org = Organisation.objects.filter(name=name).first()
        if org is not None:
            network.update_organisation(
                actor=secretariat, organisation_id=org.pk, data={"capability_tags": caps}
            )

    calls = []
    for title, body, organiser, ministry, days, field, regions, caps, inds, budget, max_age, _themes in CALLS:
        deadline = "상시" if days == "상시" else today + dt.timedelta(days=days)
        starts = None if days == "상시" else min(today, deadline) - dt.timedelta(days=30)
        calls.append(
            services.create_opportunity(
                actor=secretariat,
                data={
                    "kind": "funding_call",
                    "title": title,
                    "body": body,
                    "organiser": organiser,
                    "ministry": ministry,
                    "starts_on": starts,
                    "deadline": deadline,
                    "support_field": field,
                    "regions": regions,
                    "capabilities": caps,
                    "industries": inds,
                    "budget": budget,
                    "max_company_age": max_age,
                    "source_url": "https://www.bizinfo.go.kr/",
                },
            )
        )
    needs = []
    for business, title, body, caps, _themes in NEEDS:
        org = Organisation.objects.filter(name=business).first()
        needs.append(
            services.create_opportunity(
                actor=secretariat,
                data={
                    "kind": "regional_need",
                    "title": title,
                    "body": body,
                    "organisation": org.pk if org else None,
                    "deadline": today + dt.timedelta(days=rng.randint(20, 60)),
                    "regions": ["춘천시"],
                    "capabilities": caps,
                },
            )
        )
    members = list(
        Organisation.objects.filter(
            kind=OrganisationKind.MEMBER_COMPANY, membership__status=MembershipStatus.ACTIVE
        ).order_by("pk")
    )
    requests = []
    for org, (title, caps) in zip(
        members[1:3],
        [
            ("AR 문화유산 해설 앱 공동 개발 파트너를 찾습니다", ["AR/VR", "UX 디자인"]),
            ("관광 데이터 대시보드 GIS 지도 연동 파트너", ["GIS 지도", "데이터 분석"]),
        ],
        strict=False,
    ):
        requests.append(
            services.create_opportunity(
                actor=secretariat,
                data={
                    "kind": "partner_request",
                    "title": title,
                    "organisation": org.pk,
                    "deadline": "상시",
                    "capabilities": caps,
                },
            )
        )

    # Consortia: a completed one with outcomes, a running one, and a draft for the open multi-capability call.
    from .consortia import suggest_teams

    made = []
    # The completed project answered last year's call; the running one the 상시 smart-shop call.
    for opp, stage in ((calls[6], "completed"), (calls[5], "running"), (calls[0], "draft")):
        _opp, teams = suggest_teams(secretariat, opp.pk)
        if not teams:
            continue
        team = teams[0]
        lead = team.members[0].organisation
        others = [m.organisation.pk for m in team.members[1:]]
        if not others:
            others = [m.pk for m in members if m.pk != lead.pk][:1]
        c = services.create_consortium(
            actor=secretariat,
            opportunity_id=opp.pk,
            lead_id=lead.pk,
            participant_ids=others,
            covers={m.organisation.pk: m.covers for m in team.members},
        )
        made.append(c)
        if stage == "draft":
            services.add_milestone(
                actor=secretariat,
                consortium_id=c.pk,
                title="사업계획서 초안",
                due_on=today + dt.timedelta(days=10),
            )
            continue
        # Submitted before the call's deadline (the completed one) or 90 days ago (the 상시 call).
        submitted = opp.deadline - dt.timedelta(days=5) if opp.deadline else today - dt.timedelta(days=90)
        services.submit_consortium(actor=secretariat, consortium_id=c.pk, on=submitted)
        services.decide_consortium(
            actor=secretariat,
            consortium_id=c.pk,
            selected=True,
            funding_won="1억 8천만원" if stage == "completed" else "7천만원",
            on=submitted + dt.timedelta(days=30),
        )
        services.start_consortium(actor=secretariat, consortium_id=c.pk, on=submitted + dt.timedelta(days=40))
        m1 = services.add_milestone(
            actor=secretariat, consortium_id=c.pk, title="협약 체결", due_on=submitted + dt.timedelta(days=45)
        )
        services.complete_milestone(
            actor=secretariat, milestone_id=m1.pk, on=submitted + dt.timedelta(days=44)
        )
        services.add_milestone(
            actor=secretariat,
            consortium_id=c.pk,
            title="중간 점검",
            due_on=submitted + dt.timedelta(days=120),
        )
        if stage == "completed":
            for ms in c.milestones.filter(done_on__isnull=True):
                services.complete_milestone(actor=secretariat, milestone_id=ms.pk, on=ms.due_on)
            services.complete_consortium(
                actor=secretariat, consortium_id=c.pk, jobs_created=4, on=submitted + dt.timedelta(days=180)
            )

    from dongne.datahub.models import Dataset

    datasets = list(Dataset.objects.order_by("pk").values_list("pk", flat=True)[:2])
    services.create_canvas(
        actor=secretariat,
        data={
            "title": "축제 방문객 실시간 집계 서비스",
            "opportunity": needs[1].pk,
            "key_partners": "소양강 스카이워크 운영사, 춘천문화재단, 강원대학교 산학협력단",
            "key_activities": "IoT 센서 설치, 방문객 데이터 집계·분석, 대시보드 운영",
            "key_resources": "센서 하드웨어, 관광 빅데이터 플랫폼, 지역 데이터셋",
            "value_propositions": "축제·관광지 운영자에게 실시간 방문객 수와 혼잡도",
            "customer_relationships": "연간 운영 계약, 축제 기간 현장 지원",
            "channels": "춘천시·문화재단 협력, 조합 공동 영업",
            "customer_segments": "축제 조직위, 관광지 운영사, 춘천시",
            "cost_structure": "센서 구매·설치, 클라우드 운영비, 인건비",
            "revenue_streams": "축제별 이용료, 연간 구독",
            "datasets": datasets,
            "insights_pages": ["festivals", "overview"],
        },
    )
    return [
        f"지원사업 공고 {len(calls)}건, 지역 수요 {len(needs)}건, 파트너 요청 {len(requests)}건, "
        f"컨소시엄 {len(made)}개 / opportunities demo loaded"
    ]
