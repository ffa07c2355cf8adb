"""Consortium builder and workspace: suggested teams with coverage, roles, documents, milestones,
status draft → submitted → selected / not selected → running → completed with their conditions."""

import datetime as dt
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from dongne.core.errors import Conflict, PermissionDenied
from dongne.core.models import AuditEntry
from dongne.opportunities import consortia, selectors, services
from dongne.opportunities.models import Consortium, ConsortiumMember
from tests.factories import make_representative

from .factories import make_advisor, make_opportunity


@pytest.fixture
def call(secretariat):
    return make_opportunity(
        secretariat,
        title="관광 빅데이터 예약 플랫폼 실증",
        deadline="상시",
        regions="강원",
        capabilities="데이터 분석, 예약 시스템, 산학협력",
    )


@pytest.fixture
def university(secretariat):
    return make_advisor(
        secretariat, name="강원대학교 산학협력단", capability_tags=["산학협력", "데이터 분석"]
    )


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The conflict messages are matched in English (the UI shows them in Korean; see test_korean_message)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_builder_suggests_small_teams_that_cover_every_capability(
    secretariat, call, tourism_member, app_member, university
):
    _opp, teams = consortia.suggest_teams(secretariat, call.pk)
    best = teams[0]
    assert best.complete and best.missing == []
    assert {m.organisation for m in best.members} == {app_member, university} or {
        m.organisation for m in best.members
    } == {tourism_member, app_member, university}
    assert best.members[0].role == "lead" and best.members[0].is_member
    assert best.coverage["예약 시스템"] == [app_member.name]
    assert university.name in best.coverage["산학협력"]
    # Smallest complete team first: the university covers data analysis and 산학협력, so two suffice.
    assert len(best.members) == 2
    assert all(len(t.covered) <= len(best.covered) for t in teams)


def test_builder_explains_what_no_one_covers(secretariat, tourism_member):
    opp = make_opportunity(
        secretariat, title="드론 실증", deadline="상시", capabilities="데이터 분석, 드론 비행"
    )
    _opp, teams = consortia.suggest_teams(secretariat, opp.pk)
    assert teams[0].missing == ["드론 비행"] and teams[0].coverage["드론 비행"] == []


def test_builder_leaves_out_ineligible_members(secretariat, app_member):
    young = make_opportunity(
        secretariat, title="예약", deadline="상시", capabilities="예약 시스템", max_company_age=1
    )
    _opp, teams = consortia.suggest_teams(secretariat, young.pk)
    assert teams == []


def test_builder_page_forms_a_consortium(client, secretariat, call, app_member, university):
    client.force_login(secretariat)
    page = client.get(f"/opportunities/{call.pk}/consortium/").content.decode()
    assert 'id="team-1"' in page and "강원대학교 산학협력단" in page
    response = client.post(
        f"/opportunities/{call.pk}/consortium/new/",
        {"lead": app_member.pk, "participants": f"{university.pk},"},
    )
    consortium = Consortium.objects.get()
    assert response["Location"] == f"/opportunities/consortia/{consortium.pk}/"
    assert consortium.lead == app_member and consortium.status == "draft"
    assert {m.organisation for m in consortium.members.all()} == {app_member, university}


def _draft(secretariat, call, lead, *others):
    return services.create_consortium(
        actor=secretariat, opportunity_id=call.pk, lead_id=lead.pk, participant_ids=[o.pk for o in others]
    )


