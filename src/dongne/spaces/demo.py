"""Chuncheon demo data for spaces; called by `dongne demo` after the network and catalog demo.

A tenant complex in Chuncheon: one building with shared facilities on the ground floor and fifteen units
on floors 2–4; member companies in occupied units under multi-year leases (two of them in arrears), a signed
lease waiting for its move-in, a unit under maintenance, free units, a scoring rubric with applications
(ranked, two on the waiting list), and bookings of the meeting rooms — past ones for the statistics and
upcoming ones, including a weekly secretariat meeting. Everything is made through the services."""

import datetime as dt
import random

from django.utils import timezone

from dongne.network.models import Organisation

from . import selectors, services
from .models import Building

BUILDING = "춘천 ICT 협동조합 입주단지"

# (floor, code, type, area ㎡, desks, rent, maintenance fee, row, col)
UNITS = [
    (2, "201", "small_office", "19.8", 3, 220000, 45000, 1, 1),
    (2, "202", "small_office", "23.1", 4, 250000, 50000, 1, 2),
    (2, "203", "office", "39.6", 6, 420000, 80000, 1, 3),
    (2, "204", "office", "42.9", 8, 450000, 85000, 1, 4),
    (2, "205", "lab", "59.4", 6, 560000, 120000, 1, 5),
    (3, "301", "small_office", "19.8", 3, 220000, 45000, 1, 1),
    (3, "302", "office", "36.3", 6, 400000, 75000, 1, 2),
    (3, "303", "office", "42.9", 8, 450000, 85000, 1, 3),
    (3, "304", "office", "46.2", 9, 480000, 90000, 1, 4),
    (3, "305", "large_office", "79.2", 14, 780000, 150000, 1, 5),
    (4, "401", "small_office", "23.1", 4, 250000, 50000, 1, 1),
    (4, "402", "office", "39.6", 7, 420000, 80000, 1, 2),
    (4, "403", "large_office", "85.8", 16, 820000, 160000, 1, 3),
    (4, "404", "lab", "66.0", 6, 600000, 130000, 1, 4),
    (4, "405", "office", "42.9", 8, 450000, 85000, 1, 5),
]
OCCUPIED = ["201", "202", "203", "204", "205", "302", "303", "305", "401", "403"]
IN_ARREARS = {"204": 3, "401": 2}  # unit → months left unpaid
RESERVED = "402"
MAINTENANCE = "404"

FACILITIES = [
    ("대회의실", "meeting_room", 20, "09:00", "21:00", "012345", 240, "both", "빔프로젝터, 화상회의 장비"),
    ("소회의실 A", "meeting_room", 6, "09:00", "18:00", "01234", 120, "both", "화이트보드, 모니터"),
    ("소회의실 B", "meeting_room", 6, "09:00", "18:00", "01234", 120, "members", "화이트보드"),
    ("미디어 스튜디오", "studio", 4, "10:00", "20:00", "01234", 240, "both", "조명, 크로마키, 촬영 장비"),
    ("3D 프린터", "equipment", None, "09:00", "18:00", "01234", 480, "members", "FDM 프린터 2대"),
]
RUBRIC = [
    ("사업계획의 타당성", 30, 10),
    ("지역 산업(관광·문화·레저) 연계", 25, 10),
    ("고용 창출", 20, 10),
    ("조합 활동 참여", 15, 5),
    ("재무 건전성", 10, 5),
]


