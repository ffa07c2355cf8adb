"""Network endpoints under /api/v1/network/. Every write goes through services."""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from dongne.core import permissions, uploads
from dongne.core.api import ERRORS
from dongne.core.errors import ValidationError

from . import imports, selectors, services
from .choices import MemberType, OrganisationKind

router = Router(tags=["network"])


class MembershipOut(Schema):
    id: int
    member_type: str
    status: str
    applied_on: dt.date
    approved_on: dt.date | None = None
    decision_ref: str
    activated_on: dt.date | None = None
    ended_on: dt.date | None = None


class OrganisationOut(Schema):
    id: int
    kind: OrganisationKind
    name: str
    name_en: str
    business_number: str | None = None
    corporate_number: str | None = None
    representative: str
    founded_on: dt.date | None = None
    address: str
    sigungu_code: str
    sigungu_name: str
    emd_code: str
    emd_name: str
    employees: int | None = None
    industry_tags: list[str]
    capability_tags: list[str]
    description: str
    products_services: str
    homepage: str
    is_public: bool
    membership_status: str | None = None

    @staticmethod
    def resolve_industry_tags(obj):
        return [t.name for t in obj.industry_tags.all()]

    @staticmethod
    def resolve_capability_tags(obj):
        return [t.name for t in obj.capability_tags.all()]

    @staticmethod
    def resolve_membership_status(obj):
        membership = getattr(obj, "membership", None) if hasattr(obj, "membership") else None
        return membership.status if membership else None


class OrganisationIn(Schema):
    kind: OrganisationKind = OrganisationKind.MEMBER_COMPANY
    name: str
    name_en: str = ""
    business_number: str | None = None
    corporate_number: str | None = None
    representative: str = ""
    founded_on: str | None = None
    address: str = ""
    sigungu_code: str = ""
    emd_code: str = ""
    employees: int | None = None
    industry_tags: list[str] = []
    capability_tags: list[str] = []
    description: str = ""
    products_services: str = ""
    homepage: str = ""
    phone: str = ""
    email: str = ""
    is_public: bool = True


class OrganisationPatch(Schema):
    kind: OrganisationKind | None = None
    name: str | None = None
    name_en: str | None = None
    business_number: str | None = None
    corporate_number: str | None = None
    representative: str | None = None
    founded_on: str | None = None
    address: str | None = None
    sigungu_code: str | None = None
    emd_code: str | None = None
    employees: int | None = None
    industry_tags: list[str] | None = None
    capability_tags: list[str] | None = None
    description: str | None = None
    products_services: str | None = None
    homepage: str | None = None
    phone: str | None = None
    email: str | None = None
    is_public: bool | None = None


@router.get(
    "/organisations", response=list[OrganisationOut], summary="Directory: organisations (search with q)"
)
@paginate
def list_organisations(
    request, q: str = "", kind: str = "", tag: str = "", sigungu: str = "", status: str = ""
):
    return selectors.directory(request.auth, q=q, kind=kind, tag=tag, sigungu=sigungu, status=status)


@router.get("/organisations/{organisation_id}", response={200: OrganisationOut, **ERRORS})
def get_organisation(request, organisation_id: int):
    return selectors.get_organisation(request.auth, organisation_id)


@router.post("/organisations", response={201: OrganisationOut, **ERRORS}, summary="Register an organisation")
def create_organisation(request, payload: OrganisationIn):
    return Status(201, services.create_organisation(actor=request.auth, data=payload.dict()))


@router.patch("/organisations/{organisation_id}", response={200: OrganisationOut, **ERRORS})
def update_organisation(request, organisation_id: int, payload: OrganisationPatch):
    data = payload.dict(exclude_unset=True)
    return services.update_organisation(actor=request.auth, organisation_id=organisation_id, data=data)


class ApplyIn(Schema):
    member_type: MemberType
    applied_on: str | None = None
    note: str = ""


class DecisionIn(Schema):
    decision_ref: str
    on: str | None = None
    reason: str = ""


class DateIn(Schema):
    on: str | None = None
    reason: str = ""


@router.get("/memberships", response={200: list[MembershipOut], **ERRORS}, summary="Memberships (officers)")
@paginate
def list_memberships(request, status: str = ""):
    return selectors.memberships(request.auth, status=status)


