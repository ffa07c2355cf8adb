"""Chuncheon demo data for programs; called by `dongne demo` after the network and catalog demo.

Everything is made through the services: past programs with attendance, certificates and feedback,
upcoming ones with registrations and a waiting list, knowledge articles and the online exhibition."""

import datetime as dt
import random

from django.utils import timezone

from dongne.network.demo import _user
from dongne.network.models import Affiliation, Membership, Organisation, Person

from . import selectors, services
from .models import Program

PARTICIPANTS = 24


def _at(days, hour):
    base = timezone.localtime().replace(hour=hour, minute=0, second=0, microsecond=0)
    return base + dt.timedelta(days=days)


def _sessions(days, *, hours=(14, 17), place="춘천 ICT 벤처센터 3층 교육장", speakers="", online=""):
    return [
        {
            "title": f"{n + 1}회차" if len(days) > 1 else "",
            "starts_at": _at(day, hours[0]),
            "ends_at": _at(day, hours[1]),
            "place": place,
            "online_url": online,
            "speakers": speakers,
        }
        for n, day in enumerate(days)
    ]


def _participants(rng):
    """Staff of member companies with logins (so participation counts per member)."""
    members = list(Organisation.objects.filter(membership__status="active").order_by("name")[:12])
    people = []
    for n in range(PARTICIPANTS):
        org = members[n % len(members)]
        name = f"{rng.choice('김이박최정강조윤장임')}{rng.choice(['민준', '서연', '도윤', '지우', '하준', '서윤', '예준', '지민'])}"
        user = _user(f"participant{n + 1}@demo.dongne.kr", name, "")
        person = Person.objects.create(name=name, email=user.email, user=user)
        Affiliation.objects.create(person=person, organisation=org, title="개발자")
        people.append(user)
    return people


