"""The data side of the fault test (tests/core/test_faults.py), run as its own process against the same
database and data folder as the server under test:

    python -m tests.core.fault_scenario setup   <out.json>    members, tokens, a room, a program, a poll, a dataset
    python -m tests.core.fault_scenario ingest  <in.json> <n> <rows>   queue ingest number n (the consumer runs it)
    python -m tests.core.fault_scenario recover                 what the consumer does when it starts (for a check)
    python -m tests.core.fault_scenario facts   <in.json>       what the database and the lake hold, as JSON

Everything is made through the services, like the rest of the test suite."""

import csv
import datetime as dt
import json
import os
import sys
import tempfile

import django

PASSWORD = "fault-password-2026"
MEMBERS = 10


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dongne.config.settings")
    django.setup()


def setup(out_path):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from dongne.core import services as core
    from dongne.core.choices import Role
    from dongne.core.models import User
    from dongne.datahub import services as datahub
    from dongne.governance import services as governance
    from dongne.network import services as network
    from dongne.network.models import Affiliation, Person
    from dongne.programs import services as programs
    from dongne.spaces import services as spaces
    from tests.factories import business_number

    hashed = make_password(PASSWORD)  # hashing is deliberately slow: once for everyone
    secretariat = User.objects.create(
        email="sec@fault.dongne.kr", name="박사무", role=Role.SECRETARIAT, password=hashed
    )
    joined = dt.date(2024, 4, 1)
    members = []
    for n in range(1, MEMBERS + 1):
        org = network.create_organisation(
            actor=secretariat,
            data={
                "kind": "member_company",
                "name": f"장애시험기업{n}",
                "business_number": business_number(n),
            },
        )
        m = network.apply_membership(
            actor=secretariat, organisation_id=org.pk, member_type="producer", applied_on=joined
        )
        network.approve_membership(
            actor=secretariat, membership_id=m.pk, decision_ref="이사회", approved_on=joined
        )
        network.activate_membership(actor=secretariat, membership_id=m.pk, on=joined)
        user = User.objects.create(
            email=f"rep{n}@fault.dongne.kr", name=f"대표{n}", role=Role.MEMBER_REP, password=hashed
        )
        person = Person.objects.create(name=user.name, email=user.email, user=user)
        Affiliation.objects.create(person=person, organisation=org, is_representative=True)
        token = core.create_api_token(actor=user, name="fault test")
        members.append({"org": org.pk, "user": user.pk, "token": token.raw_token})
    governance.subscribe_capital(
        actor=secretariat, subscriptions=[(m["org"], 1000) for m in members], on=joined, note="설립 출자"
    )
    building = spaces.create_building(
        actor=secretariat, name="춘천 ICT 협동조합 센터", address="춘천시 중앙로 1"
    )
    room = spaces.create_facility(
        actor=secretariat,
        building_id=building.pk,
        data={
            "name": "회의실 A",
            "kind": "meeting_room",
            "capacity": 8,
            "opens_at": "08:00",
            "closes_at": "22:00",
            "weekdays": "0123456",
            "max_minutes": 120,
            "audience": "both",
        },
    )
    start = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0) + dt.timedelta(days=30)
    program = programs.create_program(
        actor=secretariat,
        data={
            "kind": "seminar",
            "title": "장애 시험 세미나",
            "summary": "춘천 ICT",
            "capacity": 4,
            "status": "published",
        },
        sessions=[
            {
                "title": "1회차",
                "starts_at": start,
                "ends_at": start + dt.timedelta(hours=3),
                "place": "세미나실",
                "speakers": "김강사",
            }
        ],
    )
    now = timezone.now()
    poll = governance.create_poll(
        actor=secretariat,
        title="장애 시험 설문",
        opens_at=now - dt.timedelta(minutes=1),
        closes_at=now + dt.timedelta(days=2),
    )
    dataset = datahub.create_dataset(
        actor=secretariat,
        data={
            "slug": "fault-visitors",
            "title": "장애 시험 방문객",
            "description": "방문객 수",
            "themes": ["tourism"],
            "publisher": members[0]["org"],
        },
    )
    out = {
        "secretariat": {"email": secretariat.email, "password": PASSWORD},
        "members": members,
        "facility": room.pk,
        "program": program.pk,
        "poll": poll.pk,
        "dataset": dataset.pk,
        "slug": dataset.slug,
        "booking_day": (timezone.localdate() + dt.timedelta(days=40)).isoformat(),
    }
    with open(out_path, "w") as f:
        json.dump(out, f)


