"""State changes of the network app. Every function checks permission, validates, writes inside
a transaction, records an audit entry and returns the object (ARCHITECTURE.md rule 1)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from dongne.core import audit, permissions, search
from dongne.core.errors import Conflict, PermissionDenied, ValidationError, from_django_validation
from dongne.core.korean import (
    normalize_phone,
    parse_korean_date,
    validate_business_number,
    validate_corporate_number,
)
from dongne.core.regions import emd, sigungu

from . import selectors
from .choices import MembershipStatus, MemberType, OrganisationKind, TagKind
from .models import (
    Affiliation,
    Membership,
    MembershipEvent,
    Mou,
    MouActivity,
    MouDocument,
    Organisation,
    Person,
    Product,
    Tag,
)

SEARCH_KIND = "network.organisation"

ORG_FIELDS = (
    "kind",
    "name",
    "name_en",
    "business_number",
    "corporate_number",
    "representative",
    "founded_on",
    "address",
    "sigungu_code",
    "emd_code",
    "employees",
    "description",
    "products_services",
    "homepage",
    "phone",
    "email",
    "is_public",
    "industry_tags",
    "capability_tags",
)
ADMIN_ORG_FIELDS = {"kind", "business_number", "corporate_number", "is_public"}


# --- helpers ------------------------------------------------------------------------------------
def _today():
    return timezone.localdate()


def _date(value, field, errors, *, required=False):
    if value in (None, ""):
        if required:
            errors.setdefault(field, []).append(str(_("This field is required.")))
        return None
    try:
        return parse_korean_date(value)
    except ValueError as exc:
        errors.setdefault(field, []).append(str(exc))
        return None


def split_tags(value):
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").replace("·", ",").split(",")
    seen = []
    for item in value:
        name = str(item).strip().lstrip("#")
        if name and name not in seen:
            seen.append(name[:60])
    return seen


def clean_organisation_data(data, *, instance=None):
    """Validate and normalise organisation fields; raise ValidationError with every field error."""
    errors = {}
    out = {}
    for field in ORG_FIELDS:
        if field in data:
            out[field] = data[field]
    if "name" in out or instance is None:
        out["name"] = str(out.get("name") or "").strip()
        if not out["name"]:
            errors.setdefault("name", []).append(str(_("Enter the organisation's name.")))
    if "kind" in out or instance is None:
        if out.get("kind") not in OrganisationKind.values:
            errors.setdefault("kind", []).append(str(_("Choose a kind of organisation.")))
    for field, validate in (
        ("business_number", validate_business_number),
        ("corporate_number", validate_corporate_number),
    ):
        if field in out:
            raw = str(out[field] or "").strip()
            if not raw:
                out[field] = None
            else:
                try:
                    out[field] = validate(raw)
                except ValueError as exc:
                    errors.setdefault(field, []).append(str(exc))
    if "founded_on" in out:
        out["founded_on"] = _date(out["founded_on"], "founded_on", errors)
        if out["founded_on"] and out["founded_on"] > _today():
            errors.setdefault("founded_on", []).append(str(_("The founding date cannot be in the future.")))
    if "phone" in out:
        raw = str(out["phone"] or "").strip()
        if raw:
            try:
                out["phone"] = normalize_phone(raw)
            except ValueError as exc:
                errors.setdefault("phone", []).append(str(exc))
        else:
            out["phone"] = ""
    if "employees" in out:
        raw = out["employees"]
        if raw in (None, ""):
            out["employees"] = None
        else:
            try:
                out["employees"] = int(str(raw).replace(",", "").replace("명", "").strip())
                if out["employees"] < 0:
                    raise ValueError
            except ValueError:
                errors.setdefault("employees", []).append(
                    str(_("Enter the number of employees as a whole number."))
                )
    if "sigungu_code" in out:
        out["sigungu_code"] = str(out["sigungu_code"] or "").strip()
        if out["sigungu_code"] and out["sigungu_code"] not in sigungu():
            errors.setdefault("sigungu_code", []).append(str(_("Unknown city/county code.")))
    if "emd_code" in out:
        out["emd_code"] = str(out["emd_code"] or "").strip()
        if out["emd_code"]:
            sgg = out.get("sigungu_code", instance.sigungu_code if instance else "")
            if out["emd_code"] not in emd():
                errors.setdefault("emd_code", []).append(str(_("Unknown town/district code.")))
            elif sgg and emd()[out["emd_code"]][0] != sgg:
                errors.setdefault("emd_code", []).append(
                    str(_("This town/district is not in the chosen city/county."))
                )
    for field in ("industry_tags", "capability_tags"):
        if field in out:
            out[field] = split_tags(out[field])
    for field in (
        "name_en",
        "representative",
        "address",
        "description",
        "products_services",
        "homepage",
        "email",
    ):
        if field in out:
            out[field] = str(out[field] or "").strip()
    if "is_public" in out:
        out["is_public"] = bool(out["is_public"])
    # Uniqueness of registration numbers, with a message that names the other organisation.
    for field in ("business_number", "corporate_number"):
        if out.get(field) and field not in errors:
            other = Organisation.objects.filter(**{field: out[field]})
            if instance is not None:
                other = other.exclude(pk=instance.pk)
            other = other.first()
            if other:
                errors.setdefault(field, []).append(
                    str(_("This number is already registered to %(name)s.") % {"name": other.name})
                )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationError(first, errors=errors)
    return out


def _set_tags(organisation, field, names):
    kind = TagKind.INDUSTRY if field == "industry_tags" else TagKind.CAPABILITY
    tags = [Tag.objects.get_or_create(kind=kind, name=name)[0] for name in names]
    getattr(organisation, field).set(tags)


def reindex_organisation(organisation):
    """Refresh the organisation's search document (name weighs more than the rest)."""
    tags = " ".join(
        t.name for t in list(organisation.industry_tags.all()) + list(organisation.capability_tags.all())
    )
    products = " ".join(f"{p.name} {p.description}" for p in organisation.products.all())
    search.index_object(
        SEARCH_KIND,
        organisation.pk,
        name=f"{organisation.name} {organisation.name_en}",
        body=" ".join(
            [
                organisation.description,
                organisation.products_services,
                tags,
                products,
                organisation.address,
                organisation.sigungu_name,
                organisation.emd_name,
            ]
        ),
        is_public=organisation.is_public,
    )


