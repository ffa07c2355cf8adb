"""Assemblies and board meetings: notice (제28조⑤), attendance and proxies (제23조), resolutions (제29조,
제32조④), expulsion (제25조), minutes (제30조). Refusals name the article and change nothing."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from dongne.core.choices import Role
from dongne.core.errors import Conflict, PermissionDenied, ValidationError
from dongne.governance import selectors, services
from dongne.governance.choices import LogKind, MeetingKind, Outcome
from dongne.governance.models import LogEntry
from tests.factories import UserFactory

from .conftest import snapshot

pytestmark = pytest.mark.django_db

ITEMS = [
    {"title": "2024년 결산 승인", "kind": "ordinary"},
    {"title": "정관 일부 개정", "kind": "special", "special_matter": "articles"},
    {"title": "사업 보고", "kind": "report"},
]


def convene(actor, *, kind=MeetingKind.ORDINARY_ASSEMBLY, items=ITEMS, notice_days_ago=10, hours_ago=1):
    return services.schedule_meeting(
        actor=actor,
        kind=kind,
        title="2025년 정기총회",
        purpose="결산 승인과 정관 개정",
        scheduled_at=timezone.now() - dt.timedelta(hours=hours_ago),
        place="춘천 ICT벤처센터 3층",
        items=items,
        notice_on=timezone.localdate() - dt.timedelta(days=notice_days_ago),
    )


def test_a_notice_less_than_7_days_ahead_is_refused_and_nothing_is_created(secretariat, members):
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.schedule_meeting(
            actor=secretariat,
            kind=MeetingKind.ORDINARY_ASSEMBLY,
            title="정기총회",
            purpose="결산",
            scheduled_at=timezone.now() + dt.timedelta(days=5),
            place="회의실",
            items=ITEMS,
        )
    assert "협동조합 기본법 제28조⑤" in info.value.render() and "7일" in info.value.render()
    assert snapshot() == before
    assert mail.outbox == []


def test_a_notice_without_agenda_or_place_is_refused(secretariat, members):
    for kwargs in ({"items": []}, {"place": ""}):
        data = {"items": ITEMS, "place": "회의실", **kwargs}
        with pytest.raises(ValidationError) as info:
            services.schedule_meeting(
                actor=secretariat,
                kind=MeetingKind.EXTRAORDINARY_ASSEMBLY,
                title="임시총회",
                purpose="정관 개정",
                scheduled_at=timezone.now() + dt.timedelta(days=10),
                **data,
            )
        assert "제28조⑤" in info.value.render()


def test_a_special_matter_cannot_be_put_as_an_ordinary_resolution(secretariat, members):
    with pytest.raises(ValidationError) as info:
        convene(secretariat, items=[{"title": "해산", "kind": "ordinary", "special_matter": "dissolution"}])
    assert "제29조①" in info.value.render()


def test_the_notice_is_emailed_to_every_member_representative(
    secretariat, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.schedule_meeting(
            actor=secretariat,
            kind=MeetingKind.ORDINARY_ASSEMBLY,
            title="2025년 정기총회",
            purpose="결산 승인",
            scheduled_at=timezone.now() + dt.timedelta(days=8),
            place="춘천 ICT벤처센터",
            items=ITEMS,
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.rep.email for m in members)
    body = mail.outbox[0].body
    assert meeting.title in mail.outbox[0].subject
    for text in ("결산 승인", "춘천 ICT벤처센터", "2024년 결산 승인", "정관 일부 개정", "위임"):
        assert text in body


def test_attendance_and_proxies_follow_article_23(secretariat, members):
    meeting = convene(secretariat)
    services.record_attendance(actor=secretariat, meeting_id=meeting.pk, organisation_id=members[0].pk)
    services.record_attendance(
        actor=secretariat,
        meeting_id=meeting.pk,
        organisation_id=members[1].pk,
        proxy_kind="member",
        proxy_member_id=members[0].pk,
        authority="위임장 2025-01",
    )
    before = snapshot()
    # one proxy represents at most one member (the database refuses the second)
    with pytest.raises(Conflict) as info:
        services.record_attendance(
            actor=secretariat,
            meeting_id=meeting.pk,
            organisation_id=members[2].pk,
            proxy_kind="member",
            proxy_member_id=members[0].pk,
            authority="위임장 2025-02",
        )
    assert "협동조합 기본법 제23조③" in info.value.render() and members[0].name in info.value.render()
    with pytest.raises(ValidationError) as info:  # no written authority
        services.record_attendance(
            actor=secretariat,
            meeting_id=meeting.pk,
            organisation_id=members[2].pk,
            proxy_kind="family",
            proxy_name="김가족",
        )
    assert "제23조④" in info.value.render()
    with pytest.raises(Conflict):  # a member is present once
        services.record_attendance(actor=secretariat, meeting_id=meeting.pk, organisation_id=members[0].pk)
    assert snapshot() == before
    services.record_attendance(
        actor=secretariat,
        meeting_id=meeting.pk,
        organisation_id=members[2].pk,
        proxy_kind="family",
        proxy_name="김가족",
        authority="위임장 3",
    )
    with pytest.raises(Conflict) as info:
        services.record_attendance(
            actor=secretariat,
            meeting_id=meeting.pk,
            organisation_id=members[3].pk,
            proxy_kind="family",
            proxy_name="김가족",
            authority="위임장 4",
        )
    assert "제23조③" in info.value.render()
    summary = selectors.attendance_summary(meeting)
    assert (summary["roster"], summary["present"], summary["proxies"]) == (5, 3, 2)


def attend(secretariat, meeting, orgs):
    for org in orgs:
        services.record_attendance(actor=secretariat, meeting_id=meeting.pk, organisation_id=org.pk)


def test_the_engine_decides_and_a_claimed_outcome_the_count_does_not_support_is_refused(
    secretariat, chair, members
):
    meeting = convene(secretariat)
    attend(secretariat, meeting, members[:5])
    ordinary, special, report = meeting.items.all()
    item = services.record_resolution(
        actor=secretariat, item_id=ordinary.pk, votes_for=3, votes_against=2, presiding_id=chair.pk
    )
    assert item.outcome == Outcome.PASSED
    assert item.explanation.startswith("재적 5명 중 출석 5명(위임 0명 포함), 찬성 3명 = 출석 과반 → 가결")
    before = snapshot()
    # a special resolution passed by simple majority: 3 of 5 is not two thirds
    with pytest.raises(ValidationError) as info:
        services.record_resolution(
            actor=secretariat, item_id=special.pk, votes_for=3, votes_against=2, claimed_outcome="passed"
        )
    assert "제29조①" in info.value.render() and "부결" in info.value.render()
    assert snapshot() == before
    with pytest.raises(ValidationError):  # more votes than members present
        services.record_resolution(actor=secretariat, item_id=special.pk, votes_for=4, votes_against=2)
    item = services.record_resolution(actor=secretariat, item_id=special.pk, votes_for=3, votes_against=2)
    assert item.outcome == Outcome.REJECTED
    assert services.record_resolution(actor=secretariat, item_id=report.pk).outcome == Outcome.NOTED
    with pytest.raises(Conflict):
        services.record_resolution(actor=secretariat, item_id=ordinary.pk, votes_for=5)
    assert LogEntry.objects.filter(kind=LogKind.RESOLUTION).count() == 3
    with pytest.raises(Conflict):  # attendance closes with the first decision
        services.record_attendance(actor=secretariat, meeting_id=meeting.pk, organisation_id=members[0].pk)


def test_expulsion_needs_notice_10_days_before_and_a_hearing(secretariat, members):
    meeting = convene(
        secretariat,
        kind=MeetingKind.EXTRAORDINARY_ASSEMBLY,
        items=[
            {
                "title": "조합원 제명",
                "kind": "special",
                "special_matter": "expulsion",
                "subject": members[4].pk,
            }
        ],
        notice_days_ago=12,
    )
    attend(secretariat, meeting, members[:4])
    (item,) = meeting.items.all()
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.record_resolution(actor=secretariat, item_id=item.pk, votes_for=4)
    assert "협동조합 기본법 제25조" in info.value.render()
    with pytest.raises(ValidationError) as info:
        services.record_expulsion_notice(
            actor=secretariat, item_id=item.pk, notified_on=timezone.localdate() - dt.timedelta(days=5)
        )
    assert "제25조" in info.value.render() and "10일" in info.value.render()
    assert snapshot() == before
    services.record_expulsion_notice(
        actor=secretariat,
        item_id=item.pk,
        notified_on=timezone.localdate() - dt.timedelta(days=11),
        hearing_record="출석하여 소명함",
    )
    assert (
        services.record_resolution(actor=secretariat, item_id=item.pk, votes_for=3, votes_against=1).outcome
        == Outcome.PASSED
    )
    # the assembly's decision ends the membership, with the resolution as its reference
    members[4].membership.refresh_from_db()
    assert members[4].membership.status == "expelled"
    assert members[4].membership.decision_ref == f"{meeting.title} 제1호 의안"


def board(secretariat):
    today = timezone.localdate()
    start, end = today - dt.timedelta(days=300), today + dt.timedelta(days=400)
    chair = UserFactory(role=Role.CHAIR, name="김이사장")
    directors = [UserFactory(role=Role.DIRECTOR, name=f"이사{n}") for n in range(1, 5)]
    services.appoint_officer(
        actor=secretariat, user_id=chair.pk, role="chair", term_start=start, term_end=end
    )
    for d in directors:
        services.appoint_officer(
            actor=secretariat, user_id=d.pk, role="director", term_start=start, term_end=end
        )
    auditor = UserFactory(role=Role.AUDITOR, name="최감사")
    services.appoint_officer(
        actor=secretariat, user_id=auditor.pk, role="auditor", term_start=start, term_end=end
    )
    return chair, directors


def test_a_board_meeting_from_notice_to_signed_minutes(secretariat, members):
    chair, directors = board(secretariat)
    meeting = convene(
        secretariat,
        kind=MeetingKind.BOARD,
        items=[{"title": "신규 조합원 가입 승인", "kind": "ordinary"}],
        notice_days_ago=3,
    )
    with pytest.raises(ValidationError):  # no proxies at the board
        services.record_attendance(
            actor=secretariat,
            meeting_id=meeting.pk,
            user_id=directors[0].pk,
            proxy_kind="member",
            authority="x",
        )
    with pytest.raises(ValidationError):  # the auditor is not on the board's roll
        services.record_attendance(actor=secretariat, meeting_id=meeting.pk, user_id=members[0].rep.pk)
    for user in (chair, directors[0], directors[1]):
        services.record_attendance(actor=secretariat, meeting_id=meeting.pk, user_id=user.pk)
    (item,) = meeting.items.all()
    item = services.record_resolution(
        actor=secretariat, item_id=item.pk, votes_for=2, votes_against=1, presiding_id=chair.pk
    )
    assert item.explanation.startswith("재적 이사 5명 중 출석 3명, 찬성 2명 = 출석 과반 → 가결")
    minutes = services.draft_minutes(actor=secretariat, meeting_id=meeting.pk)
    assert "신규 조합원 가입 승인" in minutes.body and "재적 이사 5명 중 3명 출석" in minutes.body
    assert sorted(minutes.signers.values_list("user_id", flat=True)) == sorted(
        [chair.pk, directors[0].pk, directors[1].pk]
    )
    with pytest.raises(PermissionDenied):
        services.confirm_minutes(actor=directors[3], minutes_id=minutes.pk)  # not a signer
    for user in (chair, directors[0], directors[1]):
        services.confirm_minutes(actor=user, minutes_id=minutes.pk)
    minutes.refresh_from_db()
    assert minutes.finalised_at is not None
    assert LogEntry.objects.filter(kind=LogKind.MINUTES).count() == 1


def test_assembly_minutes_need_the_chair_and_three_elected_members(secretariat, chair, members):
    meeting = convene(secretariat, items=[{"title": "결산 승인", "kind": "ordinary"}])
    attend(secretariat, meeting, members[:4])
    (item,) = meeting.items.all()
    services.record_resolution(actor=secretariat, item_id=item.pk, votes_for=4, presiding_id=chair.pk)
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        services.draft_minutes(
            actor=secretariat, meeting_id=meeting.pk, signer_user_ids=[members[0].rep.pk, members[1].rep.pk]
        )
    assert "협동조합 기본법 제30조" in info.value.render()
    with pytest.raises(ValidationError):  # a member who was not present cannot sign
        services.draft_minutes(
            actor=secretariat,
            meeting_id=meeting.pk,
            signer_user_ids=[members[0].rep.pk, members[1].rep.pk, members[4].rep.pk],
        )
    assert snapshot() == before
    minutes = services.draft_minutes(
        actor=secretariat, meeting_id=meeting.pk, signer_user_ids=[m.rep.pk for m in members[:3]]
    )
    assert minutes.signers.count() == 4
    assert "재적 조합원 5명 중 4명 출석" in minutes.body


def test_the_dashboard_warns_without_an_ordinary_assembly_this_year(secretariat):
    texts = [str(w) for w in selectors.warnings()]
    assert any("제28조④" in t for t in texts)
    assert any("제34조" in t for t in texts)


def test_a_board_notice_goes_to_the_directors_in_office(secretariat, django_capture_on_commit_callbacks):
    chair, directors = board(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_meeting(
            actor=secretariat,
            kind=MeetingKind.BOARD,
            title="2025년 제4차 이사회",
            purpose="가입 승인",
            scheduled_at=timezone.now() + dt.timedelta(days=3),
            place="사무국 회의실",
            items=[{"title": "가입 승인", "kind": "ordinary"}],
        )
    recipients = sorted(m.to[0] for m in mail.outbox)
    # the chair and the directors — and the auditor, who may attend the board
    assert {chair.email, *(d.email for d in directors)} <= set(recipients)
    assert "2025년 제4차 이사회" in mail.outbox[0].subject
