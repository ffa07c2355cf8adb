"""Opportunities and active members made through the services (so search, tokens and audit are real)."""

import datetime as dt

from dongne.network import services as network
from dongne.opportunities import services
from tests.factories import make_organisation


def make_opportunity(actor, **data):
    data.setdefault("kind", "funding_call")
    data.setdefault("title", "지역 SW 서비스 사업화 지원")
    return services.create_opportunity(actor=actor, data=data)


def make_member(actor, **data):
    """An active member company (applied, approved and activated through the network services)."""
    data.setdefault("sigungu_code", "32010")
    data.setdefault("founded_on", "2019-03-01")
    data.setdefault("employees", 10)
    org = make_organisation(actor, **data)
    m = network.apply_membership(
        actor=actor, organisation_id=org.pk, member_type="producer", applied_on=dt.date(2024, 3, 4)
    )
    network.approve_membership(
        actor=actor, membership_id=m.pk, decision_ref="2024년 제2차 이사회", approved_on=dt.date(2024, 3, 20)
    )
    network.activate_membership(actor=actor, membership_id=m.pk, on=dt.date(2024, 4, 1))
    return org


def make_advisor(actor, **data):
    data.setdefault("kind", "advisory")
    data.setdefault("sigungu_code", "32010")
    return make_organisation(actor, **data)
