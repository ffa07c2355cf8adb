"""No list page or list API endpoint runs more SQL queries when it lists more rows (no N+1).

Each case makes N rows of what the page lists, counts the queries of one GET, makes 2N more (3N in all, still
on one page) and counts again: the two counts must be equal. Insights is left out (it reads the lake, not the
database).
"""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_organisation, make_representative

N = 3
_serial = itertools.count(1)


# --- makers: each adds one row of what a page lists (and what that row hangs on) ------------------
def _member(sec):
    from tests.opportunities.factories import make_member

    n = next(_serial)
    org = make_member(
        sec, name=f"쿼리기업{n}", industry_tags=["관광", f"태그{n}"], capability_tags=["빅데이터"]
    )
    make_representative(org)
    return org


def make_directory_row(ctx):
    from dongne.network import services

    org = _member(ctx["sec"])
    services.add_product(actor=ctx["sec"], organisation_id=org.pk, name="대시보드", category="SaaS")


def make_dataset_row(ctx):
    from tests.datahub.fixtures import make_dataset

    n = next(_serial)
    make_dataset(
        ctx["sec"],
        slug=f"query-count-{n}",
        publisher=ctx["org"].pk,
        visibility="public",
        keywords=["관광", f"키워드{n}"],
        themes=["tourism"],
    )


def make_opportunity_row(ctx):
    from tests.opportunities.factories import make_opportunity

    n = next(_serial)
    make_opportunity(ctx["sec"], title=f"지원사업 {n}", organisation=ctx["org"].pk, tags=["관광", f"태그{n}"])


def make_program_row(ctx):
    from tests.programs.factories import make_program

    make_program(ctx["sec"], sessions=2, organiser=ctx["org"].pk)


def make_article_row(ctx):
    from dongne.programs import services

    n = next(_serial)
    services.create_article(
        actor=ctx["sec"],
        data={"title": f"기술 노트 {n}", "body": "본문", "visibility": "public", "tags": f"관광, 태그{n}"},
    )


def make_exhibit_row(ctx):
    from dongne.network import services as network
    from dongne.programs import services

    org = _member(ctx["sec"])
    product = network.add_product(actor=ctx["sec"], organisation_id=org.pk, name="제품", category="SaaS")
    services.create_exhibit(
        actor=ctx["sec"],
        organisation_id=org.pk,
        data={"title": f"전시 {org.pk}", "category": "데이터", "description": "설명", "product": product.pk},
    )


def _building(ctx):
    from dongne.spaces import services

    if "floor" not in ctx:
        building = services.create_building(actor=ctx["sec"], name="센터", address="춘천시 중앙로 1")
        ctx["building"] = building
        ctx["floor"] = services.create_floor(actor=ctx["sec"], building_id=building.pk, number=3, name="3층")
        ctx["facility"] = services.create_facility(
            actor=ctx["sec"],
            building_id=building.pk,
            data={
                "name": "회의실 A",
                "kind": "meeting_room",
                "capacity": 8,
                "opens_at": "00:00",
                "closes_at": "23:30",
                "weekdays": "0123456",
                "max_minutes": 120,
                "audience": "both",
            },
        )
    return ctx


def make_unit_row(ctx):
    from dongne.spaces import services

    _building(ctx)
    services.create_unit(
        actor=ctx["sec"],
        floor_id=ctx["floor"].pk,
        data={
            "code": f"3{next(_serial):02d}",
            "unit_type": "office",
            "area_m2": "42.5",
            "desks": 6,
            "monthly_rent": 400000,
            "maintenance_fee": 80000,
        },
    )


def make_floor_row(ctx):
    """A floor with a unit, and a facility, in a new building each time (the setup page nests all three)."""
    from dongne.spaces import services

    n = next(_serial)
    building = services.create_building(actor=ctx["sec"], name=f"센터 {n}", address="춘천시 중앙로 1")
    floor = services.create_floor(actor=ctx["sec"], building_id=building.pk, number=1, name="1층")
    services.create_unit(
        actor=ctx["sec"],
        floor_id=floor.pk,
        data={"code": "101", "unit_type": "lab", "area_m2": "20", "desks": 2, "monthly_rent": 100000},
    )
    services.create_facility(
        actor=ctx["sec"],
        building_id=building.pk,
        data={"name": "회의실", "kind": "meeting_room", "opens_at": "09:00", "closes_at": "18:00"},
    )


def make_booking_row(ctx):
    from dongne.spaces import services

    _building(ctx)
    n = next(_serial)
    day = timezone.localdate() + dt.timedelta(days=1 + n)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    services.book_facility(
        actor=ctx["rep"],
        facility_id=ctx["facility"].pk,
        start=start,
        end=start + dt.timedelta(hours=1),
        title=f"회의 {n}",
    )


def make_meeting_row(ctx):
    from dongne.governance import services

    services.schedule_meeting(
        actor=ctx["sec"],
        kind="board",
        title=f"이사회 {next(_serial)}",
        purpose="안건 심의",
        scheduled_at=timezone.now() + dt.timedelta(days=10),
        place="센터",
        items=[{"title": "사업 보고", "kind": "report"}, {"title": "예산", "kind": "ordinary"}],
    )


def make_poll_row(ctx):
    from dongne.governance import services

    now = timezone.now()
    services.create_poll(
        actor=ctx["sec"],
        title=f"의견 조사 {next(_serial)}",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=3),
    )