def _save(obj):
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise from_django_validation(exc)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(_("Another record with the same registration number or name already exists."))


# --- organisations -----------------------------------------------------------------------------
def create_organisation(*, actor, data):
    """Register an organisation of any kind (secretariat)."""
    permissions.require(actor, "network.create_organisation")
    cleaned = clean_organisation_data(data)
    tags = {f: cleaned.pop(f) for f in ("industry_tags", "capability_tags") if f in cleaned}
    with transaction.atomic():
        organisation = Organisation(**cleaned)
        _save(organisation)
        for field, names in tags.items():
            _set_tags(organisation, field, names)
        reindex_organisation(organisation)
        audit.record(actor, "network.organisation.created", organisation, {"data": cleaned, **tags})
    return organisation


def _changed_admin_fields(organisation, data):
    """Admin fields whose submitted value differs from the stored one once both are normalised:
    "2218100012" is the stored "221-81-00012" and "" is a stored empty number, so a representative
    who resubmits their profile unchanged is not refused."""
    changed = set()
    for field in ADMIN_ORG_FIELDS & set(data):
        try:
            value = clean_organisation_data({field: data[field]}, instance=organisation)[field]
        except ValidationError:
            changed.add(field)
            continue
        if value != getattr(organisation, field):
            changed.add(field)
    return changed


def update_organisation(*, actor, organisation_id, data):
    """Edit an organisation's profile: the secretariat, or a representative for their own organisation."""
    with transaction.atomic():
        organisation = selectors.organisation_for_update(organisation_id)
        permissions.require(actor, "network.change_organisation", organisation)
        if ADMIN_ORG_FIELDS & set(data):
            changing = _changed_admin_fields(organisation, data)
            if changing and not permissions.can(
                actor, "network.change_organisation_admin_fields", organisation
            ):
                raise PermissionDenied(
                    _("Only the secretariat can change the kind, registration numbers or visibility.")
                )
        cleaned = clean_organisation_data(data, instance=organisation)
        tags = {f: cleaned.pop(f) for f in ("industry_tags", "capability_tags") if f in cleaned}
        changes = {}
        for field, value in cleaned.items():
            if getattr(organisation, field) != value:
                changes[field] = [getattr(organisation, field), value]
                setattr(organisation, field, value)
        _save(organisation)
        for field, names in tags.items():
            before = sorted(t.name for t in getattr(organisation, field).all())
            if before != sorted(names):
                changes[field] = [before, names]
                _set_tags(organisation, field, names)
        reindex_organisation(organisation)
        audit.record(actor, "network.organisation.updated", organisation, {"changes": changes})
    return organisation


