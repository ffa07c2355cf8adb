"""Registering and editing organisations: validation of Korean registration numbers, dates and
regions, uniqueness, audit entries, and who may change what."""

import datetime as dt

import pytest

from dongne.core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationError
from dongne.core.models import AuditEntry
from dongne.network import selectors, services
from dongne.network.models import Affiliation, Organisation, Person
from tests.factories import UserFactory, business_number, corporate_number, make_organisation

from .conftest import snapshot

CHUNCHEON = "32010"
SINBUK = "3201011"  # 춘천시 신북읍
JUMUNJIN = "3203011"  # 강릉시 주문진읍


def digits(number):
    return number.replace("-", "")


def with_wrong_check_digit(number):
    last = int(number[-1])
    return number[:-1] + str((last + 1) % 10)


def create(actor, **data):
    data.setdefault("kind", "member_company")
    data.setdefault("name", "의암소프트")
    return services.create_organisation(actor=actor, data=data)


def audit_for(org, action):
    return AuditEntry.objects.filter(action=action, target_type="network.organisation", target_id=str(org.pk))


# --- create -----------------------------------------------------------------------------------------
def test_create_normalises_registration_numbers_and_parses_korean_dates(secretariat):
    bn, cn = business_number(), corporate_number()
    org = create(
        secretariat,
        business_number=digits(bn),
        corporate_number=digits(cn),
        founded_on="2018.01.15",
        sigungu_code=CHUNCHEON,
        emd_code=SINBUK,
        employees="1,200명",
        phone="0332401234",
        industry_tags="빅데이터, 관광 플랫폼",
    )
    org.refresh_from_db()
    assert org.business_number == bn
    assert org.business_number[3] == "-" and org.business_number[6] == "-" and len(org.business_number) == 12
    assert org.corporate_number == cn and len(org.corporate_number) == 14
    assert org.founded_on == dt.date(2018, 1, 15)
    assert org.sigungu_name == "춘천시" and org.emd_name == "신북읍"
    assert org.employees == 1200
    assert org.phone == "033-240-1234"
    assert sorted(t.name for t in org.industry_tags.all()) == ["관광 플랫폼", "빅데이터"]


@pytest.mark.parametrize(
    "written", ["2018.01.15", "20180115", "2018-01-15", "2018. 1. 15.", "2018년 1월 15일"]
)
def test_founding_date_as_koreans_write_it(secretariat, written):
    org = create(secretariat, founded_on=written)
    org.refresh_from_db()
    assert org.founded_on == dt.date(2018, 1, 15)


def test_create_writes_an_audit_entry(secretariat):
    org = create(secretariat, business_number=business_number())
    entries = audit_for(org, "network.organisation.created")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == secretariat
    assert entry.data["data"]["name"] == "의암소프트"
    assert entry.data["data"]["business_number"] == org.business_number


@pytest.mark.parametrize(
    "field, bad",
    [
        ("business_number", with_wrong_check_digit(business_number(seed=4242))),
        ("business_number", "123-45-6789"),  # 9 digits
        ("business_number", "123-45-678901"),  # 11 digits
        ("business_number", "사업자번호없음"),
        ("corporate_number", with_wrong_check_digit(corporate_number(seed=4242))),
        ("corporate_number", "110111-123456"),  # 12 digits
        ("corporate_number", "110111-12345678"),  # 14 digits
    ],
)
def test_invalid_registration_number_is_refused_and_nothing_is_stored(secretariat, field, bad):
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        create(secretariat, **{field: bad})
    assert excinfo.value.status == 400
    assert list(excinfo.value.errors) == [field]
    assert snapshot() == before


@pytest.mark.parametrize(
    "field, make", [("business_number", business_number), ("corporate_number", corporate_number)]
)
def test_duplicate_registration_number_names_the_field_and_changes_nothing(secretariat, field, make):
    number = make()
    first = create(secretariat, name="호반정보통신", **{field: number})
    before = snapshot()
    # The same number written differently is still the same number.
    with pytest.raises(ValidationError) as excinfo:
        create(secretariat, name="다른회사", **{field: digits(number)})
    assert field in excinfo.value.errors
    # The message tells which organisation already holds the number.
    assert first.name in excinfo.value.errors[field][0]
    assert snapshot() == before
    assert Organisation.objects.filter(**{field: number}).get() == first


def test_updating_to_another_organisations_number_is_refused(secretariat, org, other_org):
    number = business_number()
    services.update_organisation(actor=secretariat, organisation_id=org.pk, data={"business_number": number})
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        services.update_organisation(
            actor=secretariat, organisation_id=other_org.pk, data={"business_number": number}
        )
    assert "business_number" in excinfo.value.errors
    assert snapshot() == before
    other_org.refresh_from_db()
    assert other_org.business_number is None


