"""The Chuncheon demo (`dongne demo`, part of `make run`): the cooperative as the source article
describes it, made through the services."""

import datetime as dt

import pytest

from dongne.core.korean import validate_business_number, validate_corporate_number
from dongne.core.models import AuditEntry, User
from dongne.network import selectors
from dongne.network.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, load_demo
from dongne.network.models import Membership, MembershipEvent, Mou, Organisation

NAMED_PARTNERS = [
    "강릉과학산업진흥원",
    "영월산업진흥원",
    "강원창업보육센터",
    "춘천여성인력개발센터",
    "강원디자인진흥원",
]


@pytest.fixture
def demo(db):
    return load_demo()


def test_the_cooperative_as_the_article_describes_it(demo):
    assert demo["created"] is True
    active = Membership.objects.filter(status="active")
    assert active.count() == 50
    assert {m.organisation.kind for m in active.select_related("organisation")} == {"member_company"}
    assert Organisation.objects.filter(kind="advisory").count() == 13
    assert Mou.objects.count() >= 10
    partners = set(Mou.objects.values_list("partner__name", flat=True))
    for name in NAMED_PARTNERS:
        assert name in partners, name
    assert any("소상공인시장진흥공단" in name for name in partners)
    design = Mou.objects.get(partner__name="강원디자인진흥원")
    assert design.signed_on == dt.date(2020, 11, 23)


def test_founders_joined_as_the_social_cooperative_started(demo):
    """12 founding members, approved at the founding in spring 2019."""
    founders = Membership.objects.filter(status="active", activated_on=dt.date(2019, 4, 15))
    assert founders.count() == 12
    assert not Membership.objects.filter(status="active", applied_on__lt=dt.date(2019, 3, 1)).exists()


def test_every_registration_number_validates(demo):
    numbers = list(
        Organisation.objects.exclude(business_number=None).values_list("business_number", flat=True)
    )
    assert len(numbers) >= 50
    for number in numbers:
        assert validate_business_number(number) == number
    for number in Organisation.objects.exclude(corporate_number=None).values_list(
        "corporate_number", flat=True
    ):
        assert validate_corporate_number(number) == number


def test_demo_history_is_in_order_and_audited(demo):
    for membership in Membership.objects.filter(status="active")[:50]:
        dates = list(membership.events.values_list("on", flat=True))
        assert dates == sorted(dates) and len(dates) == 3
    assert (
        AuditEntry.objects.filter(action="network.organisation.created").count()
        == Organisation.objects.count()
    )
    assert MembershipEvent.objects.filter(to_status="approved").count() == 50


def test_demo_gives_the_secretariat_work_to_do(demo):
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    assert selectors.pending_applications(secretariat).count() >= 1
    assert selectors.expiring_mous(secretariat, days=90).exists()


def test_running_the_demo_twice_does_not_duplicate(demo):
    counts = (
        Organisation.objects.count(),
        Membership.objects.count(),
        Mou.objects.count(),
        AuditEntry.objects.count(),
    )
    again = load_demo()
    assert again["created"] is False
    assert (
        Organisation.objects.count(),
        Membership.objects.count(),
        Mou.objects.count(),
        AuditEntry.objects.count(),
    ) == counts


def test_the_demo_logins_work(client, demo):
    assert client.login(email=SECRETARIAT_EMAIL, password=DEMO_PASSWORD)
    response = client.get("/network/memberships/")
    assert response.status_code == 200
    client.logout()
    response = client.post("/accounts/login/", {"username": SECRETARIAT_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    for email, _label in ((e, label) for label, e in demo["logins"]):
        assert client.login(email=email, password=DEMO_PASSWORD), email


def test_the_demo_directory_searches_in_korean(client, demo):
    response = client.get("/network/", {"q": "관광"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= 10
