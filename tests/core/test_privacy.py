"""Personal data (개인정보 보호법): a member downloads everything stored about them and asks for deletion; the
secretariat approves and the person is pseudonymised while ledgers, votes and registrations stay whole."""

import datetime as dt
import json

import pytest
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from dongne.core import privacy, services
from dongne.core.errors import Conflict, PermissionDenied, ValidationError
from dongne.core.models import ApiToken, AuditEntry, ErasureRequest
from dongne.governance import selectors as gov_selectors
from dongne.governance import services as governance
from dongne.governance.models import Ballot, CapitalEntry, Participation
from dongne.network.models import Person
from dongne.programs import services as programs
from dongne.programs.models import Registration
from dongne.spaces import services as spaces
from dongne.spaces.models import Booking
from tests.factories import PASSWORD, UserFactory
from tests.governance.conftest import make_member
from tests.programs.factories import make_program

NAME, EMAIL, PHONE = "홍길순가나", "hong.gilsun@test.dongne.kr", "010-9876-5432"


@pytest.fixture
def world(secretariat, settings):
    settings.HUEY = {**settings.HUEY, "immediate": True}
    org_a = make_member(secretariat, "삭제시험기업", rep=False)
    org_b = make_member(secretariat, "다른기업")
    person = UserFactory(name=NAME, email=EMAIL)
    from dongne.network.models import Affiliation

    p = Person.objects.create(name=NAME, email=EMAIL, phone=PHONE, user=person)
    Affiliation.objects.create(person=p, organisation=org_a, is_representative=True)
    others = [make_member(secretariat, f"기타기업{n}", rep=False) for n in (1, 2)]  # the 30% cap (제22조②)
    governance.subscribe_capital(
        actor=secretariat,
        subscriptions=[(o.pk, 10) for o in (org_a, org_b, *others)],
        on=dt.date(2024, 5, 1),
    )
    governance.record_payment(
        actor=secretariat, organisation_id=org_a.pk, amount=10_000, on=dt.date(2024, 5, 2)
    )
    now = timezone.now()
    open_poll = governance.create_poll(
        actor=secretariat,
        title="공개 설문",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
    )
    secret_poll = governance.create_poll(
        actor=secretariat,
        title="비밀 설문",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        secret=True,
    )
    for poll in (open_poll, secret_poll):
        governance.cast_vote(actor=person, poll_id=poll.pk, option=1)
        governance.cast_vote(actor=org_b.rep, poll_id=poll.pk, option=2)
    program = make_program(secretariat)
    programs.register(actor=person, program_id=program.pk)
    programs.register(actor=org_b.rep, program_id=program.pk)
    building = spaces.create_building(actor=secretariat, name="센터", address="춘천시 중앙로 1")
    room = spaces.create_facility(
        actor=secretariat,
        building_id=building.pk,
        data={
            "name": "회의실",
            "kind": "meeting_room",
            "capacity": 8,
            "opens_at": "09:00",
            "closes_at": "18:00",
            "weekdays": "0123456",
            "max_minutes": 120,
            "audience": "both",
        },
    )
    day = timezone.localdate() + dt.timedelta(days=10)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    spaces.book_facility(
        actor=person,
        facility_id=room.pk,
        start=start,
        end=start + dt.timedelta(hours=1),
        title=f"{NAME} 회의",
    )
    token = services.create_api_token(actor=person, name="내 스크립트")
    return {
        "person": person,
        "org_a": org_a,
        "org_b": org_b,
        "polls": (open_poll, secret_poll),
        "program": program,
        "token": token,
    }