def test_an_organisation_keeps_its_own_number_on_update(secretariat):
    number = business_number()
    org = create(secretariat, business_number=number)
    services.update_organisation(
        actor=secretariat, organisation_id=org.pk, data={"business_number": number, "employees": 7}
    )
    org.refresh_from_db()
    assert org.business_number == number and org.employees == 7


def test_organisations_without_numbers_may_coexist(secretariat):
    create(secretariat, name="갑", business_number="", corporate_number="")
    create(secretariat, name="을", business_number=None)
    assert (
        Organisation.objects.filter(business_number__isnull=True, corporate_number__isnull=True).count() == 2
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"sigungu_code": "99999"}, "sigungu_code"),
        ({"sigungu_code": "11010"}, "sigungu_code"),  # 서울 종로구: not in Gangwon
        ({"sigungu_code": CHUNCHEON, "emd_code": "3201099"}, "emd_code"),
        ({"sigungu_code": CHUNCHEON, "emd_code": JUMUNJIN}, "emd_code"),  # 주문진읍 is in 강릉시
    ],
)
def test_unknown_or_mismatched_region_codes_are_refused(secretariat, data, field):
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        create(secretariat, **data)
    assert field in excinfo.value.errors
    assert snapshot() == before


def test_emd_is_checked_against_the_stored_sigungu_on_update(secretariat):
    org = create(secretariat, sigungu_code=CHUNCHEON, emd_code=SINBUK)
    with pytest.raises(ValidationError) as excinfo:
        services.update_organisation(actor=secretariat, organisation_id=org.pk, data={"emd_code": JUMUNJIN})
    assert "emd_code" in excinfo.value.errors
    org.refresh_from_db()
    assert org.emd_code == SINBUK


def test_future_founding_date_is_refused(secretariat):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        create(secretariat, founded_on=tomorrow.strftime("%Y.%m.%d"))
    assert "founded_on" in excinfo.value.errors
    assert snapshot() == before


@pytest.mark.parametrize("bad", ["2018.13.01", "2018.02.30", "작년 봄"])
def test_unreadable_founding_date_is_refused(secretariat, bad):
    with pytest.raises(ValidationError) as excinfo:
        create(secretariat, founded_on=bad)
    assert "founded_on" in excinfo.value.errors


def test_every_field_problem_is_reported_at_once(secretariat):
    with pytest.raises(ValidationError) as excinfo:
        services.create_organisation(
            actor=secretariat,
            data={
                "kind": "spaceship",
                "name": "  ",
                "business_number": "123",
                "phone": "12",
                "employees": "많음",
            },
        )
    assert set(excinfo.value.errors) == {"kind", "name", "business_number", "phone", "employees"}


def test_update_writes_an_audit_entry_with_the_changes(secretariat, org):
    services.update_organisation(
        actor=secretariat,
        organisation_id=org.pk,
        data={"description": "드론 항공 촬영", "capability_tags": ["드론", "영상 분석"]},
    )
    entries = audit_for(org, "network.organisation.updated")
    assert entries.count() == 1
    changes = entries.get().data["changes"]
    assert changes["description"] == ["관광객 빅데이터 분석", "드론 항공 촬영"]
    assert sorted(changes["capability_tags"][1]) == ["드론", "영상 분석"]
    org.refresh_from_db()
    assert org.description == "드론 항공 촬영"


# --- object-level rules ---------------------------------------------------------------------------
def test_a_representative_edits_their_own_profile(rep, org):
    services.update_organisation(
        actor=rep,
        organisation_id=org.pk,
        data={
            "description": "춘천 관광 데이터 분석",
            "employees": 12,
            "homepage": "https://bomnae.example.kr",
        },
    )
    org.refresh_from_db()
    assert org.description == "춘천 관광 데이터 분석"
    assert org.employees == 12
    entry = audit_for(org, "network.organisation.updated").get()
    assert entry.actor == rep


def test_a_representative_cannot_edit_another_organisation(rep, other_org):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.update_organisation(
            actor=rep, organisation_id=other_org.pk, data={"description": "가로채기"}
        )
    other_org.refresh_from_db()
    assert other_org.description == "모바일 앱 개발"
    assert snapshot() == before


