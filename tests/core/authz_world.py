"""The world the authorisation matrix runs in: the whole Chuncheon demo, plus the few objects the demo does not
make (documents, images, inquiries, tokens...), and one user per role.

The member representative is the demo's ``rep@demo.dongne.kr`` (company A = its organisation); every object
the URLs point at belongs to someone else (company B, another member, the secretariat), so that the matrix
checks "a member representative of A acting on B's objects".
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

ROLES = ("anonymous", "rep_a", "partner", "chair", "director", "auditor", "secretariat")
BOARD = ("chair", "director")
OFFICERS = ("chair", "director", "auditor", "secretariat")
SIGNED_IN = ("rep_a", "partner", "chair", "director", "auditor", "secretariat")
EVERYONE = ROLES


def _png():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def _pdf(name="doc.pdf"):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf"
    )


def load_demo():
    """Run what ``dongne demo`` runs (network, datahub, insights, governance, opportunities, programs, spaces)."""
    from django.core.management import call_command

    call_command("demo", seed=2018, stdout=io.StringIO())


def build_world():
    """Ids and users the URL table refers to. Runs after ``load_demo``."""
    from django.contrib.auth import get_user_model

    from dongne.core import services as core_services
    from dongne.core.models import JobFailure
    from dongne.datahub.models import Dataset, IngestJob
    from dongne.governance.models import AnnualReport, Meeting, Poll
    from dongne.network import services as network_services
    from dongne.network.models import Affiliation, Membership, Mou, Organisation
    from dongne.opportunities import services as opp_services
    from dongne.opportunities.models import Canvas, Consortium, Opportunity
    from dongne.programs import services as programs_services
    from dongne.programs.models import Article, Exhibit, Inquiry, Program, Registration, Session
    from dongne.spaces import services as spaces_services
    from dongne.spaces.models import Booking, Building, Facility, Lease, TenancyApplication, Unit

    User = get_user_model()
    users = {
        "rep_a": User.objects.get(email="rep@demo.dongne.kr"),
        "partner": User.objects.get(email="partner@demo.dongne.kr"),
        "chair": User.objects.get(email="chair@demo.dongne.kr"),
        "director": User.objects.get(email="director@demo.dongne.kr"),
        "auditor": User.objects.get(email="auditor@demo.dongne.kr"),
        "secretariat": User.objects.get(email="samuguk@demo.dongne.kr"),
    }
    sec = users["secretariat"]
    rep = users["rep_a"]
    org_a = Affiliation.objects.get(person__user=rep, is_representative=True).organisation
    partner_org = Affiliation.objects.get(person__user=users["partner"]).organisation
    not_a = ~Q(organisation=org_a)

    w = {"users": users, "org_a": org_a.pk}
    # Company B: an active member with a lease, bookings and a public profile.
    org_b = (
        Organisation.objects.filter(kind="member_company", is_public=True, membership__status="active")
        .exclude(pk=org_a.pk)
        .filter(pk__in=Lease.objects.values("organisation"))
        .order_by("pk")
        .first()
    )
    w["org_b"] = org_b.pk
    w["org_private"] = (
        Organisation.objects.filter(is_public=False).exclude(pk=org_a.pk).order_by("pk").first().pk
    )
    w["membership_applied"] = (
        Membership.objects.filter(status="applied").exclude(organisation=org_a).order_by("pk").first().pk
    )
    mou = Mou.objects.exclude(partner=partner_org).order_by("pk").first()
    w["mou"] = mou.pk
    w["mou_document"] = network_services.add_mou_document(
        actor=sec, mou_id=mou.pk, title="협약서", uploaded_file=_pdf()
    ).pk

    w["dataset_members"] = Dataset.objects.filter(visibility="members").order_by("slug").first().slug
    w["dataset_public"] = Dataset.objects.filter(visibility="public").order_by("slug").first().slug
    w["ingest_job"] = IngestJob.objects.order_by("pk").first().pk

    w["meeting_board"] = Meeting.objects.filter(kind="board").order_by("-pk").first()
    w["meeting_assembly"] = Meeting.objects.filter(kind="ordinary_assembly").order_by("-pk").first()
    meeting = w["meeting_board"]
    w["meeting_item"] = meeting.items.order_by("pk").first().pk if hasattr(meeting, "items") else None
    w["meeting_board"] = meeting.pk
    w["meeting_assembly"] = w["meeting_assembly"].pk
    w["poll_open"] = Poll.objects.order_by("-closes_at").first().pk
    w["report_year"] = AnnualReport.objects.order_by("-year").first().year

    w["opportunity"] = Opportunity.objects.order_by("pk").first().pk
    consortium = Consortium.objects.exclude(members__organisation=org_a).order_by("pk").first()
    w["consortium"] = consortium.pk
    w["consortium_document"] = opp_services.add_consortium_document(
        actor=sec, consortium_id=consortium.pk, title="제안서", uploaded_file=_pdf()
    ).pk
    w["canvas"] = Canvas.objects.order_by("pk").first().pk
    w["opportunity_attachment"] = opp_services.add_attachment(
        actor=sec,
        opportunity_id=Opportunity.objects.filter(is_public=True).order_by("pk").first().pk,
        title="공고문",
        uploaded_file=_pdf(),
    ).pk

    program = Program.objects.exclude(organiser=org_a).filter(sessions__isnull=False).order_by("pk").first()
    w["program"] = program.pk
    w["program_kind_course"] = Program.objects.filter(kind="course").first().pk
    registration = (
        Registration.objects.filter(program__kind="course").exclude(user=rep).order_by("pk").first()
    )
    w["registration"] = registration.pk
    w["registration_certified"] = (
        Registration.objects.filter(certificate__isnull=False).exclude(user=rep).order_by("pk").first().pk
    )
    from django.core import signing

    from dongne.programs.selectors import CHECKIN_SALT

    w["checkin_token"] = signing.dumps(registration.code, salt=CHECKIN_SALT)
    w["session"] = Session.objects.filter(program=program).order_by("pk").first().pk
    w["article_members"] = Article.objects.filter(visibility="members").first().pk
    w["article_draft"] = Article.objects.filter(visibility="draft").first().pk
    w["article_public"] = Article.objects.filter(visibility="public").order_by("pk").first().pk
    w["article_attachment"] = programs_services.add_attachment(
        actor=sec, article_id=w["article_members"], title="발표 자료", file=_pdf()
    ).pk
    exhibit = Exhibit.objects.exclude(organisation=org_a).order_by("pk").first()
    w["exhibit"] = exhibit.pk
    w["exhibit_image"] = programs_services.add_exhibit_image(
        actor=sec, exhibit_id=exhibit.pk, image=_png()
    ).pk
    w["inquiry"] = Inquiry.objects.create(
        exhibit=exhibit, name="방문객", email="visitor@example.kr", message="가격이 궁금합니다."
    ).pk
    w["exhibit_org_b"] = exhibit.organisation_id

    w["facility"] = Facility.objects.order_by("pk").first().pk
    w["building"] = Building.objects.order_by("pk").first().pk
    w["unit_free"] = Unit.objects.filter(status="available").order_by("pk").first().pk
    w["booking_b"] = Booking.objects.filter(not_a).exclude(booked_by=rep).order_by("pk").first().pk
    application = TenancyApplication.objects.filter(status="submitted").filter(not_a).order_by("pk").first()
    w["application"] = application.pk
    w["application_document"] = spaces_services.add_application_document(
        actor=sec, application_id=application.pk, title="사업계획서", uploaded_file=_pdf()
    ).pk
    w["lease_b"] = Lease.objects.filter(organisation=org_b).order_by("pk").first().pk

    w["invitation"] = core_services.invite_user(
        actor=sec, email="new@example.kr", role="member_rep", organisation=org_b
    ).pk
    token = core_services.create_api_token(actor=users["chair"], name="chair-script-matrix")
    w["token_other"] = token.pk
    w["token_other_name"] = token.name
    from dongne.core.models import ErasureRequest

    w["erasure_request"] = ErasureRequest.objects.create(user=users["partner"], reason="탈퇴").pk
    w["job_failure"] = JobFailure.objects.create(
        task_name="datahub.ingest_job", task_id="authz-matrix-1", error="boom"
    ).pk
    # Text that only some roles may find on list pages (the list answers 200 to all, filtered per viewer).
    w["org_private_name"] = Organisation.objects.get(pk=w["org_private"]).name
    w["membership_applied_name"] = Membership.objects.get(pk=w["membership_applied"]).organisation.name
    w["application_org_name"] = application.organisation.name
    w["consortium_title"] = consortium.name
    return w