def test_full_lifecycle_with_conditions(secretariat, call, app_member, university):
    c = _draft(secretariat, call, app_member)
    with pytest.raises(Conflict, match="two organisations"):
        services.submit_consortium(actor=secretariat, consortium_id=c.pk)
    services.add_consortium_member(actor=secretariat, consortium_id=c.pk, organisation_id=university.pk)
    services.submit_consortium(actor=secretariat, consortium_id=c.pk, on="2025.03.02")
    with pytest.raises(Conflict):
        services.add_consortium_member(actor=secretariat, consortium_id=c.pk, organisation_id=university.pk)
    services.decide_consortium(actor=secretariat, consortium_id=c.pk, selected=True, on="2025.04.30")
    with pytest.raises(Conflict, match="funding"):
        services.start_consortium(actor=secretariat, consortium_id=c.pk)
    services.start_consortium(actor=secretariat, consortium_id=c.pk, funding_won="1억 2천만원")
    m = services.add_milestone(actor=secretariat, consortium_id=c.pk, title="중간 보고", due_on="2025.09.30")
    with pytest.raises(Conflict, match="중간 보고"):
        services.complete_consortium(actor=secretariat, consortium_id=c.pk, jobs_created=3)
    services.complete_milestone(actor=secretariat, milestone_id=m.pk, on=dt.date(2025, 9, 29))
    with pytest.raises(Conflict, match="jobs"):
        services.complete_consortium(actor=secretariat, consortium_id=c.pk)
    done = services.complete_consortium(actor=secretariat, consortium_id=c.pk, jobs_created=3)
    assert done.status == "completed" and done.funding_won == 120_000_000 and done.jobs_created == 3
    assert done.submitted_on == dt.date(2025, 3, 2) and done.decided_on == dt.date(2025, 4, 30)
    assert selectors.outcomes_summary() == {"consortia": 1, "funding_won": 120_000_000, "jobs_created": 3}
    actions = list(
        AuditEntry.objects.filter(
            target_id=str(c.pk), action__startswith="opportunities.consortium."
        ).values_list("action", flat=True)
    )
    for status in ("submitted", "selected", "running", "completed"):
        assert f"opportunities.consortium.{status}" in actions


def test_illegal_transitions_and_late_submission(secretariat, app_member, university):
    closed = make_opportunity(
        secretariat, title="지난 공고", deadline="2020.01.31", capabilities="예약 시스템"
    )
    c = _draft(secretariat, closed, app_member, university)
    with pytest.raises(Conflict, match="2020-01-31"):
        services.submit_consortium(actor=secretariat, consortium_id=c.pk)
    with pytest.raises(Conflict) as exc:
        services.complete_consortium(actor=secretariat, consortium_id=c.pk, jobs_created=1)
    assert exc.value.code == "illegal_transition"


def test_not_selected_is_final(secretariat, call, app_member, university):
    c = _draft(secretariat, call, app_member, university)
    services.submit_consortium(actor=secretariat, consortium_id=c.pk)
    services.decide_consortium(actor=secretariat, consortium_id=c.pk, selected=False)
    with pytest.raises(Conflict):
        services.start_consortium(actor=secretariat, consortium_id=c.pk, funding_won="1억")


def test_roles_one_lead_and_who_may_do_what(secretariat, call, app_member, tourism_member, university):
    lead_rep = make_representative(app_member)
    participant_rep = make_representative(tourism_member)
    c = services.create_consortium(
        actor=lead_rep, opportunity_id=call.pk, lead_id=app_member.pk, participant_ids=[tourism_member.pk]
    )
    with pytest.raises(Conflict):
        services.add_consortium_member(
            actor=lead_rep, consortium_id=c.pk, organisation_id=university.pk, role="lead"
        )
    with pytest.raises(PermissionDenied):
        services.add_consortium_member(
            actor=participant_rep, consortium_id=c.pk, organisation_id=university.pk
        )
    with pytest.raises(Conflict):
        services.remove_consortium_member(actor=lead_rep, consortium_id=c.pk, organisation_id=app_member.pk)
    # A participant sees the workspace; the lead's representative submits; only the secretariat records the result.
    assert selectors.get_consortium(participant_rep, c.pk) == c
    services.submit_consortium(actor=lead_rep, consortium_id=c.pk)
    with pytest.raises(PermissionDenied):
        services.decide_consortium(actor=lead_rep, consortium_id=c.pk, selected=True)
    # A representative cannot start a consortium led by someone else's company.
    with pytest.raises(PermissionDenied):
        services.create_consortium(actor=participant_rep, opportunity_id=call.pk, lead_id=app_member.pk)
    assert ConsortiumMember.objects.filter(consortium=c, role="lead").count() == 1


