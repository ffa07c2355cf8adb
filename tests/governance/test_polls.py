"""Online polls: advisory only, one vote per member (a database constraint), secret ballots that cannot be
linked to a voter, results hidden until close, no vote after close."""

import datetime as dt

import pytest
from django.utils import timezone

from dongne.core.errors import Conflict, PermissionDenied, ValidationError
from dongne.governance import selectors, services
from dongne.governance.choices import LogKind
from dongne.governance.models import Ballot, LogEntry, Participation

from .conftest import snapshot

pytestmark = pytest.mark.django_db


def open_poll(actor, **kwargs):
    now = timezone.now()
    return services.create_poll(
        actor=actor,
        title=kwargs.pop("title", "2025년 사업계획 우선순위"),
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=3),
        **kwargs,
    )


def test_one_member_one_vote_and_the_second_is_refused_naming_the_article(secretariat, members):
    poll = open_poll(secretariat)
    rep = members[0].rep
    services.cast_vote(actor=rep, poll_id=poll.pk, option=1)
    before = snapshot()
    with pytest.raises(Conflict) as info:
        services.cast_vote(actor=rep, poll_id=poll.pk, option=2)
    assert "협동조합 기본법 제23조①" in info.value.render() and members[0].name in info.value.render()
    assert snapshot() == before
    assert selectors.has_voted(rep, poll)


def test_results_stay_hidden_until_the_poll_closes(secretariat, members):
    poll = open_poll(secretariat)
    for member, option in zip(members, (1, 1, 2, 3, 1), strict=True):
        services.cast_vote(actor=member.rep, poll_id=poll.pk, option=option)
    assert selectors.poll_results(members[0].rep, poll) is None
    assert selectors.poll_results(secretariat, poll) is None  # the secretariat does not peek either
    services.close_poll(actor=secretariat, poll_id=poll.pk)
    poll.refresh_from_db()
    results = selectors.poll_results(members[0].rep, poll)
    assert results["participants"] == 5
    assert [(r["label"], r["votes"]) for r in results["rows"]] == [("찬성", 3), ("반대", 1), ("기권", 1)]
    assert LogEntry.objects.filter(kind=LogKind.POLL_CLOSED).count() == 1


def test_a_vote_after_close_is_refused_and_nothing_changes(secretariat, members):
    poll = open_poll(secretariat)
    services.close_poll(actor=secretariat, poll_id=poll.pk)
    before = snapshot()
    with pytest.raises(Conflict) as info:
        services.cast_vote(actor=members[0].rep, poll_id=poll.pk, option=1)
    assert info.value.code == "poll_closed"
    assert snapshot() == before


def test_a_secret_ballot_cannot_be_linked_to_its_voter(secretariat, members):
    poll = open_poll(
        secretariat, secret=True, ballot_type="choice", options=["관광 데이터 플랫폼", "입주단지", "교육"]
    )
    services.cast_vote(actor=members[0].rep, poll_id=poll.pk, option=2)
    services.cast_vote(actor=members[1].rep, poll_id=poll.pk, option=1)
    assert set(Participation.objects.filter(poll=poll).values_list("organisation_id", flat=True)) == {
        members[0].pk,
        members[1].pk,
    }
    ballots = Ballot.objects.filter(poll=poll)
    assert ballots.count() == 2
    assert all(b.organisation_id is None for b in ballots)
    assert not any(f.name in ("voted_at", "created_at") for f in Ballot._meta.fields)  # no time to correlate
    for entry in LogEntry.objects.filter(kind=LogKind.VOTE):
        assert "option" not in entry.payload  # the log names the participant, never the choice
    with pytest.raises(Conflict):
        services.cast_vote(actor=members[0].rep, poll_id=poll.pk, option=1)


def test_ranked_polls_are_tallied_with_borda_points(secretariat, members):
    poll = open_poll(secretariat, ballot_type="ranked", options=["가", "나", "다"])
    services.cast_vote(actor=members[0].rep, poll_id=poll.pk, ranking=[2, 1, 3])
    services.cast_vote(actor=members[1].rep, poll_id=poll.pk, ranking=[2, 3, 1])
    services.cast_vote(actor=members[2].rep, poll_id=poll.pk, ranking=[1, 2, 3])
    with pytest.raises(ValidationError):
        services.cast_vote(actor=members[3].rep, poll_id=poll.pk, ranking=[1, 1, 2])
    services.close_poll(actor=secretariat, poll_id=poll.pk)
    poll.refresh_from_db()
    rows = selectors.poll_results(secretariat, poll)["rows"]
    assert [(r["label"], r["points"]) for r in rows] == [("나", 5), ("가", 3), ("다", 1)]


def test_only_a_member_representative_votes_for_their_own_member(secretariat, members, chair):
    poll = open_poll(secretariat)
    with pytest.raises(PermissionDenied):
        services.cast_vote(actor=members[0].rep, poll_id=poll.pk, organisation_id=members[1].pk, option=1)
    with pytest.raises(PermissionDenied):
        services.cast_vote(actor=chair, poll_id=poll.pk, option=1)
