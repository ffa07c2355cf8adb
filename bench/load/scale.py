"""Scale the demo for the load benchmark (run after `dongne demo`, in the same data folder / database):

    python -m bench.load.scale --organisations 10000 --rows 1000000 --users 200 --out state.json

Adds organisations up to ``--organisations`` (bulk rows plus their search documents, so that the directory
and its search answer at that size), a catalog dataset ``bench-visits`` of ``--rows`` rows ingested through the
real path (start_ingest → run_ingest_job → the lake), ``--users`` member representatives with API tokens, an
open program with room for all of them and a bookable room. Writes what the load generator needs as JSON."""

import argparse
import csv
import datetime as dt
import json
import os
import random
import tempfile
import time

import django


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--out", default="load-state.json")
    parser.add_argument(
        "--fresh", action="store_true", help="only a new program and booking day for another run (in --out)"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dongne.config.settings")
    django.setup()

    from django.contrib.auth.hashers import make_password
    from django.core.files import File
    from django.db import transaction
    from django.utils import timezone

    from dongne.core import services as core
    from dongne.core.choices import Role
    from dongne.core.models import User
    from dongne.datahub import services as datahub
    from dongne.datahub.models import Dataset
    from dongne.network import services as network
    from dongne.network.models import Affiliation, Organisation, Person
    from dongne.programs import services as programs
    from dongne.spaces import services as spaces

    rng = random.Random(7)
    secretariat = User.objects.filter(role=Role.SECRETARIAT, is_active=True).order_by("pk").first()
    if args.fresh:
        from dongne.spaces.models import Booking

        state = json.load(open(args.out))
        state["program"] = _program(programs, secretariat, timezone).pk
        last = Booking.objects.filter(facility_id=state["facility"]).order_by("-end").first()
        if last is not None:
            state["first_day"] = (timezone.localtime(last.end).date() + dt.timedelta(days=1)).isoformat()
        json.dump(state, open(args.out, "w"))
        return
    t = time.perf_counter()
    have = Organisation.objects.count()
    words = [
        "관광",
        "데이터",
        "문화",
        "레저",
        "소프트",
        "플랫폼",
        "콘텐츠",
        "여행",
        "축제",
        "지도",
        "AI",
        "IoT",
    ]
    new = [
        Organisation(
            kind=rng.choice(["member_company", "local_business", "partner"]),
            name=f"{rng.choice(words)}{rng.choice(words)} 기업 {n}",
            description=f"춘천 {rng.choice(words)} {rng.choice(words)} 서비스를 만드는 회사",
            sigungu_code="51110",
            is_public=True,
        )
        for n in range(have, args.organisations)
    ]
    with transaction.atomic():
        created = Organisation.objects.bulk_create(new, batch_size=1000)
        for org in created:
            network.reindex_organisation(org)
    print(
        f"organisations: {have} → {Organisation.objects.count()} ({time.perf_counter() - t:.0f} s)",
        flush=True,
    )

    t = time.perf_counter()
    dataset = Dataset.objects.filter(slug="bench-visits").first()
    if dataset is None:
        dataset = datahub.create_dataset(
            actor=secretariat,
            data={
                "slug": "bench-visits",
                "title": "부하 시험 방문 기록",
                "description": "일별 방문",
                "themes": ["tourism"],
            },
        )
    if dataset.current_version_id is None or dataset.current_version.rows != args.rows:
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["날짜", "읍면동", "업종", "방문객수", "매출액"])
            start = dt.date(2023, 1, 1)
            for i in range(args.rows):
                w.writerow(
                    [
                        start + dt.timedelta(days=i % 730),
                        f"동{i % 25}",
                        words[i % len(words)],
                        i % 977,
                        (i * 37) % 100000,
                    ]
                )
            path = f.name
        with open(path, "rb") as fh:
            job = datahub.start_ingest(
                actor=secretariat, dataset_id=dataset.pk, uploaded_file=File(fh, name="visits.csv")
            )
        os.unlink(path)
        datahub.run_ingest_job(actor=secretariat, job_id=job.pk)  # here, not through the queue
        dataset.refresh_from_db()
    print(
        f"dataset bench-visits: {dataset.current_version.rows} rows ({time.perf_counter() - t:.0f} s)",
        flush=True,
    )

    t = time.perf_counter()
    org = Organisation.objects.filter(name="부하시험조합원").first()
    if org is None:
        org = network.create_organisation(
            actor=secretariat, data={"kind": "member_company", "name": "부하시험조합원"}
        )
        today = timezone.localdate()
        m = network.apply_membership(
            actor=secretariat, organisation_id=org.pk, member_type="producer", applied_on=today
        )
        network.approve_membership(
            actor=secretariat, membership_id=m.pk, decision_ref="이사회", approved_on=today
        )
        network.activate_membership(actor=secretariat, membership_id=m.pk, on=today)
    hashed = make_password("bench-password")
    tokens = []
    for n in range(args.users):
        user, made = User.objects.get_or_create(
            email=f"load{n}@bench.dongne.kr",
            defaults={"name": f"부하{n}", "role": Role.MEMBER_REP, "password": hashed},
        )
        if made:
            person = Person.objects.create(name=user.name, user=user)
            Affiliation.objects.create(person=person, organisation=org, is_representative=True)
        tokens.append(core.create_api_token(actor=user, name="load").raw_token)
    program = _program(programs, secretariat, timezone)
    from dongne.spaces.models import Facility

    room = Facility.objects.filter(name="부하 회의실").first()
    if room is None:
        building = spaces.create_building(actor=secretariat, name="부하 시험 센터", address="춘천시")
        room = spaces.create_facility(
            actor=secretariat,
            building_id=building.pk,
            data={
                "name": "부하 회의실",
                "kind": "meeting_room",
                "capacity": 8,
                "opens_at": "00:00",
                "closes_at": "23:30",
                "weekdays": "0123456",
                "max_minutes": 120,
                "audience": "both",
            },
        )
    print(f"users, program, room ({time.perf_counter() - t:.0f} s)", flush=True)
    with open(args.out, "w") as f:
        json.dump(
            {
                "tokens": tokens,
                "program": program.pk,
                "facility": room.pk,
                "slug": dataset.slug,
                "organisation": Organisation.objects.filter(is_public=True).order_by("-pk").first().pk,
                "first_day": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            },
            f,
        )


def _program(programs, secretariat, timezone):
    start = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0) + dt.timedelta(days=20)
    return programs.create_program(
        actor=secretariat,
        data={
            "kind": "seminar",
            "title": "부하 시험 세미나",
            "summary": "부하",
            "capacity": 100000,
            "status": "published",
        },
        sessions=[
            {"title": "1회차", "starts_at": start, "ends_at": start + dt.timedelta(hours=2), "place": "센터"}
        ],
    )


if __name__ == "__main__":
    main()