def add_product(*, actor, organisation_id, name, category="", description="", is_public=True):
    """Add a product or service to an organisation's profile."""
    with transaction.atomic():
        organisation = selectors.organisation_for_update(organisation_id)
        permissions.require(actor, "network.change_organisation", organisation)
        if not str(name).strip():
            raise ValidationError.on("name", _("Enter the product's name."))
        product = Product(
            organisation=organisation,
            name=str(name).strip(),
            category=category,
            description=description,
            is_public=is_public,
        )
        _save(product)
        reindex_organisation(organisation)
        audit.record(actor, "network.product.created", product, {"organisation": organisation.pk})
    return product


# --- people --------------------------------------------------------------------------------------
def add_person(
    *,
    actor,
    organisation_id,
    name,
    email="",
    phone="",
    title="",
    is_representative=False,
    contact_visibility=None,
    user=None,
):
    """Add a person with a role in an organisation (secretariat, or the organisation's representative)."""
    with transaction.atomic():
        organisation = selectors.organisation_for_update(organisation_id)
        permissions.require(actor, "network.manage_people", organisation)
        errors = {}
        if not str(name).strip():
            errors["name"] = [str(_("Enter the person's name."))]
        if phone:
            try:
                phone = normalize_phone(phone)
            except ValueError as exc:
                errors["phone"] = [str(exc)]
        if errors:
            raise ValidationError(next(iter(errors.values()))[0], errors=errors)
        person = Person(name=str(name).strip(), email=email or "", phone=phone or "", user=user)
        if contact_visibility:
            person.contact_visibility = contact_visibility
        _save(person)
        Affiliation.objects.create(
            person=person, organisation=organisation, title=title, is_representative=is_representative
        )
        audit.record(
            actor,
            "network.person.added",
            person,
            {"organisation": organisation.pk, "title": title, "representative": is_representative},
        )
    return person


# --- membership lifecycle ---------------------------------------------------------------------------
# applied → approved → active → withdrawing → withdrawn; applied → rejected; approved/active/withdrawing → expelled.
TRANSITIONS = {
    "approve": ({MembershipStatus.APPLIED}, MembershipStatus.APPROVED),
    "reject": ({MembershipStatus.APPLIED}, MembershipStatus.REJECTED),
    "activate": ({MembershipStatus.APPROVED}, MembershipStatus.ACTIVE),
    "request_withdrawal": ({MembershipStatus.ACTIVE}, MembershipStatus.WITHDRAWING),
    "complete_withdrawal": ({MembershipStatus.WITHDRAWING}, MembershipStatus.WITHDRAWN),
    # A rejected or former member may apply again; an expelled one may not (the articles decide re-entry).
    "reapply": ({MembershipStatus.REJECTED, MembershipStatus.WITHDRAWN}, MembershipStatus.APPLIED),
    "expel": (
        {MembershipStatus.APPROVED, MembershipStatus.ACTIVE, MembershipStatus.WITHDRAWING},
        MembershipStatus.EXPELLED,
    ),
}


def _transition(actor, membership_id, name, *, on, note="", fields=None, date_field="on"):
    """Move a membership along TRANSITIONS with one conditional UPDATE, so two people acting at
    once cannot both succeed: the second finds the status already changed and gets a Conflict.
    A step may not be dated before the last step in the history (which is shown in date order)."""
    allowed, target = TRANSITIONS[name]
    fields = dict(fields or {})
    with transaction.atomic():
        membership = selectors.membership_for_update(membership_id)
        before = membership.status
        changed = Membership.objects.filter(pk=membership.pk, status__in=allowed).update(
            status=target, updated_at=timezone.now(), **fields
        )
        if not changed:
            membership.refresh_from_db()
            raise Conflict(
                _("This membership is %(status)s, so it cannot be moved to %(target)s."),
                code="illegal_transition",
                params={
                    "status": MembershipStatus(membership.status).label,
                    "target": MembershipStatus(target).label,
                },
            )
        last_on = membership.events.aggregate(last=Max("on"))["last"]
        if last_on and on < last_on:
            # Raising inside the atomic block undoes the UPDATE above.
            message = _("This step cannot be dated before the previous one (%(date)s).")
            params = {"date": last_on.isoformat()}
            raise ValidationError(message, params=params, errors={date_field: [str(message) % params]})
        MembershipEvent.objects.create(
            membership=membership,
            from_status=before,
            to_status=target,
            on=on,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            note=note,
        )
        membership.refresh_from_db()
        audit.record(
            actor,
            f"network.membership.{target}",
            membership,
            {"from": before, "to": target, "on": on, "note": note, **fields},
        )
    return membership