def test_a_member_downloads_everything_stored_about_them(client, world):
    person = world["person"]
    client.force_login(person)
    assert "/accounts/privacy/" in client.get("/accounts/tokens/").content.decode()
    response = client.get("/accounts/privacy/export.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)["data"]
    assert data["core.user"][0]["email"] == EMAIL
    assert "password" not in data["core.user"][0]
    assert data["network.person"][0]["phone"] == PHONE
    assert [a["organisation_id"] for a in data["network.affiliation"]] == [world["org_a"].pk]
    assert [r["program_id"] for r in data["programs.registration"]] == [world["program"].pk]
    assert [b["title"] for b in data["spaces.booking"]] == [f"{NAME} 회의"]
    assert sorted(p["poll_id"] for p in data["governance.participation"]) == sorted(
        p.pk for p in world["polls"]
    )
    # The ballot of the open poll is theirs to see; the secret one names no one and is not in the file.
    assert [b["poll_id"] for b in data["governance.ballot"]] == [world["polls"][0].pk]
    assert data["core.apitoken"][0]["name"] == "내 스크립트" and "token_hash" not in data["core.apitoken"][0]
    assert any(e["action"] == "governance.vote.cast" for e in data["core.auditentry"])
    # Nothing about the other member's representative.
    assert world["org_b"].rep.email not in response.content.decode()
    assert AuditEntry.objects.filter(action="core.personal_data.exported", actor=person).exists()


def test_only_the_person_or_the_secretariat_exports(world, secretariat):
    with pytest.raises(PermissionDenied):
        services.export_personal_data(actor=world["org_b"].rep, user_id=world["person"].pk)
    assert (
        services.export_personal_data(actor=secretariat, user_id=world["person"].pk)["user_id"]
        == world["person"].pk
    )


def _text_columns_containing(value):
    """Every (model, field, pk) whose text column holds ``value`` — the whole database, JSON included."""
    hits = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                qs = model._base_manager.filter(**{f"{field.attname}__contains": value})
            elif isinstance(field, models.JSONField):
                escaped = json.dumps(value)[1:-1]
                qs = model._base_manager.annotate(_t=Cast(field.attname, models.TextField())).filter(
                    models.Q(_t__contains=value) | models.Q(_t__contains=escaped)
                )
            else:
                continue
            hits += [(model._meta.label_lower, field.name, pk) for pk in qs.values_list("pk", flat=True)]
    return hits


def test_deletion_pseudonymises_and_keeps_ledgers_and_votes(client, world, secretariat):
    person = world["person"]
    open_poll, secret_poll = world["polls"]
    tallies = [gov_selectors.poll_tally(p) for p in world["polls"]]
    totals = gov_selectors.capital_totals()
    counts = (
        CapitalEntry.objects.count(),
        Participation.objects.count(),
        Ballot.objects.count(),
        Registration.objects.count(),
        Booking.objects.count(),
    )
    secret_ballots = list(
        Ballot.objects.filter(poll=secret_poll).values_list("pk", "organisation_id", "option_id")
    )

    client.force_login(person)
    response = client.post("/accounts/privacy/erase/", {"reason": f"연락처 {PHONE} 삭제 바랍니다"})
    assert response.status_code == 302
    req = ErasureRequest.objects.get(user=person)
    with pytest.raises(Conflict):
        services.request_erasure(actor=person)
    with pytest.raises(PermissionDenied):
        services.decide_erasure(actor=person, request_id=req.pk, approve=True)
    assert client.get("/accounts/privacy/requests/").status_code == 403

    before = {value: _text_columns_containing(value) for value in (NAME, EMAIL, PHONE)}
    assert all(before.values()), before  # the scan below does find them while they are there
    assert {"core.auditentry", "network.person", "spaces.booking"} <= {
        m for hits in before.values() for m, *_ in hits
    }
    client.force_login(secretariat)
    assert NAME in client.get("/accounts/privacy/requests/").content.decode()
    assert client.post(f"/accounts/privacy/requests/{req.pk}/approve/").status_code == 302
    req.refresh_from_db()
    assert req.status == ErasureRequest.Status.DONE and req.decided_by == secretariat

    person.refresh_from_db()
    assert person.name == f"탈퇴한 사용자 #{person.pk}"
    assert not person.is_active and not person.has_usable_password()
    assert not client.login(email=EMAIL, password=PASSWORD)
    assert services.user_for_token(world["token"].raw_token) is None
    assert not ApiToken.objects.filter(user=person, revoked_at__isnull=True).exists()
    p = Person.objects.get(user=person)
    assert (p.name, p.email, p.phone) == (person.name, "", "")
    # The records stay, linked to the pseudonymised user; the books and the votes are unchanged.
    assert counts == (
        CapitalEntry.objects.count(),
        Participation.objects.count(),
        Ballot.objects.count(),
        Registration.objects.count(),
        Booking.objects.count(),
    )
    assert Registration.objects.filter(user=person).count() == 1
    assert Participation.objects.filter(cast_by=person).count() == 2
    assert gov_selectors.reconcile() == []
    assert gov_selectors.capital_totals() == totals
    assert [gov_selectors.poll_tally(p) for p in world["polls"]] == tallies
    assert list(
        Ballot.objects.filter(poll=secret_poll).values_list("pk", "organisation_id", "option_id")
    ) == (secret_ballots)
    assert gov_selectors.verify_chain().ok
    # No text column anywhere still holds the name, the e-mail address or the phone number.
    for value in (NAME, EMAIL, PHONE):
        assert _text_columns_containing(value) == [], value
    # The other member's representative is untouched.
    world["org_b"].rep.refresh_from_db()
    assert world["org_b"].rep.is_active and "탈퇴" not in world["org_b"].rep.name


def test_a_refusal_says_why_and_nobody_decides_their_own(world, secretariat):
    req = services.request_erasure(actor=world["person"])
    with pytest.raises(ValidationError):
        services.decide_erasure(actor=secretariat, request_id=req.pk, approve=False)
    done = services.decide_erasure(
        actor=secretariat, request_id=req.pk, approve=False, answer="출자금 환급이 끝난 뒤 처리합니다"
    )
    assert done.status == ErasureRequest.Status.REFUSED
    with pytest.raises(Conflict):
        services.decide_erasure(actor=secretariat, request_id=req.pk, approve=True)
    world["person"].refresh_from_db()
    assert world["person"].is_active and world["person"].name == NAME
    own = services.request_erasure(actor=secretariat)
    with pytest.raises(PermissionDenied):
        services.decide_erasure(actor=secretariat, request_id=own.pk, approve=True)
    assert privacy.pseudonym(world["person"]) == f"탈퇴한 사용자 #{world['person'].pk}"


def test_participant_emails_only_for_the_secretariat_and_the_organiser(client, world, secretariat):
    """Door staff see the registration list to check people in, by name; the e-mail addresses are for the
    secretariat and the organiser's representatives only."""
    program = world["program"]
    helper = UserFactory(name="도우미")
    programs.update_program(actor=secretariat, program_id=program.pk, data={"staff": [helper.pk]})
    url = f"/programs/{program.pk}/registrations/"
    client.force_login(helper)
    page = client.get(url).content.decode()
    assert NAME in page and EMAIL not in page
    client.force_login(secretariat)
    assert EMAIL in client.get(url).content.decode()


def test_a_program_fetches_the_same_export_with_the_personal_token(client, world):
    token = world["token"].raw_token
    response = client.get("/api/v1/core/me/personal-data", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == world["person"].pk
    assert body["data"]["network.person"][0]["phone"] == PHONE
    assert client.get("/api/v1/core/me/personal-data").status_code == 401
