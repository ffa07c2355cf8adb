"""Chuncheon demo data for governance; called by `dongne demo` after the network and catalog demo.

Everything is made through the services, so the demo obeys the Act like real use does: the 2019 assembly that
converted the cooperative into a social cooperative (a special resolution, 제29조①), an ordinary assembly every
year (제28조④) with outcomes computed by the rules engine, two board meetings a year, officers with terms and a
re-elected chair, a capital ledger that reconciles, members' impact figures and a published disclosure each year.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from dongne.core.choices import Role
from dongne.network.choices import MembershipStatus
from dongne.network.demo import DEMO_PASSWORD
from dongne.network.models import Membership, Person

from . import selectors, services
from .choices import MeetingKind
from .models import Meeting

COOP_NAME = "춘천 ICT기업사회적협동조합"
SHARE_PRICE = 50_000
CONVERSION_DAY = dt.date(2019, 4, 15)


def _at(day, hour=14):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def _user(secretariat, email, name, role):
    User = get_user_model()
    user = User.objects.filter(email=email).first()
    if user is None:
        from dongne.core import services as core_services

        user = core_services.create_user(
            actor=secretariat, email=email, name=name, role=role, password=DEMO_PASSWORD
        )
    return user


def _hold(
    secretariat, rng, *, kind, title, purpose, day, place, items, signers, presiding, counts=None, proxies=2
):
    """Convene (notice 14 days before), record attendance, decide every item, draft and sign the minutes."""
    meeting = services.schedule_meeting(
        actor=secretariat,
        kind=kind,
        title=title,
        purpose=purpose,
        scheduled_at=_at(day),
        place=place,
        items=items,
        notice_on=day - dt.timedelta(days=14 if kind != MeetingKind.BOARD else 5),
    )
    if kind == MeetingKind.BOARD:
        directors = [
            o.user
            for o in selectors.officers_on(day).filter(role__in=("chair", "director")).select_related("user")
        ]
        present = [u for u in directors if u == presiding or rng.random() < 0.8]
        for user in present:
            services.record_attendance(actor=secretariat, meeting_id=meeting.pk, user_id=user.pk)
        n = len(present)
    else:
        roll = [m.organisation for m in selectors.members_on(day).select_related("organisation")]
        must = {s[1].pk for s in signers}
        rng.shuffle(roll)
        attending = [o for o in roll if o.pk in must] + [o for o in roll if o.pk not in must][
            : int(len(roll) * 0.62)
        ]
        in_person = attending[: len(attending) - proxies]
        for org in in_person:
            services.record_attendance(actor=secretariat, meeting_id=meeting.pk, organisation_id=org.pk)
        holders = [o for o in in_person if o.pk not in must]
        for number, org in enumerate(attending[len(attending) - proxies :], start=1):
            services.record_attendance(
                actor=secretariat,
                meeting_id=meeting.pk,
                organisation_id=org.pk,
                proxy_kind="member",
                proxy_member_id=holders[number].pk,
                authority=f"위임장 {day.year}-{number:02d}",
            )
        n = len(attending)
    for index, item in enumerate(meeting.items.all()):
        share = (counts or {}).get(index)
        yes = int(n * share) if share is not None else n - rng.randint(0, n // 8)
        against = max(0, min(n - yes, rng.randint(0, 2)))
        services.record_resolution(
            actor=secretariat,
            item_id=item.pk,
            votes_for=yes,
            votes_against=against,
            votes_abstain=n - yes - against,
            presiding_id=presiding.pk,
        )
    minutes = services.draft_minutes(
        actor=secretariat, meeting_id=meeting.pk, signer_user_ids=[u.pk for u, _org in signers]
    )
    for signer in minutes.signers.select_related("user"):
        services.confirm_minutes(actor=signer.user, minutes_id=minutes.pk)
    return meeting


def load_governance_demo(secretariat, *, seed=2018):
    """Create the governance demo once; return a list of short summary lines (empty when already present)."""
    if Meeting.objects.exists():
        return []
    rng = random.Random(seed)
    today = timezone.localdate()
    services.update_cooperative(
        actor=secretariat,
        name=COOP_NAME,
        share_price=SHARE_PRICE,
        founded_on=dt.date(2018, 1, 15),
        converted_on=CONVERSION_DAY,
    )
    memberships = list(
        Membership.objects.filter(status=MembershipStatus.ACTIVE)
        .select_related("organisation")
        .order_by("activated_on", "id")
    )
    founders = [m.organisation for m in memberships if m.activated_on == CONVERSION_DAY]
    place = "춘천 ICT벤처센터 대회의실"

    # People: the chair, directors and auditor (logins from the network demo plus two more directors), and
    # three founders' representatives who sign assembly minutes (제30조).
    chair = _user(secretariat, "chair@demo.dongne.kr", "김이사장", Role.CHAIR)
    directors = [
        _user(secretariat, "director@demo.dongne.kr", "이이사", Role.DIRECTOR),
        _user(secretariat, "director2@demo.dongne.kr", "박이사", Role.DIRECTOR),
        _user(secretariat, "director3@demo.dongne.kr", "정이사", Role.DIRECTOR),
    ]
    auditor = _user(secretariat, "auditor@demo.dongne.kr", "최감사", Role.AUDITOR)
    signers = []
    for number, org in enumerate(founders[:4], start=1):
        person = Person.objects.filter(
            affiliations__organisation=org, affiliations__is_representative=True
        ).first()
        if person.user is None:
            person.user = _user(secretariat, f"rep{number}@demo.dongne.kr", person.name, Role.MEMBER_REP)
            person.save(update_fields=["user"])
        signers.append((person.user, org))
    voters = [user for user, _org in signers]
    signers = signers[1:4]  # three founders' representatives sign the assembly minutes

    # Capital: founders subscribe together at the conversion, later members when they join (제22조 cap holds).
    services.subscribe_capital(
        actor=secretariat, subscriptions=[(o.pk, 20) for o in founders], on=CONVERSION_DAY
    )
    for org in founders:
        services.record_payment(
            actor=secretariat, organisation_id=org.pk, amount=20 * SHARE_PRICE, on=CONVERSION_DAY
        )
    for m in memberships:
        if m.organisation in founders:
            continue
        shares = rng.choice([4, 6, 10])
        services.subscribe_capital(
            actor=secretariat, subscriptions=[(m.organisation_id, shares)], on=m.activated_on
        )
        services.record_payment(
            actor=secretariat,
            organisation_id=m.organisation_id,
            amount=shares * SHARE_PRICE,
            on=m.activated_on,
        )
    # A transfer and a correction, so the ledger shows both.
    services.transfer_shares(
        actor=secretariat,
        from_organisation_id=founders[1].pk,
        to_organisation_id=founders[2].pk,
        shares=5,
        on=dt.date(2021, 6, 1),
        note="2021년 제3차 이사회 승인",
    )
    extra = services.subscribe_capital(
        actor=secretariat, subscriptions=[(founders[3].pk, 5)], on=dt.date(2022, 3, 10), note="증좌"
    )
    services.reverse_entry(
        actor=secretariat, entry_id=extra[0].pk, on=dt.date(2022, 3, 11), note="중복 입력 정정"
    )

    # Officers elected at the conversion assembly; the chair re-elected in 2023.
    conversion = _hold(
        secretariat,
        rng,
        kind=MeetingKind.EXTRAORDINARY_ASSEMBLY,
        title="2019년 사회적협동조합 전환 임시총회",
        purpose="사회적협동조합 전환을 위한 정관 변경과 임원 선출",
        day=CONVERSION_DAY,
        place=place,
        items=[
            {
                "title": "정관 변경(사회적협동조합 전환)",
                "kind": "special",
                "special_matter": "articles",
                "description": "협동조합에서 사회적협동조합으로 전환하는 정관 전부 개정",
            },
            {"title": "2019년 사업계획 및 예산 승인", "kind": "ordinary"},
            {"title": "임원 선출", "kind": "election"},
        ],
        signers=signers,
        presiding=chair,
        proxies=2,
    )
    start, end = CONVERSION_DAY, dt.date(2023, 4, 14)
    services.appoint_officer(
        actor=secretariat,
        user_id=chair.pk,
        role="chair",
        term_start=start,
        term_end=end,
        elected_at_id=conversion.pk,
    )
    for user in directors[:2]:
        services.appoint_officer(
            actor=secretariat,
            user_id=user.pk,
            role="director",
            term_start=start,
            term_end=end,
            elected_at_id=conversion.pk,
        )
    services.appoint_officer(
        actor=secretariat,
        user_id=auditor.pk,
        role="auditor",
        term_start=start,
        term_end=end,
        elected_at_id=conversion.pk,
    )

    meetings = 1
    for year in range(2020, today.year + 1):
        day = dt.date(year, 2, 20 + rng.randint(0, 6))
        if day >= today:
            break
        items = [
            {"title": f"{year - 1}년 결산 및 잉여금 처분 승인", "kind": "ordinary"},
            {"title": f"{year}년 사업계획 및 예산 승인", "kind": "ordinary"},
            {"title": f"{year - 1}년 사업 보고", "kind": "report"},
        ]
        # Officers are elected every four years (terms of 4 years, 제35조) after the 2019 conversion: 2023, 2027, so
        # the demo has a sitting board (and its logins their roles) when loaded until 2031, when the chair's two
        # re-elections are used up and the demo would need a new chair.
        election = year >= 2023 and (year - CONVERSION_DAY.year) % 4 == 0
        if election:
            items.append({"title": "임원 선출(이사장 연임)", "kind": "election"})
        assembly = _hold(
            secretariat,
            rng,
            kind=MeetingKind.ORDINARY_ASSEMBLY,
            title=f"{year}년 정기총회",
            purpose=f"{year - 1}년 결산 승인과 {year}년 사업계획 의결",
            day=day,
            place=place,
            items=items,
            signers=signers,
            presiding=chair,
        )
        meetings += 1
        if election:
            start, end = dt.date(year, 4, 15), dt.date(year + 4, 4, 14)
            for user, role in (
                (chair, "chair"),
                (directors[0], "director"),
                (directors[1], "director"),
                (auditor, "auditor"),
            ):
                services.appoint_officer(
                    actor=secretariat,
                    user_id=user.pk,
                    role=role,
                    term_start=start,
                    term_end=end,
                    elected_at_id=assembly.pk,
                )
        if year == 2021:
            # A special resolution that won a majority but not two thirds: rejected (제29조①).
            _hold(
                secretariat,
                rng,
                kind=MeetingKind.EXTRAORDINARY_ASSEMBLY,
                title="2021년 임시총회",
                purpose="출자 1좌 금액 변경을 위한 정관 개정",
                day=dt.date(2021, 9, 14),
                place=place,
                items=[
                    {
                        "title": "정관 일부 개정(출자 1좌 금액)",
                        "kind": "special",
                        "special_matter": "articles",
                    }
                ],
                signers=signers,
                presiding=chair,
                counts={0: 0.6},  # a majority, not two thirds
            )
            meetings += 1
        if year == 2024:
            services.appoint_officer(
                actor=secretariat,
                user_id=directors[2].pk,
                role="director",
                term_start=dt.date(2024, 12, 1),
                term_end=today + dt.timedelta(days=40),
            )
        for number, month in enumerate((6, 11), start=1):
            board_day = dt.date(year, month, 10 + rng.randint(0, 10))
            if board_day >= today:
                break
            _hold(
                secretariat,
                rng,
                kind=MeetingKind.BOARD,
                title=f"{year}년 제{number}차 이사회",
                purpose="조합원 가입 승인과 사업 점검",
                day=board_day,
                place="조합 사무국 회의실",
                items=[
                    {"title": "신규 조합원 가입 승인", "kind": "ordinary"},
                    {"title": "상반기 사업 점검" if month == 6 else "하반기 사업 점검", "kind": "report"},
                ],
                signers=[],
                presiding=chair,
            )
            meetings += 1

    # Members' impact figures and the yearly disclosure (published within 4 months, 제96조의2).
    reports = 0
    for year in range(2019, today.year):
        for m in memberships:
            if m.activated_on.year > year:
                continue
            employees = rng.randint(3, 40)
            hires = rng.randint(0, max(1, employees // 4))
            services.report_impact(
                actor=secretariat,
                organisation_id=m.organisation_id,
                year=year,
                figures={
                    "employees": employees,
                    "new_hires": hires,
                    "new_hires_local_youth": rng.randint(0, hires),
                    "new_hires_women": rng.randint(0, hires),
                    "revenue": employees * rng.randint(60, 140) * 1_000_000,
                    "projects_won": rng.randint(0, 5),
                },
            )
        total = (300 + (year - 2019) * 180 + rng.randint(0, 90)) * 1_000_000
        surplus = rng.randint(8, 40) * 1_000_000
        services.save_annual_report(
            actor=secretariat,
            year=year,
            total_business=total,
            main_business=int(total * rng.uniform(0.52, 0.71)),
            surplus=surplus,
            reserve_transfer=-(-surplus * 30 // 100),
            narrative=f"{year}년 빅데이터 기반 지역형 통합플랫폼 구축, 관광·문화·레저 연계 사업, 산학관 연계 과제와 지역 ICT 교육을 수행했습니다.",
        )
        if dt.date(year + 1, 3, 31) <= today:
            services.publish_annual_report(actor=secretariat, year=year, on=dt.date(year + 1, 3, 31))
        reports += 1

    # Polls: a closed advisory poll with results, and an open pre-assembly poll.
    now = timezone.now()
    closed = services.create_poll(
        actor=secretariat,
        title="입주단지 조성 우선순위",
        description="입주단지에 먼저 갖출 공용 시설을 골라 주세요.",
        kind="advisory",
        ballot_type="ranked",
        options=["공용 회의실", "데이터 분석실", "교육장", "시제품 제작실"],
        opens_at=now - dt.timedelta(days=30),
        closes_at=now + dt.timedelta(days=1),
    )
    for index, user in enumerate(voters):
        order = [1, 2, 3, 4]
        rng.shuffle(order)
        services.cast_vote(actor=user, poll_id=closed.pk, ranking=order if index else [2, 1, 3, 4])
    services.close_poll(actor=secretariat, poll_id=closed.pk)
    upcoming = services.create_poll(
        actor=secretariat,
        title=f"{today.year + 1}년 정기총회 사전 의견: 회비 인상",
        description="총회 안건을 준비하기 위한 사전 의견조사입니다. 의결은 총회에서 합니다.",
        kind="pre_assembly",
        ballot_type="yes_no",
        secret=True,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=14),
    )
    services.cast_vote(actor=voters[0], poll_id=upcoming.pk, option=1)

    totals = selectors.capital_totals()
    assert not selectors.reconcile(), "demo ledger does not reconcile"
    return [
        f"협동조합 운영: 총회·이사회 {meetings}회, 출자 {totals['shares']}좌({totals['paid']:,}원), 연차 보고서 {reports}건 "
        f"/ governance: {meetings} meetings, {totals['shares']} shares, {reports} annual reports"
    ]
