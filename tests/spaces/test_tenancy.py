"""Tenancy: a secretariat user takes an application through scoring to a lease; non-members are refused;
ranking and waiting list per unit type; leases never overlap; rent schedule, payments and arrears; renewal by
the light check; move-in and move-out; notice before a lease ends."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from dongne.core.errors import Conflict, PermissionDenied, ValidationError
from dongne.spaces import selectors, services
from dongne.spaces.models import Charge, Lease, Payment, TenancyApplication
from tests.factories import make_organisation, make_representative
from tests.network.conftest import drive

pytestmark = pytest.mark.django_db

RUBRIC = [
    {"name": "사업계획의 타당성", "weight": 40},
    {"name": "지역 기여도", "weight": 30},
    {"name": "성장 가능성", "weight": 30, "max_score": 5},
]


@pytest.fixture
def rubric(secretariat):
    return services.set_rubric(actor=secretariat, title="2030년 입주 심사 기준", criteria=RUBRIC)


def apply(actor, org, **kw):
    data = {
        "unit_type": "office",
        "desks_needed": 5,
        "desired_start": "2030.04.01",
        "business_plan": "관광 빅데이터 분석 서비스 확장",
        "term_years": 3,
    }
    data.update(kw)
    return services.apply_for_tenancy(actor=actor, organisation_id=org.pk, **data)


def score_all(actor, application, values):
    criteria = list(application.rubric.criteria.all())
    return services.score_application(
        actor=actor,
        application_id=application.pk,
        scores={c.pk: v for c, v in zip(criteria, values, strict=True)},
    )


def test_secretariat_takes_application_through_scoring_to_a_lease(
    secretariat, chair, member_rep, member_org, rubric, unit
):
    document = SimpleUploadedFile("사업계획서.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    application = apply(member_rep, member_org, documents=[("사업계획서", document)])
    assert application.status == "submitted" and application.documents.count() == 1

    score_all(secretariat, application, [8, 7, 4])  # (0.8×40 + 0.7×30 + 0.8×30) = 77
    score_all(chair, application, [10, 9, 5])  # (40 + 27 + 30) = 97
    assert selectors.application_score(application) == pytest.approx(87)

    services.decide_application(actor=secretariat, application_id=application.pk, approve=True, note="적격")
    application.refresh_from_db()
    assert application.status == "approved" and float(application.score) == 87.0
    assert selectors.waiting_list("office")["office"] == [application]

    lease = services.sign_lease(
        actor=secretariat,
        unit_id=unit.pk,
        organisation_id=member_org.pk,
        starts_on="2030-04-01",
        years=3,
        application_id=application.pk,
    )
    application.refresh_from_db()
    assert application.status == "leased"
    assert selectors.waiting_list("office")["office"] == []
    assert lease.ends_on == dt.date(2033, 3, 31)
    assert lease.charges.count() == 36
    assert {c.amount for c in lease.charges.all()} == {480000}
    unit.refresh_from_db()
    assert unit.status == "reserved"
    services.record_move_in(actor=secretariat, lease_id=lease.pk, on="2030-04-01", notes="벽면 긁힘 1곳")
    unit.refresh_from_db()
    assert unit.status == "occupied"


def test_application_from_non_member_is_rejected_and_nothing_stored(secretariat, rubric):
    outsider = make_organisation(secretariat, name="비회원기업")
    rep = make_representative(outsider)
    with pytest.raises(ValidationError) as err:
        apply(rep, outsider)
    assert "비회원기업" in str(err.value)
    applicant = make_organisation(secretariat, name="가입신청중기업")
    drive(secretariat, applicant, "applied")
    with pytest.raises(ValidationError):
        apply(secretariat, applicant)
    assert not TenancyApplication.objects.exists()


def test_others_cannot_apply_for_a_company_or_score(member_rep, other_member, rubric, member_org):
    with pytest.raises(PermissionDenied):
        apply(member_rep, other_member)
    application = apply(member_rep, member_org)
    with pytest.raises(PermissionDenied):
        score_all(member_rep, application, [1, 1, 1])


def test_scores_must_cover_the_rubric_within_range(secretariat, member_rep, member_org, rubric):
    application = apply(member_rep, member_org)
    criteria = list(application.rubric.criteria.all())
    with pytest.raises(ValidationError):
        services.score_application(
            actor=secretariat, application_id=application.pk, scores={criteria[0].pk: 5}
        )
    with pytest.raises(ValidationError):
        score_all(secretariat, application, [8, 7, 6])  # 6 > 5 for the third criterion
    with pytest.raises(ValidationError):  # approving needs a review
        services.decide_application(actor=secretariat, application_id=application.pk, approve=True)


def test_ranking_and_waiting_list_per_unit_type(
    secretariat, rubric, member_rep, member_org, other_rep, other_member
):
    a = apply(member_rep, member_org)
    b = apply(other_rep, other_member)
    c = apply(other_rep, other_member, unit_type="lab")
    score_all(secretariat, a, [5, 5, 3])
    score_all(secretariat, b, [9, 9, 5])
    score_all(secretariat, c, [10, 10, 5])
    assert [r["application"] for r in selectors.ranking("office")] == [b, a]
    for app in (a, b, c):
        services.decide_application(actor=secretariat, application_id=app.pk, approve=True)
    waiting = selectors.waiting_list()
    assert waiting["office"] == [b, a]
    assert waiting["lab"] == [c]


def test_rubric_change_keeps_old_applications(secretariat, member_rep, member_org, rubric):
    application = apply(member_rep, member_org)
    services.set_rubric(actor=secretariat, title="새 기준", criteria=[{"name": "고용 창출", "weight": 100}])
    application.refresh_from_db()
    assert application.rubric == rubric
    with pytest.raises(ValidationError):
        services.set_rubric(actor=secretariat, title="빈 기준", criteria=[])


@pytest.fixture
def lease(secretariat, member_org, unit):
    return services.sign_lease(
        actor=secretariat,
        unit_id=unit.pk,
        organisation_id=member_org.pk,
        starts_on="2024-03-15",
        ends_on="2027-03-14",
    )


def test_rent_schedule_prorates_part_months(lease):
    first = lease.charges.order_by("month").first()
    assert first.month == dt.date(2024, 3, 1)
    assert first.amount == round(400000 * 17 / 31) + round(80000 * 17 / 31)
    assert lease.charges.count() == 37


def test_overlapping_lease_refused_nothing_stored(secretariat, lease, unit, other_member):
    with pytest.raises(Conflict) as err:
        services.sign_lease(
            actor=secretariat,
            unit_id=unit.pk,
            organisation_id=other_member.pk,
            starts_on="2027-03-14",
            years=2,
        )
    assert err.value.code == "overlapping_lease" and "봄내데이터랩" in str(err.value)
    assert Lease.objects.count() == 1 and Charge.objects.filter(lease__organisation=other_member).count() == 0
    nxt = services.sign_lease(
        actor=secretariat, unit_id=unit.pk, organisation_id=other_member.pk, starts_on="2027-03-15", years=2
    )
    assert nxt.starts_on == dt.date(2027, 3, 15)


def test_database_refuses_overlapping_lease(lease, member_org, unit):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Lease.objects.create(
            unit=unit,
            organisation=member_org,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2028, 1, 1),
            monthly_rent=1,
            maintenance_fee=1,
        )


def test_payments_and_arrears(secretariat, lease):
    march, april = lease.charges.order_by("month")[:2]
    services.record_payment(actor=secretariat, charge_id=march.pk, amount=march.amount, paid_on="2024-03-10")
    services.record_payment(actor=secretariat, charge_id=april.pk, amount=100000, paid_on="2024-04-10")
    with pytest.raises(ValidationError) as err:
        services.record_payment(actor=secretariat, charge_id=april.pk, amount=400000)
    assert "380,000원" in str(err.value)
    assert Payment.objects.count() == 2
    rows = selectors.arrears_by_tenant(today=dt.date(2024, 6, 1))
    assert rows[0]["amount"] == 380000 + 480000  # rest of April and all of May
    assert rows[0]["months"] == 2


def test_renewal_by_light_check(secretariat, member_rep, member_org, lease):
    today = dt.date(2027, 1, 5)
    with pytest.raises(ValidationError) as err:
        services.renew_lease(actor=secretariat, lease_id=lease.pk, years=3, today=today)
    assert set(err.value.errors["checks"]) and len(err.value.errors["checks"]) == 2  # dues and activity
    for charge in lease.charges.filter(due_on__lt=today):
        services.record_payment(actor=secretariat, charge_id=charge.pk, amount=charge.outstanding)
    services.report_activity(
        actor=member_rep, organisation_id=member_org.pk, year=2026, summary="고용 3명 증가", employees=12
    )
    renewed = services.renew_lease(actor=secretariat, lease_id=lease.pk, years=3, today=today)
    assert renewed.ends_on == dt.date(2030, 3, 14)
    assert renewed.renewals.count() == 1
    assert renewed.charges.filter(month=dt.date(2030, 3, 1)).exists()


def test_move_out_early_ends_lease_and_frees_unit(secretariat, lease, unit):
    services.record_move_in(actor=secretariat, lease_id=lease.pk, on="2024-03-15", notes="양호")
    services.record_move_out(
        actor=secretariat, lease_id=lease.pk, on="2025-06-30", notes="바닥 얼룩, 보증금 일부 공제"
    )
    lease.refresh_from_db()
    unit.refresh_from_db()
    assert lease.status == "ended" and lease.ends_on == dt.date(2025, 6, 30)
    assert unit.status == "available"
    assert not lease.charges.filter(month__gt=dt.date(2025, 6, 30)).exists()


def test_notice_before_lease_ends_sent_once(secretariat, member_rep, lease):
    assert services.send_lease_end_notices(today=dt.date(2026, 1, 1)) == []
    sent = services.send_lease_end_notices(today=dt.date(2027, 1, 1))
    assert sent == [lease]
    assert len(mail.outbox) == 1 and member_rep.email in mail.outbox[0].to
    assert services.send_lease_end_notices(today=dt.date(2027, 1, 2)) == []
    with pytest.raises(PermissionDenied):
        services.send_lease_end_notices(actor=member_rep, today=dt.date(2027, 1, 2))


def test_periodic_task_sends_notices(secretariat, member_rep, member_org, unit):
    from django.utils import timezone

    from dongne.spaces import tasks

    today = timezone.localdate()
    lease = services.sign_lease(
        actor=secretariat,
        unit_id=unit.pk,
        organisation_id=member_org.pk,
        starts_on=today - dt.timedelta(days=700),
        ends_on=today + dt.timedelta(days=30),
    )
    assert tasks.lease_end_notices.call_local() == [lease.pk]
    assert len(mail.outbox) == 1 and member_rep.email in mail.outbox[0].to


def test_documents_and_withdrawal(secretariat, member_rep, member_org, other_rep, rubric, client):
    application = apply(member_rep, member_org)
    doc = services.add_application_document(
        actor=member_rep,
        application_id=application.pk,
        title="사업자등록증",
        uploaded_file=SimpleUploadedFile("등록증.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )
    client.force_login(other_rep)
    assert client.get(f"/spaces/documents/{doc.pk}/").status_code == 404
    client.force_login(secretariat)
    assert client.get(f"/spaces/documents/{doc.pk}/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.withdraw_application(actor=other_rep, application_id=application.pk)
    services.withdraw_application(actor=member_rep, application_id=application.pk)
    with pytest.raises(Conflict):
        services.withdraw_application(actor=member_rep, application_id=application.pk)
    assert TenancyApplication.objects.get().status == "withdrawn"
    # The company can apply again once its earlier application is withdrawn.
    apply(member_rep, member_org)


def test_secretariat_pays_through_the_lease_page(client, secretariat, lease):
    charge = lease.charges.order_by("month").first()
    client.force_login(secretariat)
    r = client.post(
        f"/spaces/leases/{lease.pk}/pay/",
        {"charge": charge.pk, "amount": charge.amount + 1},
        HTTP_REFERER=f"/spaces/leases/{lease.pk}/",
    )
    assert r.status_code == 302
    charge.refresh_from_db()
    assert charge.paid == 0 and not Payment.objects.exists()
    client.post(f"/spaces/leases/{lease.pk}/pay/", {"charge": charge.pk, "amount": charge.amount})
    charge.refresh_from_db()
    assert charge.paid == charge.amount