def _on(value, field="on"):
    errors = {}
    result = _date(value, field, errors) if value not in (None, "") else _today()
    if errors:
        raise ValidationError(errors[field][0], errors=errors)
    if result > _today():
        raise ValidationError(
            _("The date cannot be in the future."),
            errors={field: [str(_("The date cannot be in the future."))]},
        )
    return result


def apply_membership(*, actor, organisation_id, member_type, applied_on=None, note=""):
    """File a membership application (조합원 가입 신청) for an organisation."""
    with transaction.atomic():
        organisation = selectors.organisation_for_update(organisation_id)
        permissions.require(actor, "network.apply_membership", organisation)
        if member_type not in MemberType.values:
            raise ValidationError.on("member_type", _("Choose a member type."))
        applied_on = _on(applied_on, "applied_on")
        previous = Membership.objects.filter(organisation=organisation).first()
        if previous is not None and previous.status in TRANSITIONS["reapply"][0]:
            # The same record starts over; its history keeps the earlier membership.
            fields = {
                "member_type": member_type,
                "applied_on": applied_on,
                "approved_on": None,
                "decision_ref": "",
                "activated_on": None,
                "withdrawal_requested_on": None,
                "ended_on": None,
                "end_reason": "",
            }
            membership = _transition(
                actor,
                previous.pk,
                "reapply",
                on=applied_on,
                note=note,
                fields=fields,
                date_field="applied_on",
            )
            reindex_organisation(organisation)
            return membership
        if previous is not None:
            raise Conflict(
                _("%(name)s already has a membership record."),
                code="duplicate_membership",
                params={"name": organisation.name},
            )
        try:
            with transaction.atomic():
                membership = Membership.objects.create(
                    organisation=organisation, member_type=member_type, applied_on=applied_on
                )
        except IntegrityError:
            raise Conflict(
                _("%(name)s already has a membership record."),
                code="duplicate_membership",
                params={"name": organisation.name},
            )
        MembershipEvent.objects.create(
            membership=membership,
            from_status="",
            to_status=MembershipStatus.APPLIED,
            on=applied_on,
            actor=actor if actor and actor.is_authenticated else None,
            note=note,
        )
        reindex_organisation(organisation)
        audit.record(
            actor, "network.membership.applied", membership, {"member_type": member_type, "on": applied_on}
        )
    return membership


def approve_membership(*, actor, membership_id, decision_ref, approved_on=None):
    """Record the board's approval (이사회 의결) of an application; the decision reference is required."""
    membership = selectors.get_membership(membership_id)
    permissions.require(actor, "network.decide_membership", membership)
    decision_ref = str(decision_ref or "").strip()
    if not decision_ref:
        raise ValidationError.on(
            "decision_ref", _("Enter the board decision that approved this application.")
        )
    on = _on(approved_on, "approved_on")
    if on < membership.applied_on:
        raise ValidationError.on("approved_on", _("Approval cannot come before the application."))
    return _transition(
        actor,
        membership_id,
        "approve",
        on=on,
        note=decision_ref,
        fields={"approved_on": on, "decision_ref": decision_ref},
        date_field="approved_on",
    )


def reject_membership(*, actor, membership_id, decision_ref, reason="", on=None):
    """Record the board's rejection of an application."""
    membership = selectors.get_membership(membership_id)
    permissions.require(actor, "network.decide_membership", membership)
    if not str(decision_ref or "").strip():
        raise ValidationError.on(
            "decision_ref", _("Enter the board decision that rejected this application.")
        )
    on = _on(on)
    return _transition(
        actor,
        membership_id,
        "reject",
        on=on,
        note=reason,
        fields={"decision_ref": decision_ref, "ended_on": on, "end_reason": reason},
    )


