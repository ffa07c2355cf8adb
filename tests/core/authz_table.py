"""Who may use each page and API operation: the expectation table of test_authz_matrix.

Keys are URL names (``namespace:name``; the route for unnamed patterns) and ``"METHOD /api/v1/path"`` for the
API. Every URL pattern and API operation must have an entry (or fall under ``PREFIX_RULES``), so a new endpoint
without a rule fails the matrix. ``allow`` lists the roles that may use it (see authz_world.ROLES); every other
role must be refused. ``kwargs`` builds the URL arguments from the world (authz_world.build_world): the objects
belong to company B or to the cooperative, never to the member representative's company A.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .authz_world import BOARD, EVERYONE, OFFICERS, SIGNED_IN

SEC = ("secretariat",)
SEC_AUDITOR = ("secretariat", "auditor")
SEC_BOARD = ("secretariat", *BOARD)
MEMBERS = ("rep_a", *OFFICERS)  # the cooperative's own people (not partners, not the public)
NOBODY = ()


@dataclass(frozen=True)
class R:
    allow: tuple
    method: str = "GET"
    kwargs: Callable | None = None
    query: dict | None = None
    data: dict | None = None
    path: object = None
    api: bool = False
    hidden: tuple | None = (
        None  # (world key of a text, roles who may see it): a filtered list must not show it
    )
    perm: tuple | None = None  # (action, world -> obj): core.permissions.can must agree with ``allow``
    skip: bool = False  # listed (so it is not "missing") but not requested; the reason is in ``note``
    note: str = ""


def GET(allow, kwargs=None, **extra):
    return R(allow=tuple(allow), kwargs=kwargs, **extra)


def POST(allow, kwargs=None, **extra):
    return R(allow=tuple(allow), method="POST", kwargs=kwargs, **extra)


def API(method, allow, kwargs=None, **extra):
    return R(allow=tuple(allow), method=method, kwargs=kwargs, api=True, **extra)


def obj(label, key):
    """world -> the model instance ``label`` (app.Model) with the id world[key]."""

    def build(world):
        from django.apps import apps

        return apps.get_model(label).objects.get(pk=world[key])

    return build


def k(**names):
    """kwargs from world keys: k(pk="org_b") -> lambda w: {"pk": w["org_b"]}; literal values pass as (value,)."""

    def build(world):
        return {arg: (v[0] if isinstance(v, tuple) else world[v]) for arg, v in names.items()}

    return build


PAGES = {
    # core
    "home": GET(EVERYONE),
    "login": GET(EVERYONE),
    "logout": POST(EVERYONE, note="logging out is harmless for anyone"),
    "password_reset": GET(EVERYONE),
    "password_reset_done": GET(EVERYONE),
    "password_reset_confirm": GET(EVERYONE, k(uidb64=("MQ",), token=("bad-token",))),
    "password_reset_complete": GET(EVERYONE),
    "invitations": GET(SEC),
    "revoke_invitation": POST(SEC, k(invitation_id="invitation"), perm=("core.revoke_invitation", None)),
    "accept_invitation": GET(NOBODY, k(token=("not-a-real-token",)), note="only the secret token opens it"),
    "tokens": GET(
        SIGNED_IN, hidden=("token_other_name", ("chair",)), note="each user sees only their own tokens"
    ),
    "revoke_token": POST(
        ("chair", "secretariat"),
        k(token_id="token_other"),
        note="a token is revoked by its owner or the secretariat",
        perm=("core.revoke_token", obj("core.ApiToken", "token_other")),
    ),
    "audit": GET(SEC_AUDITOR),
    "failed_jobs": GET(SEC),
    "health": GET(EVERYONE, note="monitoring; says nothing but ok/failing per check"),
    "privacy": GET(SIGNED_IN),
    "privacy_export": GET(SIGNED_IN, note="each user gets their own data"),
    "privacy_erase": POST(SIGNED_IN, note="asks for the requester's own erasure"),
    "erasure_requests": GET(SEC),
    "approve_erasure": POST(SEC, k(request_id="erasure_request")),
    "refuse_erasure": POST(SEC, k(request_id="erasure_request")),
    "retry_failed_job": POST(SEC, k(failure_id="job_failure"), perm=("core.manage_jobs", None)),
    "dismiss_failed_job": POST(SEC, k(failure_id="job_failure"), perm=("core.manage_jobs", None)),
    "set_language": POST(EVERYONE, data={"language": "en"}),
    # network
    "network:directory": GET(EVERYONE, hidden=("org_private_name", SIGNED_IN)),
    "network:organisation_create": GET(SEC),
    "network:organisation_detail": GET(EVERYONE, k(pk="org_b")),
    "network:organisation_edit": GET(SEC, k(pk="org_b")),
    "network:person_add": POST(
        SEC, k(pk="org_b"), perm=("network.manage_people", obj("network.Organisation", "org_b"))
    ),
    "network:product_add": POST(
        SEC, k(pk="org_b"), perm=("network.change_organisation", obj("network.Organisation", "org_b"))
    ),
    "network:membership_apply": POST(
        SEC, k(pk="org_b"), perm=("network.apply_membership", obj("network.Organisation", "org_b"))
    ),
    "network:memberships": GET(OFFICERS),
    "network:membership_action": POST(
        SEC_BOARD,
        k(pk="membership_applied", action=("approve",)),
        perm=("network.decide_membership", obj("network.Membership", "membership_applied")),
    ),
    "network:mous": GET(EVERYONE, note="public MOUs are listed for everyone"),
    "network:mou_create": GET(SEC),
    "network:mou_detail": GET(EVERYONE, k(pk="mou"), note="the demo MOU is public"),
    "network:mou_activity_add": POST(
        SEC, k(pk="mou"), perm=("network.manage_mou", obj("network.Mou", "mou"))
    ),
    "network:mou_document_add": POST(
        SEC, k(pk="mou"), perm=("network.manage_mou", obj("network.Mou", "mou"))
    ),
    "network:mou_document_download": GET(
        MEMBERS, k(doc_id="mou_document"), note="the partner contact is of another institution than the MOU's"
    ),
    "network:import": GET(SEC),
    "network:export": GET(OFFICERS, k(fmt=("csv",))),
    # datahub
    "datahub:catalog": GET(EVERYONE),
    "datahub:dataset_create": GET(("rep_a", "partner", "secretariat")),
    "datahub:job_detail": GET(SEC, k(job_id="ingest_job")),
    "datahub:dataset_detail": GET(SIGNED_IN, k(slug="dataset_members")),
    "datahub:dataset_edit": GET(SEC, k(slug="dataset_members")),
    "datahub:upload_version": POST(
        SEC,
        k(slug="dataset_members"),
        perm=(
            "datahub.add_version",
            lambda w: __import__("dongne.datahub.models", fromlist=["Dataset"]).Dataset.objects.get(
                slug=w["dataset_members"]
            ),
        ),
    ),
    "datahub:pull": POST(SEC, k(slug="dataset_members")),
    "datahub:download": GET(SIGNED_IN, k(slug="dataset_members", fmt=("csv",))),
    "dcat_catalog": GET(EVERYONE),
    "api/action/<str:name>": GET(EVERYONE, path="/api/action/package_list"),
    "api/3/action/<str:name>": GET(EVERYONE, path="/api/3/action/package_list"),
    # insights
    "insights:overview": GET(EVERYONE),
    "insights:festivals": GET(EVERYONE),
    "insights:festival_detail": GET(EVERYONE, k(festival_id=("mime-2025",))),
    "insights:keywords": GET(EVERYONE),
    "insights:opportunities": GET(EVERYONE),
    "insights:plotly_js": GET(EVERYONE, k(version=("0",))),
    "insights:geojson": GET(EVERYONE, k(name=("chuncheon-emd",), version=("0",))),
    "insights:topojson": GET(EVERYONE, k(name=("world_110m",))),
    # governance
    "governance:index": GET(EVERYONE, note="anonymous and partners are sent on to the public reports"),
    "governance:capital": GET(OFFICERS),
    "governance:cooperative_settings": POST(SEC, perm=("governance.manage_cooperative", None)),
    "governance:capital_action": POST(
        SEC, k(action=("subscribe",)), perm=("governance.record_capital", None)
    ),
    "governance:my_statement": GET(("rep_a",)),
    "governance:statement": GET(OFFICERS, k(organisation_id="org_b")),
    "governance:register": GET(OFFICERS, k(fmt=("csv",))),
    "governance:meetings": GET(MEMBERS),
    "governance:meeting_detail": GET(MEMBERS, k(pk="meeting_assembly")),
    "governance:meeting_attendance": POST(
        SEC, k(pk="meeting_board"), perm=("governance.manage_meeting", None)
    ),
    "governance:item_resolve": POST(
        SEC, k(pk="meeting_board", item_pk="meeting_item"), perm=("governance.record_resolution", None)
    ),
    "governance:item_expulsion": POST(
        SEC, k(pk="meeting_board", item_pk="meeting_item"), perm=("governance.manage_meeting", None)
    ),
    "governance:minutes_draft": POST(SEC, k(pk="meeting_board"), perm=("governance.draft_minutes", None)),
    "governance:minutes_confirm": POST(("chair",), k(pk="meeting_board")),
    "governance:minutes_pdf": GET(MEMBERS, k(pk="meeting_assembly")),
    "governance:polls": GET(MEMBERS),
    "governance:poll_detail": GET(MEMBERS, k(pk="poll_open")),
    "governance:poll_vote": POST(
        ("rep_a",), k(pk="poll_open"), perm=("governance.cast_vote", obj("network.Organisation", "org_a"))
    ),
    "governance:poll_close": POST(SEC, k(pk="poll_open"), perm=("governance.manage_poll", None)),
    "governance:officers": GET(MEMBERS),
    "governance:reports": GET(EVERYONE),
    "governance:impact": POST(SEC, perm=("governance.report_impact", obj("network.Organisation", "org_b"))),
    "governance:report_detail": GET(EVERYONE, k(year="report_year")),
    "governance:report_pdf": GET(EVERYONE, k(year="report_year")),
    "governance:report_publish": POST(SEC, k(year="report_year"), perm=("governance.manage_report", None)),
    "governance:log": GET(OFFICERS),
    # opportunities
    "opportunities:index": GET(EVERYONE),
    "opportunities:create": GET(("rep_a", "partner", "secretariat")),
    "opportunities:for_me": GET(SIGNED_IN),
    "opportunities:detail": GET(EVERYONE, k(pk="opportunity")),
    "opportunities:edit": GET(SEC, k(pk="opportunity")),
    "opportunities:builder": GET(OFFICERS, k(pk="opportunity")),
    "opportunities:consortium_create": POST(MEMBERS, k(pk="opportunity")),
    "opportunities:consortia": GET(
        hidden=("consortium_title", OFFICERS),
        allow=SIGNED_IN,
        note="lists only the consortia the viewer may see",
    ),
    "opportunities:consortium": GET(OFFICERS, k(pk="consortium")),
    "opportunities:consortium_member": POST(
        SEC,
        k(pk="consortium"),
        perm=("opportunities.manage_consortium", obj("opportunities.Consortium", "consortium")),
    ),
    "opportunities:consortium_document": POST(
        SEC,
        k(pk="consortium"),
        perm=("opportunities.manage_consortium", obj("opportunities.Consortium", "consortium")),
    ),
    "opportunities:consortium_document_download": GET(OFFICERS, k(doc_id="consortium_document")),
    "opportunities:consortium_milestone": POST(
        SEC,
        k(pk="consortium"),
        perm=("opportunities.manage_consortium", obj("opportunities.Consortium", "consortium")),
    ),
    "opportunities:consortium_transition": POST(
        SEC,
        k(pk="consortium", action=("submit",)),
        perm=("opportunities.manage_consortium", obj("opportunities.Consortium", "consortium")),
    ),
    "opportunities:attachment_add": POST(
        SEC,
        k(pk="opportunity"),
        perm=("opportunities.change_opportunity", obj("opportunities.Opportunity", "opportunity")),
    ),
    "opportunities:attachment_download": GET(EVERYONE, k(attachment_id="opportunity_attachment")),
    "opportunities:feeds": GET(SEC),
    "opportunities:notifications": GET(SIGNED_IN),
    "opportunities:canvases": GET(SIGNED_IN),
    "opportunities:canvas_create": GET(("rep_a", "partner", "secretariat")),
    "opportunities:canvas": GET(SIGNED_IN, k(pk="canvas")),
    "opportunities:canvas_edit": GET(SEC, k(pk="canvas")),
    # programs
    "programs:index": GET(EVERYONE),
    "programs:program_create": GET(SIGNED_IN, note="organiser limited to represented organisations"),
    "programs:program_detail": GET(EVERYONE, k(pk="program")),
    "programs:program_edit": GET(SEC, k(pk="program")),
    "programs:register": POST(
        SIGNED_IN, k(pk="program"), perm=("programs.register", obj("programs.Program", "program"))
    ),
    "programs:registrations": GET(SEC, k(pk="program")),
    "programs:feedback_results": GET(OFFICERS, k(pk="program")),
    "programs:program_calendar": GET(EVERYONE, k(pk="program")),
    "programs:program_action": POST(
        SEC,
        k(pk="program", action=("cancel",)),
        perm=("programs.manage_program", obj("programs.Program", "program")),
    ),
    "programs:my_registrations": GET(SIGNED_IN),
    "programs:calendar_renew": POST(SIGNED_IN, perm=("programs.create_calendar_feed", None)),
    "programs:person_calendar": GET(NOBODY, k(token=("not-a-real-token",))),
    "programs:organisation_calendar": GET(EVERYONE, k(organisation_id="org_b")),
    "programs:certificate_pdf": GET(SEC, k(registration_id="registration_certified")),
    "programs:feedback": GET(NOBODY, k(registration_id="registration")),
    "programs:registration_action": POST(
        SEC,
        k(registration_id="registration", action=("cancel",)),
        perm=("programs.change_registration", obj("programs.Registration", "registration")),
    ),
    "programs:door": GET(SEC, k(session_id="session")),
    "programs:session_edit": GET(SEC, k(session_id="session")),
    "programs:session_remove": POST(
        SEC,
        k(session_id="session"),
        perm=("programs.manage_program", obj("programs.Program", "program")),
    ),
    "programs:checkin_qr": GET(SEC, k(token="checkin_token")),
    "programs:verify": GET(EVERYONE),
    "programs:knowledge": GET(EVERYONE),
    "programs:article_create": GET(SIGNED_IN),
    "programs:article_detail": GET(SIGNED_IN, k(article_id="article_members")),
    "programs:article_edit": GET(
        ("rep_a", "secretariat"), k(article_id="article_members"), note="rep_a wrote it"
    ),
    "programs:attachment_download": GET(SIGNED_IN, k(attachment_id="article_attachment")),
    "programs:exhibition": GET(EVERYONE),
    "programs:exhibit_detail": GET(EVERYONE, k(exhibit_id="exhibit")),
    "programs:exhibit_image": GET(EVERYONE, k(image_id="exhibit_image")),
    "programs:exhibit_create": GET(SEC, k(organisation_id="exhibit_org_b")),
    "programs:inquiry_answer": POST(
        SEC,
        k(inquiry_id="inquiry"),
        perm=(
            "programs.manage_exhibit",
            lambda w: obj("programs.Inquiry", "inquiry")(w).exhibit.organisation,
        ),
    ),
    "programs:statistics": GET(OFFICERS),
    # spaces
    "spaces:index": GET(EVERYONE),
    "spaces:facility": GET(EVERYONE, k(pk="facility")),
    "spaces:facility_ics": GET(EVERYONE, k(pk="facility")),
    "spaces:cancel_booking": POST(
        SEC, k(pk="booking_b"), perm=("spaces.cancel_booking", obj("spaces.Booking", "booking_b"))
    ),
    "spaces:applications": GET(
        hidden=("application_org_name", OFFICERS),
        allow=SIGNED_IN,
        note="a representative sees only their own",
    ),
    "spaces:application_new": GET(SIGNED_IN),
    "spaces:application": GET(OFFICERS, k(pk="application")),
    "spaces:application_score": POST(
        SEC_BOARD,
        k(pk="application"),
        perm=("spaces.review_application", obj("spaces.TenancyApplication", "application")),
    ),
    "spaces:application_decide": POST(
        SEC,
        k(pk="application"),
        perm=("spaces.decide_application", obj("spaces.TenancyApplication", "application")),
    ),
    "spaces:application_lease": POST(SEC, k(pk="application"), perm=("spaces.manage_leases", None)),
    "spaces:document": GET(OFFICERS, k(pk="application_document")),
    "spaces:leases": GET(OFFICERS),
    "spaces:lease": GET(OFFICERS, k(pk="lease_b")),
    "spaces:lease_action": POST(
        SEC, k(pk="lease_b", action=("move_in",)), perm=("spaces.manage_leases", None)
    ),
    "spaces:reports": GET(OFFICERS),
    "spaces:rubric": GET(SEC),
    "spaces:setup": GET(SEC),
    "spaces:setup_building": POST(SEC, perm=("spaces.manage_spaces", None)),
    "spaces:setup_building_edit": GET(
        SEC, k(pk="building"), perm=("spaces.manage_spaces", obj("spaces.Building", "building"))
    ),
    "spaces:setup_floor": POST(SEC, perm=("spaces.manage_spaces", None)),
    "spaces:setup_unit": POST(SEC, perm=("spaces.manage_spaces", None)),
    "spaces:setup_unit_edit": GET(
        SEC, k(pk="unit_free"), perm=("spaces.manage_spaces", obj("spaces.Unit", "unit_free"))
    ),
    "spaces:setup_unit_availability": POST(
        SEC,
        k(pk="unit_free"),
        data={"available": "0"},
        perm=("spaces.manage_spaces", obj("spaces.Unit", "unit_free")),
    ),
    "spaces:setup_facility": POST(SEC, perm=("spaces.manage_spaces", None)),
    "spaces:setup_facility_edit": GET(SEC, k(pk="facility")),
    "spaces:activity_report": POST(
        ("rep_a", "secretariat"), perm=("spaces.report_activity", obj("network.Organisation", "org_a"))
    ),
}

API_RULES = {
    "GET /api/v1/core/me": API("GET", EVERYONE, note="anonymous gets authenticated=false"),
    "GET /api/v1/core/health": API("GET", EVERYONE),
    "GET /api/v1/core/me/personal-data": API("GET", SIGNED_IN, note="each user gets their own data"),
    "GET /api/v1/core/tokens": API("GET", SIGNED_IN, hidden=("token_other", ("chair",))),
    "POST /api/v1/core/tokens": API("POST", SIGNED_IN, data={"name": "matrix"}),
    "DELETE /api/v1/core/tokens/{token_id}": API(
        "DELETE", ("chair", "secretariat"), k(token_id="token_other")
    ),
    "GET /api/v1/core/audit": API("GET", SEC_AUDITOR),
    "GET /api/v1/network/organisations": API("GET", EVERYONE, hidden=("org_private", SIGNED_IN)),
    "POST /api/v1/network/organisations": API(
        "POST", SEC, data={"name": "매트릭스", "kind": "member_company"}
    ),
    "GET /api/v1/network/organisations/{organisation_id}": API("GET", EVERYONE, k(organisation_id="org_b")),
    "PATCH /api/v1/network/organisations/{organisation_id}": API(
        "PATCH", SEC, k(organisation_id="org_b"), data={"description": "바뀜"}
    ),
    "GET /api/v1/network/memberships": API(
        "GET", EVERYONE, hidden=("membership_applied", OFFICERS), note="empty list unless officer"
    ),
    "POST /api/v1/network/organisations/{organisation_id}/membership": API(
        "POST", SEC, k(organisation_id="org_b"), data={"member_type": "producer"}
    ),
    "POST /api/v1/network/memberships/{membership_id}/approve": API(
        "POST", SEC_BOARD, k(membership_id="membership_applied"), data={"decision_ref": "matrix"}
    ),
    "POST /api/v1/network/memberships/{membership_id}/reject": API(
        "POST", SEC_BOARD, k(membership_id="membership_applied"), data={"reason": "matrix"}
    ),
    "POST /api/v1/network/memberships/{membership_id}/activate": API(
        "POST", SEC, k(membership_id="membership_applied")
    ),
    "POST /api/v1/network/memberships/{membership_id}/withdrawal": API(
        "POST", SEC, k(membership_id="membership_applied")
    ),
    "POST /api/v1/network/memberships/{membership_id}/withdrawal/complete": API(
        "POST", SEC, k(membership_id="membership_applied")
    ),
    "POST /api/v1/network/memberships/{membership_id}/expel": API(
        "POST", SEC, k(membership_id="membership_applied"), data={"decision_ref": "x", "reason": "x"}
    ),
    "GET /api/v1/network/mous": API("GET", EVERYONE, note="public MOUs only for anonymous"),
    "POST /api/v1/network/mous": API("POST", SEC, data={"title": "x"}),
    "POST /api/v1/network/members/import": API("POST", SEC),
    "GET /api/v1/network/members/export": API("GET", OFFICERS),
    "GET /api/v1/datahub/datasets": API("GET", EVERYONE),
    "POST /api/v1/datahub/datasets": API("POST", SEC, data={"title": "x"}),
    "GET /api/v1/datahub/facets": API("GET", EVERYONE),
    "GET /api/v1/datahub/datasets/{slug}": API("GET", SIGNED_IN, k(slug="dataset_members")),
    "GET /api/v1/datahub/datasets/{slug}/versions": API("GET", SIGNED_IN, k(slug="dataset_members")),
    "GET /api/v1/datahub/datasets/{slug}/rows": API("GET", SIGNED_IN, k(slug="dataset_members")),
    "POST /api/v1/datahub/datasets/{slug}/query": API("POST", SIGNED_IN, k(slug="dataset_members")),
    "POST /api/v1/datahub/sql": API("POST", EVERYONE, data={"sql": "select 1"}),
    "GET /api/v1/insights/": API("GET", EVERYONE),
    "GET /api/v1/insights/{analysis}": API("GET", EVERYONE, k(analysis=("festivals",))),
    "GET /api/v1/governance/capital/totals": API("GET", OFFICERS),
    "GET /api/v1/governance/capital/statement/{organisation_id}": API(
        "GET", OFFICERS, k(organisation_id="org_b")
    ),
    "GET /api/v1/governance/meetings": API("GET", MEMBERS),
    "GET /api/v1/governance/meetings/{meeting_id}": API("GET", MEMBERS, k(meeting_id="meeting_assembly")),
    "GET /api/v1/governance/polls": API("GET", MEMBERS),
    "GET /api/v1/governance/polls/{poll_id}": API("GET", MEMBERS, k(poll_id="poll_open")),
    "POST /api/v1/governance/polls/{poll_id}/vote": API("POST", ("rep_a",), k(poll_id="poll_open")),
    "GET /api/v1/governance/log/verify": API("GET", OFFICERS),
    "GET /api/v1/governance/reports/{year}": API("GET", EVERYONE, k(year="report_year")),
    "GET /api/v1/opportunities/opportunities": API("GET", EVERYONE),
    "POST /api/v1/opportunities/opportunities": API("POST", SIGNED_IN, data={"title": "x"}),
    "GET /api/v1/opportunities/opportunities/{opportunity_id}": API(
        "GET", EVERYONE, k(opportunity_id="opportunity")
    ),
    "GET /api/v1/opportunities/opportunities/{opportunity_id}/matches": API(
        "GET", OFFICERS, k(opportunity_id="opportunity")
    ),
    "GET /api/v1/opportunities/matches/{organisation_id}": API("GET", SEC, k(organisation_id="org_b")),
    "GET /api/v1/opportunities/outcomes": API("GET", OFFICERS),
    "GET /api/v1/programs/programs": API("GET", EVERYONE),
    "GET /api/v1/programs/programs/{program_id}": API("GET", EVERYONE, k(program_id="program")),
    "POST /api/v1/programs/programs/{program_id}/register": API("POST", SIGNED_IN, k(program_id="program")),
    "GET /api/v1/programs/registrations": API(
        "GET", SIGNED_IN, hidden=("registration", ()), note="own registrations only"
    ),
    "POST /api/v1/programs/registrations/{registration_id}/cancel": API(
        "POST", SEC, k(registration_id="registration")
    ),
    "POST /api/v1/programs/registrations/{registration_id}/confirm": API(
        "POST", SEC, k(registration_id="registration")
    ),
    "GET /api/v1/spaces/facilities": API("GET", EVERYONE),
    "GET /api/v1/spaces/facilities/{facility_id}": API("GET", EVERYONE, k(facility_id="facility")),
    "GET /api/v1/spaces/facilities/{facility_id}/availability": API(
        "GET", EVERYONE, k(facility_id="facility")
    ),
    "POST /api/v1/spaces/bookings": API("POST", ("rep_a", "secretariat")),
    "GET /api/v1/spaces/bookings": API(
        "GET", EVERYONE, hidden=("booking_b", ()), note="own bookings; empty for anonymous"
    ),
    "POST /api/v1/spaces/bookings/{booking_id}/cancel": API("POST", SEC, k(booking_id="booking_b")),
    "GET /api/v1/spaces/units": API("GET", EVERYONE),
}


def rules():
    return {**PAGES, **API_RULES}


# The Django admin is one gate (``is_staff``, which only the secretariat has: core.backends.RoleBackend):
# every admin URL is secretariat-only except its own login. Pages without URL arguments are requested.
ADMIN_PUBLIC = {"admin:login": GET(EVERYONE), "admin:logout": POST(EVERYONE)}


def covered_by_prefix(key, route=""):
    """The rule for a URL covered by a prefix rule (the admin), or None."""
    if key.startswith("admin:") or key.startswith("admin/"):
        if key in ADMIN_PUBLIC:
            return ADMIN_PUBLIC[key]
        # Requested: the index and every changelist. Add/change/delete/history pages go through the same
        # ``admin_view`` gate; several models refuse "add" on purpose (append-only ledgers), so they are listed
        # but not requested.
        requested = key == "admin:index" or key.endswith("_changelist")
        return GET(SEC, skip=not requested, note="Django admin: staff (= secretariat) only")
    return None
