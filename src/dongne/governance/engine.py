"""The rules engine: quorum and outcome of a resolution, with a Korean explanation a member can check.

Pure functions, no database: the services pass in the counts they recorded.

- Ordinary resolution of the general assembly (협동조합 기본법 제29조②): a majority of the members on the roll
  present, and a majority of those present in favour.
- Special resolution (제29조①: articles, merger/split, dissolution, expulsion, refund of capital): the same
  quorum, and two thirds of those present in favour.
- Board (제32조④ and the model articles): a majority of the directors on the roll present, a majority of those
  present in favour.
One member, one vote whatever the capital held (제23조①, applied by 제91조): counts are of members, not shares.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import ItemKind, Outcome


@dataclass(frozen=True)
class Decision:
    outcome: str
    quorum_met: bool
    explanation: str
    article: str


def _majority(n):
    """The smallest number that is more than half of ``n``."""
    return n // 2 + 1


def _two_thirds(n):
    """The smallest number that is at least two thirds of ``n``."""
    return -(-2 * n // 3)


def decide(*, board, kind, roster, present, proxies, yes, no=0, abstain=0):
    """The outcome of one agenda item. ``present`` counts proxies (제23조②: a proxy's vote is the member's)."""
    if kind == ItemKind.REPORT:
        return Decision(Outcome.NOTED, True, _("Report item: no vote is taken."), "")
    if board:
        article = _("Framework Act on Cooperatives Article 32(4)")
        head = _("%(roster)s directors on the roll, %(present)s present") % {
            "roster": roster,
            "present": present,
        }
    else:
        article = (
            _("Framework Act on Cooperatives Article 29(1)")
            if kind == ItemKind.SPECIAL
            else _("Framework Act on Cooperatives Article 29(2)")
        )
        head = _("%(roster)s on the roll, %(present)s present (%(proxies)s by proxy)") % {
            "roster": roster,
            "present": present,
            "proxies": proxies,
        }
    quorum = _majority(roster)
    if present < quorum:
        tail = _("fewer than a majority of the roll (%(needed)s) → no quorum, no resolution") % {
            "needed": quorum
        }
        return Decision(Outcome.NO_QUORUM, False, f"{head} {tail} ({article})", article)
    if kind == ItemKind.SPECIAL and not board:
        needed = _two_thirds(present)
        if yes >= needed:
            tail = _("%(yes)s in favour ≥ two thirds of those present (%(needed)s) → passed")
            outcome = Outcome.PASSED
        else:
            tail = _("%(yes)s in favour < two thirds of those present (%(needed)s) → rejected")
            outcome = Outcome.REJECTED
    else:
        needed = _majority(present)
        if yes >= needed:
            tail = _("%(yes)s in favour = majority of those present → passed")
            outcome = Outcome.PASSED
        else:
            tail = _("%(yes)s in favour < majority of those present (%(needed)s) → rejected")
            outcome = Outcome.REJECTED
    tail = tail % {"yes": yes, "needed": needed}
    return Decision(outcome, True, f"{head}, {tail} ({article})", article)
