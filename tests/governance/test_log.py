"""The hash-chained log of votes and resolutions: intact chains verify; an entry changed behind the
application's back (raw SQL) is found and named, by the service and by `dongne governance verify-log`."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from dongne.core.cli import main
from dongne.governance import chain, services
from dongne.governance.models import LogEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def votes(secretariat, members):
    now = timezone.now()
    poll = services.create_poll(
        actor=secretariat,
        title="의견",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
    )
    for member in members[:4]:
        services.cast_vote(actor=member.rep, poll_id=poll.pk, option=1)
    return poll


def test_each_entry_hashes_the_previous_hash_and_its_canonical_payload(votes):
    entries = list(LogEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == chain.GENESIS
    for prev, entry in zip([None, *entries], entries, strict=False):
        if prev is not None:
            assert entry.prev_hash == prev.hash
        assert entry.hash == chain.chain_hash(entry.prev_hash, entry.payload)
    result = services.verify_log(actor=None)
    assert result.ok and result.checked == 4


def test_a_tampered_entry_is_named(votes, secretariat, capsys):
    table = LogEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET payload = REPLACE(payload, '\"option\":1', '\"option\":2') WHERE seq = 3"
        )
    result = services.verify_log(actor=secretariat)
    assert not result.ok and result.broken_seq == 3
    assert "#3" in result.reason and "변조" in result.reason
    assert main(["governance", "verify-log"]) == 1
    assert "#3" in capsys.readouterr().err


def test_a_removed_entry_is_found(votes):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {LogEntry._meta.db_table} WHERE seq = 4")
    result = services.verify_log(actor=None)
    assert not result.ok and result.broken_seq == 4


def test_the_command_reports_an_intact_chain(votes, capsys):
    assert main(["governance", "verify-log"]) == 0
    assert "4" in capsys.readouterr().out


def test_the_log_refuses_edits_through_the_application(votes):
    entry = LogEntry.objects.first()
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        LogEntry.objects.all().update(payload="{}")