@router.post(
    "/organisations/{organisation_id}/membership",
    response={201: MembershipOut, **ERRORS},
    summary="Apply for membership",
)
def apply_membership(request, organisation_id: int, payload: ApplyIn):
    return Status(
        201,
        services.apply_membership(
            actor=request.auth,
            organisation_id=organisation_id,
            member_type=payload.member_type,
            applied_on=payload.applied_on,
            note=payload.note,
        ),
    )


@router.post("/memberships/{membership_id}/approve", response={200: MembershipOut, **ERRORS})
def approve_membership(request, membership_id: int, payload: DecisionIn):
    return services.approve_membership(
        actor=request.auth,
        membership_id=membership_id,
        decision_ref=payload.decision_ref,
        approved_on=payload.on,
    )


@router.post("/memberships/{membership_id}/reject", response={200: MembershipOut, **ERRORS})
def reject_membership(request, membership_id: int, payload: DecisionIn):
    return services.reject_membership(
        actor=request.auth,
        membership_id=membership_id,
        decision_ref=payload.decision_ref,
        reason=payload.reason,
        on=payload.on,
    )


@router.post("/memberships/{membership_id}/activate", response={200: MembershipOut, **ERRORS})
def activate_membership(request, membership_id: int, payload: DateIn):
    return services.activate_membership(actor=request.auth, membership_id=membership_id, on=payload.on)


@router.post("/memberships/{membership_id}/withdrawal", response={200: MembershipOut, **ERRORS})
def request_withdrawal(request, membership_id: int, payload: DateIn):
    return services.request_withdrawal(
        actor=request.auth, membership_id=membership_id, reason=payload.reason, on=payload.on
    )


@router.post("/memberships/{membership_id}/withdrawal/complete", response={200: MembershipOut, **ERRORS})
def complete_withdrawal(request, membership_id: int, payload: DateIn):
    return services.complete_withdrawal(actor=request.auth, membership_id=membership_id, on=payload.on)


@router.post("/memberships/{membership_id}/expel", response={200: MembershipOut, **ERRORS})
def expel_member(request, membership_id: int, payload: DecisionIn):
    return services.expel_member(
        actor=request.auth,
        membership_id=membership_id,
        decision_ref=payload.decision_ref,
        reason=payload.reason,
        on=payload.on,
    )


class MouOut(Schema):
    id: int
    partner_id: int
    partner_name: str
    title: str
    signed_on: dt.date
    scope: str
    starts_on: dt.date | None = None
    expires_on: dt.date | None = None

    @staticmethod
    def resolve_partner_name(obj):
        return obj.partner.name


class MouIn(Schema):
    partner_id: int
    title: str
    signed_on: str
    scope: str = ""
    starts_on: str | None = None
    expires_on: str | None = None
    is_public: bool = True


@router.get("/mous", response=list[MouOut], summary="MOUs (업무협약)")
@paginate
def list_mous(request, expiring_within_days: int | None = Query(None, ge=0, le=36500)):
    if expiring_within_days is not None:
        return selectors.expiring_mous(request.auth, days=expiring_within_days)
    return selectors.visible_mous(request.auth).order_by("-signed_on")


@router.post("/mous", response={201: MouOut, **ERRORS})
def create_mou(request, payload: MouIn):
    data = payload.dict()
    partner_id = data.pop("partner_id")
    return Status(201, services.create_mou(actor=request.auth, partner_id=partner_id, data=data))


class ImportRowError(Schema):
    row: int
    column: str
    message: str


class ImportReport(Schema):
    rows: int
    valid: int
    created: int
    dry_run: bool
    encoding: str
    errors: list[ImportRowError]


@router.post(
    "/members/import",
    response={200: ImportReport, **ERRORS},
    summary="Import members from CSV (UTF-8/CP949) or XLSX; dry_run validates only",
)
def import_members(request, file: File[UploadedFile], dry_run: Form[bool] = True):
    permissions.require(request.auth, "network.import_members")
    uploads.require_upload(file, "table")  # size and content, as on the import page
    return services.import_members(actor=request.auth, data=file.read(), filename=file.name, dry_run=dry_run)


@router.get(
    "/members/export",
    summary="Export the register as CSV (UTF-8 BOM, opens in Excel) or XLSX",
    response={200: None, **ERRORS},
)
def export_members(request, format: str = "csv"):
    response = imports.export_response(selectors.export_queryset(request.auth), format)
    if response is None:
        raise ValidationError(_("Choose the format csv or xlsx."), code="bad_format")
    return response
