"""Races for concurrency tests: many real threads, each with its own database connection, released together.

Use with ``@pytest.mark.django_db(transaction=True)`` so that what one thread commits the others see.
"""

import threading

from django.db import connection


def connection_cap(wanted: int) -> int:
    """How many threads may hold a database connection at once: all of them on SQLite; on PostgreSQL what
    max_connections leaves free (minus a margin for the test's own and other sessions)."""
    if connection.vendor != "postgresql":
        return wanted
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity")
        free = cursor.fetchone()[0]
    return max(10, min(wanted, free - 10))


def race(fn, args_list, *, timeout=300):
    """Call ``fn(*args)`` for every ``args`` in ``args_list``, one thread each, all released by one barrier;
    returns ``[("ok", value) | ("error", exception)]`` in the order of ``args_list``. When the database allows
    fewer connections than threads, a semaphore lets that many in at a time — every call still races."""
    barrier = threading.Barrier(len(args_list))
    gate = threading.BoundedSemaphore(connection_cap(len(args_list)))
    outcomes = [None] * len(args_list)

    def worker(index, args):
        try:
            barrier.wait(timeout=60)
            with gate:
                try:
                    outcomes[index] = ("ok", fn(*args))
                finally:
                    connection.close()
        except Exception as exc:  # collected for the test to assert on
            outcomes[index] = ("error", exc)

    threads = [threading.Thread(target=worker, args=(i, a)) for i, a in enumerate(args_list)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    return outcomes