def ingest(in_path, number, rows):
    """Queue ingest ``number`` of ``rows`` rows (the note says which), as the secretariat's upload would."""
    from django.core.files import File

    from dongne.core.models import User
    from dongne.datahub import services as datahub

    state = json.load(open(in_path))
    secretariat = User.objects.get(email=state["secretariat"]["email"])
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["일자", "읍면동", "방문객수", "메모"])
        for i in range(rows):
            writer.writerow(
                [f"2024.05.{1 + i % 28:02d}", f"동{i % 25}", str(i % 977), f"ingest {number} row {i}"]
            )
        path = f.name
    with open(path, "rb") as fh:
        job = datahub.start_ingest(
            actor=secretariat,
            dataset_id=state["dataset"],
            uploaded_file=File(fh, name="visitors.csv"),
            note=f"ingest {number}",
        )
    os.unlink(path)
    print(json.dumps({"job": job.pk}))


def recover():
    from dongne.datahub.services import recover_ingests

    print(json.dumps(recover_ingests(actor=None)))


def facts(in_path):
    from django.conf import settings

    from dongne.datahub.models import Dataset, DatasetVersion, IngestJob
    from dongne.datahub.services import lake_store
    from dongne.governance import selectors as gov_selectors
    from dongne.governance.models import Ballot, CapitalEntry, Participation
    from dongne.programs.models import Registration
    from dongne.spaces.models import Booking

    state = json.load(open(in_path))
    store = lake_store()
    versions = DatasetVersion.objects.filter(dataset_id=state["dataset"])
    out = {
        "bookings": [
            {
                "id": b.pk,
                "title": b.title,
                "start": b.start.isoformat(),
                "end": b.end.isoformat(),
                "status": b.status,
            }
            for b in Booking.objects.filter(facility_id=state["facility"])
        ],
        "registrations": [
            {"id": r.pk, "user": r.user_id, "status": r.status}
            for r in Registration.objects.filter(program_id=state["program"])
        ],
        "participations": sorted(
            Participation.objects.filter(poll_id=state["poll"]).values_list("organisation_id", flat=True)
        ),
        "ballots": Ballot.objects.filter(poll_id=state["poll"]).count(),
        "entries": [
            {"id": e.pk, "note": e.note, "org": e.organisation_id, "amount": e.amount, "kind": e.kind}
            for e in CapitalEntry.objects.all()
        ],
        "reconcile": gov_selectors.reconcile(),
        "jobs": [
            {
                "id": j.pk,
                "status": j.status,
                "note": j.note,
                "version": j.version.number if j.version else None,
            }
            for j in IngestJob.objects.filter(dataset_id=state["dataset"]).select_related("version")
        ],
        "versions": {v.number: v.rows for v in versions},
        "current": Dataset.objects.get(pk=state["dataset"]).current_version.number
        if Dataset.objects.get(pk=state["dataset"]).current_version_id
        else None,
        "lake": {v.number: v.meta.get("rows") for v in store.versions(state["slug"])},
        "lake_notes": {v.number: v.meta.get("note") for v in store.versions(state["slug"])},
        "staging": [str(p) for p in store.staging_dirs()],
        "uploads": sorted(p.name for p in settings.UPLOAD_DIR.glob("*"))
        if settings.UPLOAD_DIR.is_dir()
        else [],
    }
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    _setup_django()
    command, *args = sys.argv[1:]
    if command == "setup":
        setup(args[0])
    elif command == "ingest":
        ingest(args[0], int(args[1]), int(args[2]))
    elif command == "recover":
        recover()
    elif command == "facts":
        facts(args[0])
    else:
        raise SystemExit(f"unknown command {command}")