def load_programs_demo(secretariat, *, seed=2018):
    """Create the programs demo once; return a list of short summary lines (empty when already present)."""
    if Program.objects.exists():
        return []
    rng = random.Random(seed)
    people = _participants(rng)
    partners = {
        o.name: o for o in Organisation.objects.filter(kind__in=["partner", "advisory", "university"])
    }
    design = partners.get("강원디자인진흥원")
    women = partners.get("춘천여성인력개발센터")
    cohosts = [o.pk for o in (design, women) if o is not None]
    members = list(Membership.objects.filter(status="active").select_related("organisation")[:8])
    lines = []

    # 1. A past course: four sessions, attendance, certificates and feedback.
    course = services.create_program(
        actor=secretariat,
        data={
            "kind": "course",
            "title": "공공데이터 활용 파이썬 데이터 분석 과정",
            "summary": "공공데이터포털 API와 pandas로 지역 관광 데이터를 분석하는 4주 과정",
            "description": "조합원사 개발자를 위한 실습 중심 과정입니다. 노트북을 지참해 주세요.",
            "audience": "조합원 기업 개발자·기획자",
            "capacity": 20,
            "completion_threshold": 75,
            "co_hosts": cohosts[1:],
            "status": "published",
        },
        sessions=_sessions([-60, -53, -46, -39], speakers="박데이터 (봄내데이터랩)"),
    )
    regs = [services.register(actor=p, program_id=course.pk) for p in people[:18]]
    sessions = list(course.sessions.order_by("starts_at"))
    for reg in regs:
        attended = rng.choice([4, 4, 4, 3, 3, 2])
        for session in sessions[:attended]:
            services.check_in(actor=secretariat, session_id=session.pk, registration_id=reg.pk, method="list")
    issued = services.issue_certificates(actor=secretariat, program_id=course.pk)
    for reg in regs[:12]:
        services.submit_feedback(
            actor=reg.user,
            registration_id=reg.pk,
            rating=rng.choice([4, 5, 5, 3]),
            usefulness=rng.choice([4, 5, 4]),
            comment=rng.choice(
                [
                    "실습 위주라 좋았습니다",
                    "API 키 발급 과정이 유익했습니다",
                    "",
                    "다음 심화 과정도 열어 주세요",
                ]
            ),
        )
    lines.append(f"과정 「{course.title}」: 신청 {len(regs)}명, 수료증 {len(issued)}장")

    # 2. A past policy forum with partner co-hosts.
    forum = services.create_program(
        actor=secretariat,
        data={
            "kind": "forum",
            "title": "춘천 디지털 전환 정책포럼",
            "summary": "지역 ICT 기업과 관광·문화 산업의 연계 정책을 논의합니다",
            "audience": "조합원, 협약기관, 춘천시 관계자, 시민",
            "capacity": 80,
            "completion_threshold": 100,
            "co_hosts": cohosts,
            "status": "published",
        },
        sessions=_sessions(
            [-25], hours=(15, 18), place="춘천시청 대회의실", speakers="김이사장, 강원디자인진흥원 관계자"
        ),
    )
    forum_regs = [services.register(actor=p, program_id=forum.pk) for p in people[6:20]]
    forum_session = forum.sessions.get()
    for reg in forum_regs[:11]:
        services.check_in(actor=secretariat, session_id=forum_session.pk, code=reg.code, method="code")
    services.issue_certificates(actor=secretariat, program_id=forum.pk)
    lines.append(f"정책포럼 「{forum.title}」: 참석 11명")

    # 3. An upcoming hybrid seminar with a registration question, organised by a member company.
    organiser = members[0].organisation if members else None
    seminar = services.create_program(
        actor=secretariat,
        data={
            "kind": "seminar",
            "title": "관광 빅데이터 분석 세미나",
            "summary": "춘천 관광객 이동 데이터로 본 체류형 관광의 가능성",
            "audience": "관광·문화·레저 사업자, 조합원",
            "capacity": 30,
            "organiser": organiser.pk if organiser else None,
            "status": "published",
            "registration_closes_at": _at(13, 18),
        },
        sessions=_sessions(
            [14],
            hours=(14, 16),
            place="춘천 ICT 벤처센터 세미나실",
            online="https://meet.dongne.kr/bigdata",
            speakers="최분석",
        ),
    )
    question = services.add_question(
        actor=secretariat, program_id=seminar.pk, text="관심 있는 관광 데이터", required=False
    )
    for p in people[:12]:
        services.register(
            actor=p,
            program_id=seminar.pk,
            answers={question.pk: rng.choice(["유동인구", "카드 소비", "숙박"])},
        )
    lines.append(f"세미나 「{seminar.title}」: 신청 12명 (정원 30)")

    # 4. An upcoming exhibition: full, with a waiting list and one open offer.
    expo = services.create_program(
        actor=secretariat,
        data={
            "kind": "exhibition",
            "title": "춘천 ICT 제품 전시회 2026",
            "summary": "조합원사 제품·서비스 전시와 상담회 (온라인 전시관 동시 운영)",
            "audience": "누구나",
            "capacity": 8,
            "requires_approval": True,
            "co_hosts": cohosts[:1],
            "status": "published",
        },
        sessions=_sessions([30, 31], hours=(10, 17), place="춘천 KT&G 상상마당 전시홀"),
    )
    expo_regs = [services.register(actor=p, program_id=expo.pk) for p in people[10:21]]
    for reg in expo_regs[:6]:
        services.approve_registration(actor=secretariat, registration_id=reg.pk)
    services.cancel_registration(actor=expo_regs[0].user, registration_id=expo_regs[0].pk)
    waiting = selectors.waitlist(expo).count()
    lines.append(f"전시회 「{expo.title}」: 정원 8 마감, 대기 {waiting}명, 자리 제안 1건")

    # Knowledge base.
    rep = get_rep()
    articles = [
        (
            "공공데이터포털 OpenAPI 인증키 오류 해결 노트",
            "SERVICE_KEY_IS_NOT_REGISTERED_ERROR가 날 때 확인할 것",
            "public",
            "공공데이터, API",
        ),
        (
            "TourAPI KorService2 전환 가이드",
            "오퍼레이션 이름 끝의 2와 mapx·mapy 좌표 순서",
            "public",
            "관광, TourAPI",
        ),
        (
            "CP949 CSV를 안전하게 읽는 법",
            "UTF-8 우선, 실패하면 CP949; 엑셀용 BOM",
            "members",
            "데이터, 인코딩",
        ),
        ("조합 공동 클라우드 계정 운영 초안", "비용 분담안 초안 (내부 검토용)", "draft", "클라우드"),
    ]
    author = rep or secretariat
    for title, summary, visibility, tags in articles:
        article = services.create_article(
            actor=author,
            data={
                "title": title,
                "summary": summary,
                "body": f"{summary}.\n\n자세한 절차와 예제 코드는 첨부를 참고하세요.",
                "visibility": visibility,
                "tags": tags,
            },
        )
        if visibility == "public":
            services.update_article(
                actor=author, article_id=article.pk, data={"body": article.body + "\n\n(2차 개정: 사례 추가)"}
            )
    lines.append(f"기술공유 글 {len(articles)}편")

    # Online exhibition: member products.
    categories = ["데이터·AI", "관광 서비스", "소프트웨어", "하드웨어"]
    count = 0
    for n, membership in enumerate(members):
        org = membership.organisation
        product = org.products.first()
        services.create_exhibit(
            actor=secretariat,
            organisation_id=org.pk,
            data={
                "title": product.name if product else f"{org.name} 솔루션",
                "category": categories[n % len(categories)],
                "description": (product.description if product and product.description else org.description)
                or "춘천 ICT 조합원사의 제품입니다.",
                "product": product.pk if product else None,
                "homepage": org.homepage,
            },
        )
        count += 1
    lines.append(f"온라인 전시관 출품 {count}건")
    return ["프로그램 데모 / programs demo: " + "; ".join(lines)]


def get_rep():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(email="rep@demo.dongne.kr").first()
