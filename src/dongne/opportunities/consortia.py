"""Consortium builder: small teams of members (plus advisory institutions and universities) that
cover the capabilities a call requires, each with an explanation of who covers what."""

from dataclasses import dataclass, field
from itertools import combinations

from django.utils import timezone

from dongne.core import permissions
from dongne.network.choices import OrganisationKind

from . import matching, selectors

PER_CAPABILITY = 4  # candidates kept per required capability before combining
MAX_POOL = 20


@dataclass
class TeamMember:
    organisation: object
    role: str  # "lead" or "participant"
    covers: list
    score: float
    is_member: bool


@dataclass
class Team:
    members: list
    covered: list
    missing: list
    score: float
    coverage: dict = field(default_factory=dict)  # capability → [organisation names]

    @property
    def complete(self):
        return not self.missing

    @property
    def ids(self):
        return [m.organisation.pk for m in self.members]


def suggest_teams(actor, opportunity_id, *, max_size=4, limit=5, today=None):
    """Up to ``limit`` teams of at most ``max_size`` organisations covering the call's required capabilities,
    most coverage first, then fewer organisations, then relevance. Every team has an eligible member as lead."""
    opp = selectors.get_opportunity(actor, opportunity_id)
    permissions.require(actor, "opportunities.view_member_matches", opp)
    today = today or timezone.localdate()
    facts_opp = selectors.opportunity_facts(opp)
    required = facts_opp.capabilities
    if not required:
        return opp, []
    members, member_facts = selectors.facts_for(selectors.active_members())
    advisors, advisor_facts = selectors.facts_for(selectors.advisors())
    index = matching.BM25Index([f.tokens for f in member_facts + advisor_facts])
    scores = index.scores(facts_opp.tokens)
    candidates = []
    for position, (org, facts) in enumerate(
        zip(members + advisors, member_facts + advisor_facts, strict=False)
    ):
        covers = sorted(required & facts.capabilities)
        if not covers:
            continue
        is_member = org.kind == OrganisationKind.MEMBER_COMPANY
        if is_member and not matching.is_eligible(matching.eligibility(facts_opp, facts, today)):
            continue
        candidates.append(TeamMember(org, "participant", covers, float(scores[position]), is_member))
    # Round-robin over the capabilities (each one's best candidate first), so that no capability loses
    # all of its candidates when the pool is cut.
    ranked = {
        capability: sorted(
            (c for c in candidates if capability in c.covers),
            key=lambda c: (-len(c.covers), -c.score, c.organisation.pk),
        )[:PER_CAPABILITY]
        for capability in sorted(required)
    }
    pool = []
    for rank in range(PER_CAPABILITY):
        for capability in sorted(required):
            if rank < len(ranked[capability]) and ranked[capability][rank] not in pool:
                pool.append(ranked[capability][rank])
    pool = pool[:MAX_POOL]
    teams = []
    for size in range(1, max_size + 1):
        for combo in combinations(pool, size):
            if not any(c.is_member for c in combo):
                continue
            covered = set().union(*(c.covers for c in combo))
            # A member that adds no capability the others do not already bring is not needed.
            if any(
                not (set(c.covers) - set().union(*(o.covers for o in combo if o is not c)))
                for c in combo
                if size > 1
            ):
                continue
            teams.append((combo, covered))
    teams.sort(
        key=lambda t: (-len(t[1]), len(t[0]), -sum(c.score for c in t[0]), [c.organisation.pk for c in t[0]])
    )
    out = []
    for combo, covered in teams[:limit]:
        lead = max(
            (c for c in combo if c.is_member), key=lambda c: (len(c.covers), c.score, -c.organisation.pk)
        )
        ordered = [lead] + [c for c in combo if c is not lead]
        members_out = [
            TeamMember(c.organisation, "lead" if c is lead else "participant", c.covers, c.score, c.is_member)
            for c in ordered
        ]
        coverage = {
            cap: [m.organisation.name for m in members_out if cap in m.covers] for cap in sorted(required)
        }
        out.append(
            Team(
                members=members_out,
                covered=sorted(covered),
                missing=sorted(required - covered),
                score=sum(c.score for c in combo),
                coverage=coverage,
            )
        )
    return opp, out