def activate_membership(*, actor, membership_id, on=None):
    """Make an approved member active (once the first capital subscription is paid)."""
    membership = selectors.get_membership(membership_id)
    permissions.require(actor, "network.activate_membership", membership)
    on = _on(on)
    if membership.approved_on and on < membership.approved_on:
        raise ValidationError.on("on", _("Activation cannot come before approval."))
    return _transition(actor, membership_id, "activate", on=on, fields={"activated_on": on})


def request_withdrawal(*, actor, membership_id, reason="", on=None):
    """A member gives notice of withdrawal (탈퇴 신청); the secretariat completes it later."""
    membership = selectors.get_membership(membership_id)
    permissions.require(actor, "network.request_withdrawal", membership)
    on = _on(on)
    return _transition(
        actor,
        membership_id,
        "request_withdrawal",
        on=on,
        note=reason,
        fields={"withdrawal_requested_on": on, "end_reason": reason},
    )


def complete_withdrawal(*, actor, membership_id, on=None):
    """Complete a withdrawal; capital refund is claimable from the next fiscal year (제89조)."""
    membership = selectors.get_membership(membership_id)
    permissions.require(actor, "network.end_membership", membership)
    on = _on(on)
    if membership.withdrawal_requested_on and on < membership.withdrawal_requested_on:
        raise ValidationError.on("on", _("Withdrawal cannot complete before it was requested."))
    return _transition(actor, membership_id, "complete_withdrawal", on=on, fields={"ended_on": on})


def expel_member(*, actor, membership_id, decision_ref, reason, on=None):
    """Expel a member by general assembly resolution (제25조: notice 10 days before, a chance to be heard)."""
    membership = selectors.get_membership(membership_id)
    permissions.require(actor, "network.end_membership", membership)
    errors = {}
    if not str(decision_ref or "").strip():
        errors["decision_ref"] = [str(_("Enter the general assembly resolution that decided the expulsion."))]
    if not str(reason or "").strip():
        errors["reason"] = [str(_("Enter the reason for the expulsion."))]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    on = _on(on)
    return _transition(
        actor,
        membership_id,
        "expel",
        on=on,
        note=reason,
        fields={"ended_on": on, "end_reason": reason, "decision_ref": decision_ref},
    )


# --- MOUs -----------------------------------------------------------------------------------------------
def _clean_mou(data, instance=None):
    errors = {}
    out = {}
    if "title" in data or instance is None:
        out["title"] = str(data.get("title") or "").strip()
        if not out["title"]:
            errors["title"] = [str(_("Enter the MOU's title."))]
    for field in ("signed_on", "starts_on", "expires_on"):
        if field in data or (field == "signed_on" and instance is None):
            out[field] = _date(data.get(field), field, errors, required=field == "signed_on")
    for field in ("scope",):
        if field in data:
            out[field] = str(data[field] or "").strip()
    if "is_public" in data:
        out["is_public"] = bool(data["is_public"])
    signed = out.get("signed_on", instance.signed_on if instance else None)
    expires = out.get("expires_on", instance.expires_on if instance else None)
    if signed and expires and expires < signed:
        errors.setdefault("expires_on", []).append(str(_("An MOU cannot expire before it is signed.")))
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    return out


def create_mou(*, actor, partner_id, data):
    """Record an MOU (업무협약) signed with a partner organisation."""
    permissions.require(actor, "network.manage_mou")
    with transaction.atomic():
        partner = selectors.organisation_for_update(partner_id)
        cleaned = _clean_mou(data)
        mou = Mou(partner=partner, **cleaned)
        _save(mou)
        audit.record(actor, "network.mou.created", mou, {"partner": partner.pk, **cleaned})
    return mou


def update_mou(*, actor, mou_id, data):
    """Edit an MOU's terms."""
    with transaction.atomic():
        mou = selectors.mou_for_update(mou_id)
        permissions.require(actor, "network.manage_mou", mou)
        cleaned = _clean_mou(data, instance=mou)
        changes = {}
        for field, value in cleaned.items():
            if getattr(mou, field) != value:
                changes[field] = [getattr(mou, field), value]
                setattr(mou, field, value)
        _save(mou)
        audit.record(actor, "network.mou.updated", mou, {"changes": changes})
    return mou