def test_a_representative_of_one_org_is_not_a_representative_of_all(secretariat, org, other_org):
    """A plain member of ``org`` (not its representative) cannot edit it either."""
    staff = UserFactory(role="member_rep")
    person = Person.objects.create(name="직원", user=staff)
    Affiliation.objects.create(person=person, organisation=org, is_representative=False)
    with pytest.raises(PermissionDenied):
        services.update_organisation(actor=staff, organisation_id=org.pk, data={"description": "x"})


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "advisory"},
        {"business_number": business_number(seed=777)},
        {"corporate_number": corporate_number(seed=777)},
        {"is_public": False},
    ],
)
def test_a_representative_cannot_change_admin_fields(rep, org, data):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.update_organisation(actor=rep, organisation_id=org.pk, data={**data, "description": "변경"})
    org.refresh_from_db()
    assert org.kind == "member_company" and org.is_public is True
    assert org.business_number is None and org.corporate_number is None
    assert org.description == "관광객 빅데이터 분석"
    assert snapshot() == before


def test_a_representative_may_resubmit_admin_fields_unchanged(secretariat, rep, org):
    number = business_number()
    services.update_organisation(actor=secretariat, organisation_id=org.pk, data={"business_number": number})
    services.update_organisation(
        actor=rep,
        organisation_id=org.pk,
        data={
            "kind": org.kind,
            "business_number": number,
            "corporate_number": None,
            "is_public": True,
            "representative": "김민준",
        },
    )
    org.refresh_from_db()
    assert org.representative == "김민준" and org.business_number == number


def test_a_representative_may_resubmit_admin_fields_as_a_form_writes_them(secretariat, rep, org):
    """The same number typed without hyphens, and an empty corporate number that is stored as
    'none', are not changes."""
    number = business_number()
    services.update_organisation(actor=secretariat, organisation_id=org.pk, data={"business_number": number})
    services.update_organisation(
        actor=rep,
        organisation_id=org.pk,
        data={"business_number": digits(number), "corporate_number": "", "representative": "이서연"},
    )
    org.refresh_from_db()
    assert org.representative == "이서연" and org.business_number == number


def test_the_secretariat_changes_admin_fields(secretariat, org):
    services.update_organisation(
        actor=secretariat, organisation_id=org.pk, data={"kind": "advisory", "is_public": False}
    )
    org.refresh_from_db()
    assert org.kind == "advisory" and org.is_public is False


@pytest.mark.parametrize("role_fixture", ["partner_user", "rep", "chair", "auditor"])
def test_only_the_secretariat_registers_organisations(request, role_fixture):
    actor = request.getfixturevalue(role_fixture)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        create(actor)
    assert snapshot() == before


def test_the_public_cannot_register_organisations(anonymous, db):
    with pytest.raises(NotAuthenticated):
        create(anonymous)
    assert Organisation.objects.count() == 0


def test_the_public_sees_only_public_organisations(secretariat, anonymous, org):
    hidden = make_organisation(secretariat, name="비공개기업", is_public=False)
    public_ids = {o.pk for o in selectors.directory(anonymous)}
    assert org.pk in public_ids and hidden.pk not in public_ids
    with pytest.raises(NotFound):
        selectors.get_organisation(anonymous, hidden.pk)
    assert selectors.get_organisation(anonymous, org.pk) == org
    # Logged-in users see the private profile.
    assert selectors.get_organisation(secretariat, hidden.pk) == hidden
    assert hidden.pk in {o.pk for o in selectors.directory(secretariat)}


def test_unknown_organisation_is_not_found(secretariat):
    with pytest.raises(NotFound):
        selectors.get_organisation(secretariat, 987654)
    with pytest.raises(NotFound):
        services.update_organisation(actor=secretariat, organisation_id=987654, data={"name": "x"})


def test_private_organisation_page_and_api_are_404_for_the_public(client, secretariat, org):
    hidden = make_organisation(secretariat, name="비공개기업", is_public=False)
    assert client.get(f"/network/organisations/{hidden.pk}/").status_code == 404
    response = client.get(f"/api/v1/network/organisations/{hidden.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get(f"/network/organisations/{org.pk}/").status_code == 200
    assert client.get(f"/api/v1/network/organisations/{org.pk}").json()["name"] == "봄내데이터랩"
    client.force_login(secretariat)
    assert client.get(f"/network/organisations/{hidden.pk}/").status_code == 200


def test_products_and_people_are_added_by_the_representative(rep, org, other_org):
    services.add_product(actor=rep, organisation_id=org.pk, name="축제 방문객 집계 센서")
    services.add_person(actor=rep, organisation_id=org.pk, name="한지민", phone="01012345678", title="CTO")
    assert [p.name for p in org.products.all()] == ["축제 방문객 집계 센서"]
    person = org.affiliations.get(title="CTO").person
    assert person.phone == "010-1234-5678"
    with pytest.raises(PermissionDenied):
        services.add_product(actor=rep, organisation_id=other_org.pk, name="남의 제품")
    with pytest.raises(PermissionDenied):
        services.add_person(actor=rep, organisation_id=other_org.pk, name="남의 직원")
    assert other_org.products.count() == 0 and other_org.affiliations.count() == 0