def make_capital_row(ctx):
    from dongne.governance import services

    today = timezone.localdate()
    if "capital_base" not in ctx:  # the 30% cap (제22조②) needs other members' shares first
        base = [_member(ctx["sec"]) for _ in range(4)]
        services.subscribe_capital(actor=ctx["sec"], subscriptions=[(o.pk, 10) for o in base], on=today)
        ctx["capital_base"] = base
    org = _member(ctx["sec"])
    services.subscribe_capital(actor=ctx["sec"], subscriptions=[(org.pk, 2)], on=today)
    services.record_payment(actor=ctx["sec"], organisation_id=org.pk, amount=20000, on=today)


def make_membership_row(ctx):
    from dongne.network import services

    org = make_organisation(ctx["sec"], name=f"가입신청{next(_serial)}")
    services.apply_membership(
        actor=ctx["sec"], organisation_id=org.pk, member_type="producer", applied_on=dt.date(2026, 3, 4)
    )


def make_mou_row(ctx):
    from dongne.network import services

    n = next(_serial)
    partner = make_organisation(ctx["sec"], kind="partner", name=f"협약기관{n}", is_public=True)
    services.create_mou(
        actor=ctx["sec"],
        partner_id=partner.pk,
        data={
            "title": f"업무협약 {n}",
            "signed_on": "2020.11.23",
            "expires_on": "2030.11.22",
            "is_public": True,
        },
    )


def make_audited_row(ctx):
    make_organisation(ctx["sec"], name=f"감사기록{next(_serial)}")  # creating an organisation is audited


# (page, url, viewer, maker)
CASES = [
    ("directory", "/network/", "anonymous", make_directory_row),
    ("directory-api", "/api/v1/network/organisations", "anonymous", make_directory_row),
    # Searches page their ranked matches (core.search.Ranked): the rows of one page, not of every match.
    ("directory-search", "/network/?q=쿼리기업", "anonymous", make_directory_row),
    ("directory-search-api", "/api/v1/network/organisations?q=쿼리기업", "anonymous", make_directory_row),
    ("audit", "/audit/", "secretariat", make_audited_row),
    ("audit-api", "/api/v1/core/audit", "secretariat", make_audited_row),
    ("memberships", "/network/memberships/", "secretariat", make_membership_row),
    ("memberships-api", "/api/v1/network/memberships", "secretariat", make_membership_row),
    ("mous", "/network/mous/", "secretariat", make_mou_row),
    ("mous-api", "/api/v1/network/mous", "secretariat", make_mou_row),
    ("catalog", "/data/", "anonymous", make_dataset_row),
    ("catalog-api", "/api/v1/datahub/datasets", "anonymous", make_dataset_row),
    ("catalog-search", "/data/?q=관광", "anonymous", make_dataset_row),
    ("opportunities", "/opportunities/", "anonymous", make_opportunity_row),
    ("opportunities-api", "/api/v1/opportunities/opportunities", "anonymous", make_opportunity_row),
    (
        "opportunities-search-api",
        "/api/v1/opportunities/opportunities?q=지원사업",
        "anonymous",
        make_opportunity_row,
    ),
    ("programs", "/programs/", "anonymous", make_program_row),
    ("programs-api", "/api/v1/programs/programs", "anonymous", make_program_row),
    ("knowledge", "/programs/knowledge/", "anonymous", make_article_row),
    ("knowledge-search", "/programs/knowledge/?q=기술", "anonymous", make_article_row),
    ("exhibition", "/programs/exhibition/", "anonymous", make_exhibit_row),
    ("spaces", "/spaces/", "secretariat", make_unit_row),
    ("spaces-units-api", "/api/v1/spaces/units", "anonymous", make_unit_row),
    ("spaces-setup", "/spaces/setup/", "secretariat", make_unit_row),
    ("spaces-setup-floors", "/spaces/setup/", "secretariat", make_floor_row),
    ("spaces-bookings", "/spaces/", "rep", make_booking_row),
    ("spaces-bookings-api", "/api/v1/spaces/bookings", "rep", make_booking_row),
    ("meetings", "/governance/meetings/", "secretariat", make_meeting_row),
    ("meetings-api", "/api/v1/governance/meetings", "secretariat", make_meeting_row),
    ("polls", "/governance/polls/", "secretariat", make_poll_row),
    ("polls-api", "/api/v1/governance/polls", "secretariat", make_poll_row),
    ("capital", "/governance/capital/", "secretariat", make_capital_row),
    ("register", "/governance/register.csv", "secretariat", make_capital_row),
]


@pytest.fixture
def ctx(db, secretariat, settings, tmp_path):
    settings.LAKE_ROOT = tmp_path / "lake"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.PAGE_SIZE = 50
    from tests.opportunities.factories import make_member

    org = make_member(secretariat, name="기준기업")
    return {"sec": secretariat, "org": org, "rep": make_representative(org)}


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured), [q["sql"] for q in captured.captured_queries], len(response.content)


@pytest.mark.parametrize("page,url,viewer,maker", CASES, ids=[c[0] for c in CASES])
def test_query_count_does_not_grow_with_rows(page, url, viewer, maker, ctx, client):
    if viewer == "secretariat":
        client.force_login(ctx["sec"])
    elif viewer == "rep":
        client.force_login(ctx["rep"])
    for _ in range(N):
        maker(ctx)
    client.get(url)  # warm caches that fill once (content types, sessions, settings rows)
    few, few_sql, few_bytes = _queries(client, url)
    for _ in range(2 * N):
        maker(ctx)
    many, many_sql, many_bytes = _queries(client, url)
    assert many_bytes > few_bytes, f"{page}: the page does not list the new rows, so it measures nothing"
    extra = [sql for sql in many_sql if sql not in few_sql][:5]
    print(f"query count {page}: {few} queries with {N} rows, {many} with {3 * N}")  # shown with -s
    assert many == few, f"{page}: {few} queries for {N} rows, {many} for {3 * N}; e.g. {extra}"
