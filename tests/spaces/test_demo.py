"""The spaces demo: a complex in Chuncheon with occupied and free units, leases, arrears and bookings."""

import pytest

from dongne.network.demo import SECRETARIAT_EMAIL, load_demo
from dongne.spaces import selectors
from dongne.spaces.demo import load_spaces_demo
from dongne.spaces.models import Booking, Lease, TenancyApplication, Unit


@pytest.mark.django_db
def test_demo_complex(django_user_model):
    load_demo()
    secretariat = django_user_model.objects.get(email=SECRETARIAT_EMAIL)
    lines = load_spaces_demo(secretariat)
    assert lines and "입주단지" in lines[0]
    statuses = set(Unit.objects.values_list("status", flat=True))
    assert {"occupied", "available", "reserved", "unavailable"} <= statuses
    assert Lease.objects.filter(status="active").count() == 10
    assert len(selectors.arrears_by_tenant()) == 2
    assert Booking.objects.filter(status="confirmed").count() > 20
    assert selectors.waiting_list("office")["office"]
    assert TenancyApplication.objects.filter(status="leased").count() == 1
    # The representative who logs in as rep@demo.dongne.kr has a lease.
    rep = django_user_model.objects.get(email="rep@demo.dongne.kr")
    assert Lease.objects.filter(organisation__in=selectors.represented_organisations(rep)).exists()
    assert load_spaces_demo(secretariat) == []  # once only


@pytest.mark.django_db
def test_pages_with_the_demo(client, django_user_model):
    load_demo()
    secretariat = django_user_model.objects.get(email=SECRETARIAT_EMAIL)
    load_spaces_demo(secretariat)
    page = client.get("/spaces/").content.decode()
    assert "unit-occupied" in page and "unit-available" in page and "unit-unavailable" in page
    client.force_login(secretariat)
    reports = client.get("/spaces/reports/").content.decode()
    assert "대회의실" in reports and 'id="occupancy"' in reports
    leases = client.get("/spaces/leases/").content.decode()
    assert leases.count("<tr>") > 10
    lease = Lease.objects.filter(status="active").first()
    detail = client.get(f"/spaces/leases/{lease.pk}/").content.decode()
    assert 'id="charges"' in detail
    application = TenancyApplication.objects.filter(status="submitted").first()
    assert client.get(f"/spaces/applications/{application.pk}/").status_code == 200
    rep = django_user_model.objects.get(email="rep@demo.dongne.kr")
    client.force_login(rep)
    own = Lease.objects.get(organisation__in=selectors.represented_organisations(rep))
    assert client.get(f"/spaces/leases/{own.pk}/").status_code == 200
    assert client.get(f"/spaces/leases/{lease.pk if lease != own else 0}/").status_code in (403, 404)
    assert client.get(f"/spaces/applications/{application.pk}/").status_code == 404
