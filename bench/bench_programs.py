"""Programs benchmark: the registration service against the bare insert it wraps, and the 200-for-50 race.

    .venv/bin/python bench/bench_programs.py               # 400 registrations for 200 places (default)
    .venv/bin/python bench/bench_programs.py --people 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dongne_bench_programs .venv/bin/python bench/bench_programs.py

In a scratch database (a temporary SQLite file, or the PostgreSQL database in DATABASE_URL — its name must contain
'bench', since its public schema is wiped; migrated first), times:

- **ours**: ``services.register`` for N people (e-mails sent inline, as with no queue) on a program with N/2 places — permission check, program row
  lock, conditional ``UPDATE … WHERE seats_taken < capacity``, the registration row, the audit entry and the
  e-mail (locmem backend, rendered with its .ics for the confirmed half);
- **raw**: ``Registration.objects.create`` of the same rows in their own transactions — the least any
  registration costs;
- **race**: N people registering at once from a pool of threads (8 on SQLite, 32 on PostgreSQL), checked to end
  with exactly N/2 confirmed and the rest waitlisted in order.

It prints ours / raw (the price of the rules) and registrations per second in the race.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=400)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="dongne-bench-programs-")
    os.environ.setdefault("DONGNE_DATA_DIR", scratch)
    os.environ["DONGNE_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DONGNE_JOBS_IMMEDIATE"] = "true"
    os.environ["DONGNE_PASSWORD_HASHERS"] = "django.contrib.auth.hashers.MD5PasswordHasher"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dongne.config.settings")
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection, transaction

    if connection.vendor == "postgresql":
        if "bench" not in connection.settings_dict["NAME"]:
            sys.exit("Refusing to wipe a PostgreSQL database whose name does not contain 'bench'.")
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    call_command("migrate", verbosity=0)

    from tests.programs.factories import make_program

    from dongne.core.choices import Role
    from dongne.core.models import User
    from dongne.programs import selectors, services
    from dongne.programs.models import Registration

    n = args.people
    secretariat = User.objects.create(email="bench-sec@dongne.kr", name="사무국", role=Role.SECRETARIAT)
    users = [User(email=f"bench{i}@dongne.kr", name=f"참가자{i}") for i in range(3 * n)]
    User.objects.bulk_create(users)
    users = list(User.objects.filter(email__startswith="bench").exclude(pk=secretariat.pk).order_by("pk"))
    mine, bare, racers = users[:n], users[n : 2 * n], users[2 * n :]

    ours_program = make_program(secretariat, capacity=n // 2)
    raw_program = make_program(secretariat, capacity=n // 2)
    # Warm-up outside the timings: URLconf, templates and the e-mail path load on first use.
    warm = make_program(secretariat, capacity=1)
    services.register(actor=secretariat, program_id=warm.pk)

    start = time.perf_counter()
    for user in mine:
        services.register(actor=user, program_id=ours_program.pk)
    ours = time.perf_counter() - start

    start = time.perf_counter()
    for i, user in enumerate(bare):
        with transaction.atomic():
            Registration.objects.create(
                program=raw_program, user=user, status="confirmed" if i < n // 2 else "waitlisted"
            )
    raw = time.perf_counter() - start

    race_program = make_program(secretariat, capacity=n // 2)
    work = queue.Queue()
    for user in racers:
        work.put(user)
    workers = 32 if connection.vendor == "postgresql" else 8
    barrier = threading.Barrier(workers + 1)
    errors = []

    def worker():
        try:
            barrier.wait()
            while True:
                try:
                    user = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    services.register(actor=user, program_id=race_program.pk)
                except Exception as exc:  # reported below
                    errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    race = time.perf_counter() - start

    regs = list(Registration.objects.filter(program=race_program).order_by("id"))
    confirmed = [r for r in regs if r.status == "confirmed"]
    waiting = [r for r in regs if r.status == "waitlisted"]
    ok = (
        not errors
        and len(confirmed) == n // 2
        and len(waiting) == n - n // 2
        and max(r.pk for r in confirmed) < min(r.pk for r in waiting)
        and [selectors.waitlist_position(r) for r in waiting[:5]] == [1, 2, 3, 4, 5]
    )
    print(f"database: {connection.vendor}; {n} registrations for {n // 2} places")
    print(f"raw inserts       {raw * 1000:8.1f} ms  ({raw / n * 1000:.2f} ms each)")
    print(
        f"services.register {ours * 1000:8.1f} ms  ({ours / n * 1000:.2f} ms each)  ratio {ours / raw:.2f}×"
    )
    print(f"race ({workers} threads) {race * 1000:8.1f} ms  ({n / race:.0f} registrations/s)  correct: {ok}")
    if not ok:
        print(f"errors: {errors[:3]}; confirmed {len(confirmed)}, waiting {len(waiting)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