def add_mou_activity(*, actor, mou_id, on, title, description=""):
    """Record a follow-up activity under an MOU (joint project, meeting, event)."""
    with transaction.atomic():
        mou = selectors.mou_for_update(mou_id)
        permissions.require(actor, "network.manage_mou", mou)
        errors = {}
        day = _date(on, "on", errors, required=True)
        if not str(title or "").strip():
            errors["title"] = [str(_("Enter the activity's title."))]
        if errors:
            raise ValidationError(next(iter(errors.values()))[0], errors=errors)
        activity = MouActivity.objects.create(
            mou=mou, on=day, title=str(title).strip(), description=description
        )
        audit.record(
            actor, "network.mou.activity_added", mou, {"activity": activity.pk, "title": activity.title}
        )
    return activity


def add_mou_document(*, actor, mou_id, title, uploaded_file):
    """Attach a document (the signed agreement, minutes) to an MOU."""
    with transaction.atomic():
        mou = selectors.mou_for_update(mou_id)
        permissions.require(actor, "network.manage_mou", mou)
        if uploaded_file is None:
            raise ValidationError.on("file", _("Choose a file to upload."))
        document = MouDocument(
            mou=mou, title=str(title or uploaded_file.name).strip()[:200], file=uploaded_file
        )
        document.save()
        audit.record(
            actor, "network.mou.document_added", mou, {"document": document.pk, "title": document.title}
        )
    return document


# --- import -----------------------------------------------------------------------------------------------
def import_members(*, actor, data, filename, dry_run=True):
    """Import organisations (and their memberships) from a CSV or XLSX register.

    All or nothing: every row is validated first; if any row is invalid nothing is written and
    the error lists each problem with its row number and column. A dry run validates and reports
    without writing.
    """
    from dongne.core.textfile import read_numbered_table

    from . import imports

    permissions.require(actor, "network.import_members")
    header, rows, encoding = read_numbered_table(data, filename)
    problem = imports.header_problems(header)
    if problem:
        raise ValidationError(problem, code="bad_header")
    errors = []
    plan = []
    seen = {}
    for row_number, raw in imports.parse_rows(header, rows):
        org_data, membership, row_errors = imports.map_row(raw)
        for field, message in row_errors.items():
            errors.append({"row": row_number, "column": imports.FIELD_TO_HEADER[field], "message": message})
        try:
            cleaned = clean_organisation_data(org_data)
        except ValidationError as exc:
            for field, messages in (exc.errors or {}).items():
                for message in messages:
                    errors.append(
                        {
                            "row": row_number,
                            "column": imports.FIELD_TO_HEADER.get(field, field),
                            "message": message,
                        }
                    )
            continue
        for field in ("business_number", "corporate_number"):
            if cleaned.get(field):
                first = seen.setdefault((field, cleaned[field]), row_number)
                if first != row_number:
                    errors.append(
                        {
                            "row": row_number,
                            "column": imports.FIELD_TO_HEADER[field],
                            "message": str(
                                _("The same number is already in row %(row)s of this file.") % {"row": first}
                            ),
                        }
                    )
        plan.append((row_number, org_data, membership))
    report = {
        "rows": len(rows),
        "valid": len(rows) - len({e["row"] for e in errors}),
        "errors": errors,
        "encoding": encoding,
        "dry_run": dry_run,
        "created": 0,
    }
    if errors:
        raise ValidationError(
            ngettext_lazy(
                "%(count)s problem found; nothing was imported. Fix the row listed and upload again.",
                "%(count)s problems found; nothing was imported. Fix the rows listed and upload again.",
                "count",
            ),
            code="import_invalid",
            params={"count": len(errors)},
            errors=errors,
        )
    if dry_run:
        return report
    with transaction.atomic():
        for _row_number, org_data, membership in plan:
            organisation = create_organisation(actor=actor, data=org_data)
            if membership:
                joined = membership["joined_on"] or _today()
                record = Membership.objects.create(
                    organisation=organisation,
                    member_type=membership["member_type"],
                    status=membership["status"],
                    applied_on=joined,
                    activated_on=joined if membership["status"] == MembershipStatus.ACTIVE else None,
                    decision_ref=str(_("Imported register"))
                    if membership["status"] == MembershipStatus.ACTIVE
                    else "",
                )
                MembershipEvent.objects.create(
                    membership=record,
                    from_status="",
                    to_status=record.status,
                    on=joined,
                    actor=actor,
                    note=str(_("Imported from %(file)s") % {"file": filename}),
                )
                reindex_organisation(organisation)
            report["created"] += 1
        audit.record(
            actor,
            "network.members.imported",
            None,
            {"file": filename, "encoding": encoding, "created": report["created"]},
        )
    return report