def _weekday_on_or_after(day, weekday):
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load_spaces_demo(secretariat, *, seed=2018):
    """Create the spaces demo once; return a list of short summary lines (empty when already present)."""
    if Building.objects.filter(name=BUILDING).exists():
        return []
    rng = random.Random(seed)
    today = timezone.localdate()
    members = [
        o
        for o in Organisation.objects.filter(kind="member_company")
        .select_related("membership")
        .order_by("pk")
        if selectors.active_member_company(o)
    ]
    if len(members) < 16:
        return []
    sec = secretariat
    building = services.create_building(
        actor=sec,
        name=BUILDING,
        address="강원특별자치도 춘천시 후석로 123",
        description="조합원사가 재심사 없이 오래 머무는 입주단지. 1층 공용시설, 2–4층 사무실·랩.",
    )
    floors = {
        n: services.create_floor(actor=sec, building_id=building.pk, number=n, name=f"{n}층")
        for n in (1, 2, 3, 4)
    }
    facilities = {}
    for name, kind, capacity, opens, closes, weekdays, max_minutes, audience, description in FACILITIES:
        facilities[name] = services.create_facility(
            actor=sec,
            building_id=building.pk,
            data={
                "name": name,
                "kind": kind,
                "capacity": capacity,
                "opens_at": opens,
                "closes_at": closes,
                "weekdays": weekdays,
                "max_minutes": max_minutes,
                "audience": audience,
                "description": description,
            },
        )
    units = {}
    for floor, code, unit_type, area, desks, rent, fee, row, col in UNITS:
        units[code] = services.create_unit(
            actor=sec,
            floor_id=floors[floor].pk,
            data={
                "code": code,
                "unit_type": unit_type,
                "area_m2": area,
                "desks": desks,
                "monthly_rent": rent,
                "maintenance_fee": fee,
                "amenities": ["냉난방", "유무선 인터넷", "출입 보안"]
                + (["싱크대"] if unit_type == "lab" else []),
                "plan_row": row,
                "plan_col": col,
            },
        )
    rubric = services.set_rubric(
        actor=sec,
        title="입주기업 선정 심사 기준",
        criteria=[{"name": n, "weight": w, "max_score": m} for n, w, m in RUBRIC],
    )

    # Tenants: the first member (whose representative logs in as rep@demo.dongne.kr) and nine more.
    tenants = members[:10]
    leases = []
    for index, code in enumerate(OCCUPIED):
        org = tenants[index]
        starts = (today - dt.timedelta(days=rng.randint(200, 900))).replace(day=1)
        lease = services.sign_lease(
            actor=sec,
            unit_id=units[code].pk,
            organisation_id=org.pk,
            starts_on=starts,
            years=rng.choice([3, 4, 5]),
        )
        services.record_move_in(
            actor=sec,
            lease_id=lease.pk,
            on=starts,
            notes=rng.choice(
                ["양호", "벽면 긁힘 1곳, 블라인드 교체 필요", "바닥 얼룩 소량", "양호 (에어컨 점검 완료)"]
            ),
        )
        unpaid = IN_ARREARS.get(code, 0)
        due = list(lease.charges.filter(due_on__lt=today).order_by("month"))
        for charge in due[: len(due) - unpaid] if unpaid else due:
            services.record_payment(
                actor=sec,
                charge_id=charge.pk,
                amount=charge.amount,
                paid_on=charge.due_on - dt.timedelta(days=rng.randint(0, 5)),
                reference="계좌이체",
            )
        if code not in IN_ARREARS:
            services.report_activity(
                actor=sec,
                organisation_id=org.pk,
                year=today.year - 1,
                summary="입주 후 신규 고용과 지역 관광 기업과의 공동 프로젝트 수행",
                employees=rng.randint(4, 30),
                revenue=rng.randint(3, 40) * 100_000_000,
                on=dt.date(today.year, 1, 20),
            )
        leases.append(lease)

    # Applications: ranked, two approved onto the waiting list, one reserved unit.
    applicants = members[10:16]
    apps = []
    for org, unit_type in zip(
        applicants, ["office", "office", "office", "small_office", "lab", "office"], strict=True
    ):
        apps.append(
            services.apply_for_tenancy(
                actor=sec,
                organisation_id=org.pk,
                unit_type=unit_type,
                desks_needed=rng.randint(3, 8),
                desired_start=today + dt.timedelta(days=rng.randint(30, 120)),
                business_plan="춘천 관광 데이터 기반 서비스 개발과 지역 인력 채용 계획",
                term_years=3,
            )
        )
    from dongne.core.models import User

    reviewers = [sec] + list(User.objects.filter(role__in=["chair", "director"]).order_by("pk")[:2])
    criteria = list(rubric.criteria.all())
    for application in apps[:5]:
        for reviewer in reviewers:
            services.score_application(
                actor=reviewer,
                application_id=application.pk,
                scores={c.pk: rng.randint(max(1, c.max_score // 2), c.max_score) for c in criteria},
            )
    for application in apps[:3]:
        services.decide_application(actor=sec, application_id=application.pk, approve=True, note="입주 적격")
    services.decide_application(
        actor=sec, application_id=apps[3].pk, approve=False, note="사업계획 보완 필요"
    )
    ranked = selectors.waiting_list("office")["office"]
    services.sign_lease(
        actor=sec,
        unit_id=units[RESERVED].pk,
        organisation_id=ranked[0].organisation_id,
        starts_on=(today + dt.timedelta(days=40)).replace(day=1),
        years=3,
        application_id=ranked[0].pk,
    )
    services.set_unit_availability(actor=sec, unit_id=units[MAINTENANCE].pk, available=False)

    # Bookings: past weeks (statistics) and the coming two weeks; a weekly secretariat meeting.
    bookings = 0
    rooms = [facilities["대회의실"], facilities["소회의실 A"], facilities["미디어 스튜디오"]]
    monday = _weekday_on_or_after(today - dt.timedelta(days=56), 0)
    last_day = today + dt.timedelta(days=14)
    day = monday
    while day <= last_day:
        if day.weekday() < 5:
            for room in rooms:
                for _n in range(rng.randint(0, 3)):
                    hour = rng.randint(room.opens_at.hour, room.closes_at.hour - 2)
                    length = rng.choice([60, 90, 120])
                    start = _at(day, hour, rng.choice([0, 30]))
                    end = start + dt.timedelta(minutes=length)
                    tenant = rng.choice(tenants)
                    try:
                        services.book_facility(
                            actor=sec,
                            facility_id=room.pk,
                            start=start,
                            end=end,
                            title=rng.choice(["고객 미팅", "팀 회의", "투자 설명회", "교육", "영상 촬영"]),
                            organisation_id=tenant.pk,
                            now=start - dt.timedelta(days=1),
                        )
                        bookings += 1
                    except Exception:  # an overlap or a rule the random slot broke: skip it, as a user would
                        continue
        day += dt.timedelta(days=1)
    next_monday = _weekday_on_or_after(today + dt.timedelta(days=1), 0)
    try:
        series = services.book_recurring(
            actor=sec,
            facility_id=facilities["소회의실 A"].pk,
            start=_at(next_monday, 9),
            end=_at(next_monday, 10),
            occurrences=8,
            title="사무국 주간회의",
        )
        bookings += series.occurrences
    except Exception:  # a random booking already holds one of the Mondays: the demo goes on without it
        pass
    arrears = sum(r["amount"] for r in selectors.arrears_by_tenant())
    occupied = sum(1 for u in UNITS if u[1] in OCCUPIED)
    return [
        f"입주단지: {BUILDING} — 호실 {len(UNITS)}개 (입주 {occupied}, 계약 대기 1, 보수 중 1), "
        f"임대차 {len(leases) + 1}건, 미납 {arrears:,}원, 공용시설 {len(FACILITIES)}곳, 예약 {bookings}건, "
        f"입주 신청 {len(apps)}건 / spaces demo loaded"
    ]
