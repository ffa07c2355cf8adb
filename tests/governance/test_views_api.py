"""Pages and API endpoints as the secretariat and members use them."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from dongne.governance import services
from dongne.governance.models import Meeting
from tests.factories import PASSWORD

from .conftest import snapshot

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 1, 5)


@pytest.fixture
def ledger(secretariat, members):
    services.subscribe_capital(actor=secretariat, subscriptions=[(m.pk, 20) for m in members], on=ON)
    services.record_payment(actor=secretariat, organisation_id=members[0].pk, amount=120_000, on=ON)


def login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def test_every_page_renders_for_the_secretariat(client, secretariat, members, ledger):
    login(client, secretariat)
    for url in (
        "/governance/",
        "/governance/capital/",
        "/governance/meetings/",
        "/governance/polls/",
        "/governance/officers/",
        "/governance/reports/",
        "/governance/log/",
        f"/governance/statement/{members[0].pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<meta charset="utf-8">' in response.content.decode()


def test_a_refused_subscription_shows_the_article_and_changes_nothing(client, secretariat, members, ledger):
    login(client, secretariat)
    before = snapshot()
    response = client.post(
        "/governance/capital/subscribe/",
        {"subscribe-organisation": members[0].pk, "subscribe-shares": 30, "subscribe-on": "2024-02-01"},
        HTTP_REFERER="/governance/capital/",
        follow=True,
    )
    assert "협동조합 기본법 제22조" in response.content.decode()
    assert snapshot() == before


def test_a_member_sees_its_own_statement_and_not_the_ledger(client, members, ledger):
    rep = members[0].rep
    login(client, rep)
    page = client.get("/governance/statement/").content.decode()
    assert members[0].name in page and "120,000" in page
    assert client.get(f"/governance/statement/{members[1].pk}/").status_code == 403
    assert client.get("/governance/capital/").status_code == 403
    assert client.get("/governance/register.csv").status_code == 403


def test_the_register_exports_csv_with_bom_and_xlsx(client, secretariat, members, ledger):
    login(client, secretariat)
    csv_bytes = client.get("/governance/register.csv").content
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    text = csv_bytes.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("기관명,사업자등록번호")
    assert f"{members[0].name}," in text and ",20,200000,120000" in text
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(client.get("/governance/register.xlsx").content)).active
    assert sheet["A1"].value == "기관명" and sheet.max_row == 6


def test_convening_through_the_page_refuses_a_short_notice(client, secretariat, members):
    login(client, secretariat)
    response = client.post(
        "/governance/meetings/",
        {
            "kind": "ordinary_assembly",
            "title": "정기총회",
            "purpose": "결산",
            "scheduled_at": (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "place": "회의실",
            "item1_title": "결산 승인",
            "item1_kind": "ordinary",
        },
    )
    assert response.status_code == 200
    assert "제28조⑤" in response.content.decode()
    assert not Meeting.objects.exists()


def test_polls_through_the_api_say_they_are_advisory_and_refuse_a_second_vote(client, secretariat, members):
    now = timezone.now()
    poll = services.create_poll(
        actor=secretariat,
        title="사전 의견",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
    )
    login(client, members[0].rep)
    body = client.get(f"/api/v1/governance/polls/{poll.pk}").json()
    assert body["results"] is None and "전자투표" in body["advisory_notice"]
    first = client.post(
        f"/api/v1/governance/polls/{poll.pk}/vote", {"option": 1}, content_type="application/json"
    )
    assert first.status_code == 201, first.content
    second = client.post(
        f"/api/v1/governance/polls/{poll.pk}/vote", {"option": 2}, content_type="application/json"
    )
    assert second.status_code == 409
    assert "제23조①" in second.json()["message"]
    page = client.get(f"/governance/polls/{poll.pk}/").content.decode()
    assert 'id="results-hidden"' in page and "참고" in page


def test_api_reads(client, secretariat, members, ledger):
    login(client, secretariat)
    totals = client.get("/api/v1/governance/capital/totals").json()
    assert totals["shares"] == 100 and totals["reconciles"] is True
    statement = client.get(f"/api/v1/governance/capital/statement/{members[0].pk}").json()
    assert statement["paid"] == 120_000 and len(statement["entries"]) == 2
    assert client.get("/api/v1/governance/log/verify").json()["ok"] is True
    assert client.get("/api/v1/governance/meetings").status_code == 200


def test_the_annual_report_page_and_pdf(client, secretariat, members, ledger):
    services.save_annual_report(
        actor=secretariat,
        year=2024,
        total_business=1_000_000,
        main_business=700_000,
        surplus=100_000,
        reserve_transfer=30_000,
    )
    assert client.get("/governance/reports/2024/").status_code in (302, 403)  # a draft is not public
    assert "2024" not in client.get("/governance/reports/").content.decode()
    services.publish_annual_report(actor=secretariat, year=2024)
    # Anyone finds the published disclosure from the governance menu (제96조의2).
    listing = client.get("/governance/", follow=True)
    assert listing.status_code == 200 and "/governance/reports/2024/" in listing.content.decode()
    page = client.get("/governance/reports/2024/").content.decode()
    assert "70.0%" in page
    pdf = client.get("/governance/reports/2024.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_share_price_is_set_on_the_capital_page_and_fixed_once_shares_exist(client, secretariat, members):
    login(client, secretariat)
    data = {
        "coop-name": "춘천 ICT기업사회적협동조합",
        "coop-share_price": 50000,
        "coop-fiscal_year_start_month": 1,
    }
    client.post("/governance/capital/settings/", data, HTTP_REFERER="/governance/capital/")
    from dongne.governance import selectors

    assert selectors.cooperative().share_price == 50000
    services.subscribe_capital(
        actor=secretariat,
        subscriptions=[(members[0].pk, 1), (members[1].pk, 1), (members[2].pk, 1), (members[3].pk, 1)],
        on=ON,
    )
    response = client.post(
        "/governance/capital/settings/",
        {**data, "coop-share_price": 70000},
        HTTP_REFERER="/governance/capital/",
        follow=True,
    )
    assert "제16조②" in response.content.decode()
    assert selectors.cooperative().share_price == 50000


def test_every_governance_admin_page_opens(client, secretariat, members, ledger):
    from django.contrib import admin

    login(client, secretariat)
    for model in admin.site._registry:
        if model._meta.app_label != "governance":
            continue
        url = f"/admin/governance/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url


def test_an_auditor_who_is_a_director_is_refused_on_the_officers_page(client, secretariat, director):
    services.appoint_officer(
        actor=secretariat,
        user_id=director.pk,
        role="director",
        term_start="2024-03-01",
        term_end="2026-02-28",
    )
    login(client, secretariat)
    data = {"user": director.pk, "role": "auditor", "term_start": "2024-03-01", "term_end": "2026-02-28"}
    response = client.post("/governance/officers/", data)
    assert response.status_code == 200 and "제44조②" in response.content.decode()
    response = client.post("/governance/officers/", {**data, "user": secretariat.pk})
    assert "제44조②" in response.content.decode()
    from tests.factories import UserFactory

    other = UserFactory(role="auditor")
    response = client.post("/governance/officers/", {**data, "user": other.pk})
    assert response.status_code == 302


def test_a_member_votes_on_the_poll_page_once(client, secretariat, members):
    now = timezone.now()
    poll = services.create_poll(
        actor=secretariat,
        title="교육 주제",
        ballot_type="ranked",
        options=["AI", "클라우드", "보안"],
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
    )
    login(client, members[0].rep)
    page = client.get(f"/governance/polls/{poll.pk}/").content.decode()
    assert 'id="vote-form"' in page and "참고용" in page
    url = f"/governance/polls/{poll.pk}/vote/"
    response = client.post(
        url, {"rank1": 3, "rank2": 1, "rank3": 2}, HTTP_REFERER=f"/governance/polls/{poll.pk}/", follow=True
    )
    page = response.content.decode()
    assert 'id="voted"' in page and 'id="vote-form"' not in page
    before = snapshot()
    response = client.post(
        url, {"rank1": 1, "rank2": 2, "rank3": 3}, HTTP_REFERER=f"/governance/polls/{poll.pk}/", follow=True
    )
    assert "제23조①" in response.content.decode()
    assert snapshot() == before