def test_workspace_documents_are_permission_checked(
    client, secretariat, call, app_member, tourism_member, university
):
    c = _draft(secretariat, call, app_member, university)
    doc = services.add_consortium_document(
        actor=secretariat,
        consortium_id=c.pk,
        title="사업계획서",
        uploaded_file=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan"),
    )
    outsider = make_representative(tourism_member)
    client.force_login(outsider)
    assert client.get(f"/opportunities/consortia/documents/{doc.pk}/").status_code == 403
    client.force_login(make_representative(app_member))
    response = client.get(f"/opportunities/consortia/documents/{doc.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 plan"


def test_workspace_page_and_transitions_through_forms(client, secretariat, call, app_member, university):
    c = _draft(secretariat, call, app_member, university)
    client.force_login(secretariat)
    page = client.get(f"/opportunities/consortia/{c.pk}/").content.decode()
    assert "사업계획서" not in page and 'id="submit-form"' in page
    client.post(
        f"/opportunities/consortia/{c.pk}/milestones/", {"title": "협약 체결", "due_on": "2025.05.31"}
    )
    client.post(f"/opportunities/consortia/{c.pk}/submit/", {})
    client.post(f"/opportunities/consortia/{c.pk}/select/", {"funding_won": "8천만원"})
    c.refresh_from_db()
    assert c.status == "selected" and c.funding_won == 80_000_000 and c.milestones.count() == 1
    # A refused transition comes back as a message, not an error page.
    response = client.post(f"/opportunities/consortia/{c.pk}/complete/", {"jobs_created": 1}, follow=True)
    assert response.status_code == 200 and Consortium.objects.get(pk=c.pk).status == "selected"


@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_exactly_one_wins(secretariat, call, app_member, university):
    c = _draft(secretariat, call, app_member, university)
    services.submit_consortium(actor=secretariat, consortium_id=c.pk)
    results = []
    barrier = threading.Barrier(6)

    def decide(selected):
        try:
            barrier.wait()
            services.decide_consortium(
                actor=secretariat, consortium_id=c.pk, selected=selected, funding_won="1억"
            )
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(i % 2 == 0,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and results.count("conflict") == 5
    assert Consortium.objects.get(pk=c.pk).status in ("selected", "not_selected")


def test_korean_message(secretariat, call, app_member):
    from django.utils import translation

    c = _draft(secretariat, call, app_member)
    with translation.override("ko"):
        with pytest.raises(Conflict) as exc:
            services.submit_consortium(actor=secretariat, consortium_id=c.pk)
        assert "둘 이상" in exc.value.render() and exc.value.code == "condition"


def test_outcomes_for_the_annual_report_through_the_api(client, secretariat, call, app_member, university):
    from dongne.core import services as core_services

    c = _draft(secretariat, call, app_member, university)
    services.submit_consortium(actor=secretariat, consortium_id=c.pk, on=dt.date(2025, 3, 2))
    services.decide_consortium(
        actor=secretariat, consortium_id=c.pk, selected=True, funding_won="5천만원", on=dt.date(2025, 4, 1)
    )
    token = core_services.create_api_token(actor=secretariat, name="t").raw_token
    body = client.get("/api/v1/opportunities/outcomes?year=2025", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body == {"year": 2025, "consortia": 1, "funding_won": 50_000_000, "jobs_created": 0}
    # … and the cooperative's annual report (governance) for that year counts it.
    from dongne.governance.selectors import annual_report_context

    assert annual_report_context(2025)["consortia"]["funding_won"] == 50_000_000
    assert (
        client.get("/api/v1/opportunities/outcomes?year=2024", HTTP_AUTHORIZATION=f"Bearer {token}").json()[
            "consortia"
        ]
        == 0
    )
    assert client.get("/api/v1/opportunities/outcomes").status_code == 401
