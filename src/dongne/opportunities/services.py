"""State changes of opportunities. Every function checks permission, validates, writes inside a
transaction, records an audit entry and returns the object (ARCHITECTURE.md rule 1)."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dongne.core import audit, permissions, search
from dongne.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from dongne.core.korean import parse_amount, parse_korean_date
from dongne.network.choices import TagKind
from dongne.network.models import Organisation, Tag

from . import feeds, selectors
from .choices import ConsortiumRole, ConsortiumStatus, FeedOutcome, OpportunityKind, Source
from .models import (
    Attachment,
    Canvas,
    Consortium,
    ConsortiumDocument,
    ConsortiumMember,
    FeedRun,
    Milestone,
    Notice,
    NotificationSetting,
    Opportunity,
)
from .regions import parse_regions

TEXT_FIELDS = (
    "title",
    "organiser",
    "ministry",
    "period_note",
    "budget_note",
    "support_field",
    "eligibility_note",
    "source_url",
)
INT_FIELDS = ("min_company_age", "max_company_age", "min_employees", "max_employees")


# --- opportunities ------------------------------------------------------------------------------
def _add(errors, field, message):
    errors.setdefault(field, []).append(str(message))


def _split(value):
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").replace("·", ",").split(",")
    out = []
    for item in value:
        name = str(item).strip().lstrip("#")[:60]
        if name and name not in out:
            out.append(name)
    return out


def _clean(data, *, instance=None):
    """Validate and normalise opportunity fields; raise ValidationError with every field error."""
    errors, out = {}, {}
    creating = instance is None
    if "kind" in data or creating:
        out["kind"] = data.get("kind")
        if out["kind"] not in OpportunityKind.values:
            _add(errors, "kind", _("Choose a kind: funding call, regional need or partner request."))
    for field in TEXT_FIELDS:
        if field in data:
            out[field] = (
                " ".join(str(data[field] or "").split())
                if field != "eligibility_note"
                else str(data[field] or "").strip()
            )
    if "title" in out or creating:
        out["title"] = out.get("title", "")
        if not out["title"]:
            _add(errors, "title", _("Enter a title."))
    if "body" in data:
        out["body"] = feeds.sanitise_html(data["body"])
    rolling = (
        bool(data.get("is_rolling")) if "is_rolling" in data else (instance.is_rolling if instance else False)
    )
    if "deadline" in data:
        raw = (
            str(data["deadline"] or "").strip()
            if not isinstance(data["deadline"], dt.date)
            else data["deadline"]
        )
        if raw in ("상시", "수시", "연중"):
            rolling, out["deadline"] = True, None
        elif raw in ("", None):
            out["deadline"] = None
        else:
            try:
                out["deadline"] = raw if isinstance(raw, dt.date) else parse_korean_date(raw)
            except ValueError as exc:
                _add(errors, "deadline", exc)
    if "starts_on" in data:
        raw = data["starts_on"]
        try:
            out["starts_on"] = (
                raw if isinstance(raw, dt.date) or raw in (None, "") else parse_korean_date(raw)
            )
            out["starts_on"] = out["starts_on"] or None
        except ValueError as exc:
            _add(errors, "starts_on", exc)
    out["is_rolling"] = rolling
    if rolling:
        out["deadline"] = None
    start = out.get("starts_on", instance.starts_on if instance else None)
    end = out.get("deadline", instance.deadline if instance else None)
    if start and end and end < start and "deadline" not in errors:
        _add(errors, "deadline", _("The deadline is before the start; check both dates."))
    if "budget" in data:
        raw = data["budget"]
        if raw in (None, ""):
            out["budget"] = None
        else:
            try:
                out["budget"] = parse_amount(raw) if not isinstance(raw, int) else raw
            except ValueError as exc:
                _add(errors, "budget", exc)
    for field in INT_FIELDS:
        if field in data:
            raw = data[field]
            if raw in (None, ""):
                out[field] = None
                continue
            try:
                out[field] = int(str(raw).replace(",", "").replace("명", "").replace("년", "").strip())
                if out[field] < 0:
                    raise ValueError
            except ValueError:
                _add(errors, field, _("Enter a whole number of zero or more."))
    for low, high in (("min_company_age", "max_company_age"), ("min_employees", "max_employees")):
        if out.get(low) is not None and out.get(high) is not None and out[low] > out[high]:
            _add(errors, high, _("The maximum is below the minimum."))
    if "regions" in data:
        names = _split(data["regions"])
        regions, unknown = parse_regions(names)
        bad = [n for n in names if n not in unknown and n != "전국" and not parse_regions([n])[0]]
        if unknown or bad:
            _add(
                errors,
                "regions",
                _(
                    "Unknown region: %(names)s. Use 전국, a province such as 강원, or a city/county such as 춘천시."
                )
                % {"names": ", ".join(unknown + bad)},
            )
        out["regions"] = regions
    for field in ("industries", "capabilities"):
        if field in data:
            out[field] = _split(data[field])
    if "organisation" in data:
        org = data["organisation"]
        if org in (None, ""):
            out["organisation"] = None
        else:
            org_id = getattr(org, "pk", org)
            out["organisation"] = Organisation.objects.filter(pk=org_id).first()
            if out["organisation"] is None:
                _add(errors, "organisation", _("Choose an existing organisation."))
    if "is_public" in data:
        out["is_public"] = bool(data["is_public"])
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    return out


def _set_tags(opp, field, names):
    kind = TagKind.INDUSTRY if field == "industries" else TagKind.CAPABILITY
    getattr(opp, field).set([Tag.objects.get_or_create(kind=kind, name=name)[0] for name in names])


def _reindex(opp):
    caps = [t.name for t in opp.capabilities.all()]
    inds = [t.name for t in opp.industries.all()]
    opp.tokens = selectors.opportunity_tokens_text(opp, capabilities=caps, industries=inds)
    Opportunity.objects.filter(pk=opp.pk).update(tokens=opp.tokens)
    search.index_object(
        selectors.SEARCH_KIND,
        opp.pk,
        name=opp.title,
        body=" ".join(
            [
                feeds.plain_text(opp.body),
                opp.organiser,
                opp.ministry,
                opp.support_field,
                " ".join(caps),
                " ".join(inds),
                " ".join(opp.regions or []),
            ]
        ),
        is_public=opp.is_public,
    )


def create_opportunity(*, actor, data):
    """Post an opportunity: funding calls by the secretariat; needs and partner requests by an organisation's representative."""
    permissions.require(actor, "opportunities.create_opportunity", data.get("kind"))
    cleaned = _clean(data)
    org = cleaned.get("organisation")
    if not permissions.is_secretariat(actor):
        if org is None:
            orgs = list(selectors.my_organisations(actor)[:2])
            if len(orgs) != 1:
                raise ValidationError.on("organisation", _("Choose the organisation you post for."))
            cleaned["organisation"] = org = orgs[0]
        permissions.require(actor, "opportunities.post_for_organisation", org)
    if org is not None and not cleaned.get("organiser"):
        cleaned["organiser"] = org.name
    tags = {f: cleaned.pop(f) for f in ("industries", "capabilities") if f in cleaned}
    with transaction.atomic():
        opp = Opportunity(**cleaned, posted_by=actor if permissions.is_authenticated(actor) else None)
        opp.save()
        for field, names in tags.items():
            _set_tags(opp, field, names)
        _reindex(opp)
        audit.record(actor, "opportunities.opportunity.created", opp, {"data": cleaned, **tags})
    return opp


def update_opportunity(*, actor, opportunity_id, data):
    """Edit an opportunity (the secretariat, or whoever posted a need or partner request and their organisation's representatives)."""
    with transaction.atomic():
        opp = selectors.opportunity_for_update(opportunity_id)
        permissions.require(actor, "opportunities.change_opportunity", opp)
        if "kind" in data and data["kind"] != opp.kind:
            permissions.require(actor, "opportunities.create_opportunity", data["kind"])
        if "organisation" in data and not permissions.is_secretariat(actor):
            org_id = getattr(data["organisation"], "pk", data["organisation"])
            if str(org_id or "") != str(opp.organisation_id or ""):
                raise PermissionDenied(
                    _("Only the secretariat can move an opportunity to another organisation.")
                )
        cleaned = _clean(data, instance=opp)
        tags = {f: cleaned.pop(f) for f in ("industries", "capabilities") if f in cleaned}
        changes = {}
        for field, value in cleaned.items():
            if getattr(opp, field) != value:
                changes[field] = [str(getattr(opp, field)), str(value)]
                setattr(opp, field, value)
        opp.save()
        for field, names in tags.items():
            before = sorted(t.name for t in getattr(opp, field).all())
            if before != sorted(names):
                changes[field] = [before, names]
                _set_tags(opp, field, names)
        _reindex(opp)
        audit.record(actor, "opportunities.opportunity.updated", opp, {"changes": changes})
    return opp


def add_attachment(*, actor, opportunity_id, title, url="", uploaded_file=None):
    """Attach a link or a file to an opportunity."""
    with transaction.atomic():
        opp = selectors.opportunity_for_update(opportunity_id)
        permissions.require(actor, "opportunities.change_opportunity", opp)
        if not str(title or "").strip():
            raise ValidationError.on("title", _("Enter the attachment's title."))
        if not url and uploaded_file is None:
            raise ValidationError.on("url", _("Give a link or choose a file."))
        attachment = Attachment(opportunity=opp, title=str(title).strip(), url=url or "")
        if uploaded_file is not None:
            attachment.file.save(uploaded_file.name, uploaded_file, save=False)
        attachment.save()
        audit.record(actor, "opportunities.attachment.added", attachment, {"opportunity": opp.pk})
    return attachment


# --- feeds --------------------------------------------------------------------------------------
FEEDS = {
    Source.BIZINFO: (feeds.fetch_bizinfo, feeds.parse_bizinfo, "BIZINFO_BASE_URL", "BIZINFO_KEY"),
    Source.KSTARTUP: (feeds.fetch_kstartup, feeds.parse_kstartup, "KSTARTUP_BASE_URL", "KSTARTUP_KEY"),
}


def _store_record(feed, parsed):
    """Create or update one parsed record; returns (outcome, opportunity, reason)."""
    fields = dict(parsed.fields)
    attachments = fields.pop("attachments", [])
    fields.pop("keywords", None)
    key = feeds.dedupe_key(fields["title"], fields["organiser"], fields["deadline"], fields["is_rolling"])
    existing = Opportunity.objects.filter(source=feed, source_id=parsed.source_id).first()
    if existing is None:
        other = Opportunity.objects.filter(dedupe_key=key).first()
        if other is not None:
            listing = {"source": feed, "id": parsed.source_id, "url": fields.get("source_url", "")}
            if listing not in other.also_listed:
                other.also_listed = [*other.also_listed, listing]
                other.save(update_fields=["also_listed", "updated_at"])
            return (
                FeedOutcome.DUPLICATE,
                other,
                f"same announcement as #{other.pk} ({other.get_source_display()} {other.source_id})",
            )
        opp = Opportunity(
            kind=OpportunityKind.FUNDING_CALL,
            source=feed,
            source_id=parsed.source_id,
            dedupe_key=key,
            **fields,
        )
        opp.full_clean(validate_unique=False, validate_constraints=False)
        opp.save()
        for item in attachments:
            Attachment.objects.create(opportunity=opp, **item)
        _reindex(opp)
        return FeedOutcome.CREATED, opp, ""
    changed = [f for f, v in fields.items() if getattr(existing, f) != v]
    if existing.dedupe_key != key:
        clash = Opportunity.objects.filter(dedupe_key=key).exclude(pk=existing.pk).first()
        if clash is None:
            existing.dedupe_key = key
            changed.append("dedupe_key")
    for f in changed:
        if f in fields:
            setattr(existing, f, fields[f])
    if changed:
        existing.full_clean(validate_unique=False, validate_constraints=False)
        existing.save()
        _reindex(existing)
    return FeedOutcome.UPDATED, existing, ("changed: " + ", ".join(changed)) if changed else "no changes"


def import_feed(*, actor, feed, records):
    """Import raw feed records one by one; a bad record is skipped with its reason and the rest go on.

    Returns the ``FeedRun`` with counts and a per-record report (created / updated / duplicate /
    skipped, with reasons and warnings)."""
    permissions.require(actor, "opportunities.import_feed", feed)
    if feed not in FEEDS:
        raise ValidationError.on(
            "feed", _("Unknown feed %(feed)s; use bizinfo or kstartup."), params={"feed": feed}
        )
    parse = FEEDS[feed][1]
    run = FeedRun.objects.create(feed=feed)
    report, counts = [], {o: 0 for o in FeedOutcome.values}
    for position, record in enumerate(records, start=1):
        entry = {"row": position, "id": "", "title": ""}
        if isinstance(record, dict):
            entry["id"] = str(record.get("pblancId") or record.get("pbanc_sn") or "")
            entry["title"] = str(record.get("pblancNm") or record.get("biz_pbanc_nm") or "")[:120]
        try:
            parsed = parse(record)
            entry["warnings"] = parsed.warnings
            with transaction.atomic():
                outcome, opp, reason = _store_record(feed, parsed)
            entry.update(outcome=outcome, opportunity=opp.pk, reason=reason)
        except feeds.Skip as exc:
            entry.update(outcome=FeedOutcome.SKIPPED, reason=str(exc))
        except IntegrityError:
            # Another import stored the same call a moment earlier (unique source id / de-duplication key).
            entry.update(
                outcome=FeedOutcome.DUPLICATE, reason="stored by another import running at the same time"
            )
        except Exception as exc:  # one bad record never stops the batch; its reason goes into the report
            detail = getattr(exc, "message_dict", None) or str(exc)
            entry.update(outcome=FeedOutcome.SKIPPED, reason=f"{exc.__class__.__name__}: {detail}")
        counts[entry["outcome"]] += 1
        report.append(entry)
    run.counts, run.report, run.finished_at = counts, report, timezone.now()
    run.save(update_fields=["counts", "report", "finished_at"])
    audit.record(actor, "opportunities.feed.imported", run, {"feed": feed, "counts": counts})
    return run


def pull_feed(*, actor, feed):
    """Fetch a feed from its configured URL with its key and import it (``dongne feeds pull``, the nightly job)."""
    permissions.require(actor, "opportunities.import_feed", feed)
    if feed not in FEEDS:
        raise ValidationError.on(
            "feed", _("Unknown feed %(feed)s; use bizinfo or kstartup."), params={"feed": feed}
        )
    fetch, _parse, url_setting, key_setting = FEEDS[feed]
    try:
        records = fetch(getattr(settings, url_setting), getattr(settings, key_setting))
    except feeds.FeedError as exc:
        run = FeedRun.objects.create(feed=feed, error=str(exc), finished_at=timezone.now())
        audit.record(actor, "opportunities.feed.failed", run, {"feed": feed, "error": str(exc)})
        return run
    return import_feed(actor=actor, feed=feed, records=records)


# --- consortia ------------------------------------------------------------------------------------
def create_consortium(*, actor, opportunity_id, lead_id, participant_ids=(), name="", covers=None):
    """Form a consortium for an opportunity with a lead member and participants (members, advisory institutions, universities)."""
    opp = selectors.get_opportunity(actor, opportunity_id)
    lead = Organisation.objects.filter(pk=lead_id).first()
    if lead is None:
        raise ValidationError.on("lead", _("Choose the lead organisation."))
    permissions.require(actor, "opportunities.create_consortium", lead)
    ids = [int(i) for i in participant_ids if str(i) and int(i) != lead.pk]
    participants = list(Organisation.objects.filter(pk__in=ids))
    if len(participants) != len(set(ids)):
        raise ValidationError.on("participants", _("A participant does not exist; reload the suggestions."))
    covers = covers or {}
    with transaction.atomic():
        consortium = Consortium.objects.create(
            opportunity=opp,
            name=str(name or "").strip() or f"{opp.title[:80]} 컨소시엄 ({lead.name})",
            created_by=actor if permissions.is_authenticated(actor) else None,
        )
        ConsortiumMember.objects.create(
            consortium=consortium, organisation=lead, role=ConsortiumRole.LEAD, covers=covers.get(lead.pk, [])
        )
        for org in participants:
            ConsortiumMember.objects.create(
                consortium=consortium,
                organisation=org,
                role=ConsortiumRole.PARTICIPANT,
                covers=covers.get(org.pk, []),
            )
        audit.record(
            actor,
            "opportunities.consortium.created",
            consortium,
            {"lead": lead.pk, "participants": [o.pk for o in participants]},
        )
    return consortium


def _editable(consortium):
    if consortium.status not in (ConsortiumStatus.DRAFT, ConsortiumStatus.SELECTED, ConsortiumStatus.RUNNING):
        raise Conflict(
            _("The consortium is %(status)s; its team can no longer change."),
            params={"status": consortium.get_status_display()},
            code="illegal_transition",
        )


def add_consortium_member(*, actor, consortium_id, organisation_id, role=ConsortiumRole.PARTICIPANT):
    """Add an organisation to a consortium (lead's representative or the secretariat)."""
    with transaction.atomic():
        consortium = selectors.consortium_for_update(consortium_id)
        permissions.require(actor, "opportunities.manage_consortium", consortium)
        _editable(consortium)
        if role not in ConsortiumRole.values:
            raise ValidationError.on("role", _("Choose lead or participant."))
        org = Organisation.objects.filter(pk=organisation_id).first()
        if org is None:
            raise ValidationError.on("organisation", _("Choose an existing organisation."))
        try:
            with transaction.atomic():
                member = ConsortiumMember.objects.create(consortium=consortium, organisation=org, role=role)
        except IntegrityError:
            raise Conflict(
                _("%(name)s is already in the consortium, or it already has a lead.") % {"name": org.name}
            )
        audit.record(
            actor, "opportunities.consortium.member_added", consortium, {"organisation": org.pk, "role": role}
        )
    return member


def remove_consortium_member(*, actor, consortium_id, organisation_id):
    """Remove a participant from a consortium (the lead cannot be removed)."""
    with transaction.atomic():
        consortium = selectors.consortium_for_update(consortium_id)
        permissions.require(actor, "opportunities.manage_consortium", consortium)
        _editable(consortium)
        member = ConsortiumMember.objects.filter(
            consortium=consortium, organisation_id=organisation_id
        ).first()
        if member is None:
            raise NotFound(_("That organisation is not in the consortium."))
        if member.role == ConsortiumRole.LEAD:
            raise Conflict(_("The lead cannot be removed; make another member lead first."))
        member.delete()
        audit.record(
            actor, "opportunities.consortium.member_removed", consortium, {"organisation": organisation_id}
        )
    return consortium


def add_consortium_document(*, actor, consortium_id, title, uploaded_file):
    """Upload a document (proposal, agreement, report) to the consortium workspace."""
    with transaction.atomic():
        consortium = selectors.consortium_for_update(consortium_id)
        permissions.require(actor, "opportunities.manage_consortium", consortium)
        if not str(title or "").strip():
            raise ValidationError.on("title", _("Enter the document's title."))
        if uploaded_file is None:
            raise ValidationError.on("file", _("Choose a file."))
        doc = ConsortiumDocument(consortium=consortium, title=str(title).strip())
        doc.file.save(uploaded_file.name, uploaded_file, save=False)
        doc.save()
        audit.record(
            actor,
            "opportunities.consortium.document_added",
            consortium,
            {"document": doc.pk, "title": doc.title},
        )
    return doc


def add_milestone(*, actor, consortium_id, title, due_on):
    """Add a milestone with its due date to the consortium workspace."""
    with transaction.atomic():
        consortium = selectors.consortium_for_update(consortium_id)
        permissions.require(actor, "opportunities.manage_consortium", consortium)
        if not str(title or "").strip():
            raise ValidationError.on("title", _("Enter the milestone's title."))
        try:
            due = due_on if isinstance(due_on, dt.date) else parse_korean_date(due_on)
        except (ValueError, TypeError) as exc:
            raise ValidationError.on("due_on", str(exc) or _("Enter a date such as 2025.06.30."))
        milestone = Milestone.objects.create(consortium=consortium, title=str(title).strip(), due_on=due)
        audit.record(
            actor, "opportunities.consortium.milestone_added", consortium, {"milestone": milestone.pk}
        )
    return milestone


def complete_milestone(*, actor, milestone_id, on=None):
    """Mark a milestone done (on a date, default today)."""
    with transaction.atomic():
        milestone = Milestone.objects.select_for_update().filter(pk=milestone_id).first()
        if milestone is None:
            raise NotFound(_("Milestone %(id)s does not exist."), params={"id": milestone_id})
        permissions.require(actor, "opportunities.manage_consortium", milestone.consortium)
        milestone.done_on = on or timezone.localdate()
        milestone.save(update_fields=["done_on"])
        audit.record(
            actor,
            "opportunities.consortium.milestone_done",
            milestone.consortium,
            {"milestone": milestone.pk},
        )
    return milestone


# status → (allowed from, rule, date field)
TRANSITIONS = {
    "submit": (
        (ConsortiumStatus.DRAFT,),
        ConsortiumStatus.SUBMITTED,
        "opportunities.manage_consortium",
        "submitted_on",
    ),
    "select": (
        (ConsortiumStatus.SUBMITTED,),
        ConsortiumStatus.SELECTED,
        "opportunities.decide_consortium",
        "decided_on",
    ),
    "reject": (
        (ConsortiumStatus.SUBMITTED,),
        ConsortiumStatus.NOT_SELECTED,
        "opportunities.decide_consortium",
        "decided_on",
    ),
    "start": (
        (ConsortiumStatus.SELECTED,),
        ConsortiumStatus.RUNNING,
        "opportunities.decide_consortium",
        "started_on",
    ),
    "complete": (
        (ConsortiumStatus.RUNNING,),
        ConsortiumStatus.COMPLETED,
        "opportunities.decide_consortium",
        "completed_on",
    ),
}


def _check_conditions(consortium, name, when, values):
    """Raise Conflict unless the transition's conditions hold on ``when`` (the date it takes effect)."""
    members = list(consortium.members.all())
    if name == "submit":
        if not any(m.role == ConsortiumRole.LEAD for m in members):
            raise Conflict(_("Name a lead organisation before submitting."), code="condition")
        if len(members) < 2:
            raise Conflict(
                _("A consortium needs at least two organisations; add a participant."), code="condition"
            )
        opp = consortium.opportunity
        if not opp.is_open(when):
            raise Conflict(
                _("The call closed on %(date)s; a late application cannot be submitted."),
                params={"date": opp.deadline.isoformat()},
                code="condition",
            )
    if name == "start":
        if not (values.get("funding_won") or consortium.funding_won):
            raise Conflict(_("Record the funding won before the project starts."), code="condition")
    if name == "complete":
        open_ms = [m.title for m in consortium.milestones.all() if m.done_on is None]
        if open_ms:
            raise Conflict(
                _("Milestones still open: %(titles)s. Mark them done first."),
                params={"titles": ", ".join(open_ms)},
                code="condition",
            )
        if values.get("jobs_created") is None and consortium.jobs_created is None:
            raise Conflict(
                _("Record the jobs created (0 if none) to complete the project."), code="condition"
            )


def _transition(actor, consortium_id, name, *, on=None, **values):
    allowed, target, rule, date_field = TRANSITIONS[name]
    today = timezone.localdate()
    with transaction.atomic():
        consortium = selectors.consortium_for_update(consortium_id)
        permissions.require(actor, rule, consortium)
        if consortium.status not in allowed:
            raise Conflict(
                _("A %(status)s consortium cannot be moved this way."),
                params={"status": consortium.get_status_display()},
                code="illegal_transition",
            )
        try:
            when = on if isinstance(on, dt.date) else (parse_korean_date(on) if on else today)
        except ValueError as exc:
            raise ValidationError.on("on", exc)
        if when > today:
            raise ValidationError.on("on", _("The date cannot be in the future."))
        _check_conditions(consortium, name, when, values)
        fields = {"status": target, date_field: when, "updated_at": timezone.now()}
        for key in ("funding_won", "jobs_created"):
            if values.get(key) is not None:
                fields[key] = values[key]
        # One conditional UPDATE: when two people act at once exactly one matches.
        updated = Consortium.objects.filter(pk=consortium.pk, status__in=allowed).update(**fields)
        if not updated:
            raise Conflict(code="illegal_transition")
        consortium.refresh_from_db()
        audit.record(
            actor,
            f"opportunities.consortium.{target}",
            consortium,
            {k: v for k, v in fields.items() if k != "updated_at"},
        )
    return consortium


def _amount(value, field):
    if value in (None, ""):
        return None
    try:
        return value if isinstance(value, int) else parse_amount(value)
    except ValueError as exc:
        raise ValidationError.on(field, exc)


def submit_consortium(*, actor, consortium_id, on=None):
    """draft → submitted: needs a lead, at least two organisations, and a call that is still open."""
    consortium = Consortium.objects.filter(pk=consortium_id).first()
    permissions.require(actor, "opportunities.manage_consortium", consortium)
    return _transition(actor, consortium_id, "submit", on=on)


def decide_consortium(*, actor, consortium_id, selected, funding_won=None, on=None):
    """submitted → selected (with the funding won, if known) or not selected; recorded by the secretariat."""
    permissions.require(actor, "opportunities.decide_consortium", None)
    if selected:
        return _transition(
            actor, consortium_id, "select", on=on, funding_won=_amount(funding_won, "funding_won")
        )
    return _transition(actor, consortium_id, "reject", on=on)


def start_consortium(*, actor, consortium_id, funding_won=None, on=None):
    """selected → running: the funding won must be recorded."""
    permissions.require(actor, "opportunities.decide_consortium", None)
    return _transition(actor, consortium_id, "start", on=on, funding_won=_amount(funding_won, "funding_won"))


def complete_consortium(*, actor, consortium_id, jobs_created=None, on=None):
    """running → completed: every milestone done and the jobs created recorded (they feed the annual report)."""
    permissions.require(actor, "opportunities.decide_consortium", None)
    if jobs_created not in (None, ""):
        try:
            jobs_created = int(jobs_created)
            if jobs_created < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError.on("jobs_created", _("Enter a whole number of zero or more."))
    else:
        jobs_created = None
    return _transition(actor, consortium_id, "complete", on=on, jobs_created=jobs_created)


# --- notifications ------------------------------------------------------------------------------
def notification_settings_for(user):
    """The user's notification settings (defaults: both on), created on first use."""
    permissions.require(user, "opportunities.change_notification_settings", user)
    return NotificationSetting.objects.get_or_create(user=user)[0]


def update_notification_settings(*, actor, digest, reminders):
    """Turn the match digest and the deadline reminders on or off for oneself."""
    permissions.require(actor, "opportunities.change_notification_settings", actor)
    with transaction.atomic():
        setting, _created = NotificationSetting.objects.get_or_create(user=actor)
        setting.digest, setting.reminders = bool(digest), bool(reminders)
        setting.save()
        audit.record(
            actor,
            "opportunities.notifications.updated",
            setting,
            {"digest": setting.digest, "reminders": setting.reminders},
        )
    return setting


def _recipients(kind_field):
    """(user, organisation) pairs of representatives who did not opt out of ``kind_field``."""
    from dongne.network.models import Affiliation

    opted_out = set(
        NotificationSetting.objects.filter(**{kind_field: False}).values_list("user_id", flat=True)
    )
    pairs = []
    for aff in Affiliation.objects.filter(is_representative=True, person__user__isnull=False).select_related(
        "person__user", "organisation"
    ):
        user = aff.person.user
        if user.pk in opted_out or not user.is_active or not user.email:
            continue
        pairs.append((user, aff.organisation))
    return pairs


def _send(user, subject, template, context):
    with translation.override(getattr(user, "language", None) or settings.LANGUAGE_CODE):
        body = render_to_string(template, {"user": user, "site_url": settings.SITE_URL, **context})
        send_mail(str(subject), body, None, [user.email])


def send_match_digests(*, actor=None, today=None, limit=5):
    """E-mail each representative the new matching opportunities not sent before; returns the number of e-mails."""
    permissions.require(actor, "opportunities.send_notifications", None)
    today = today or timezone.localdate()
    sent = 0
    for user, org in _recipients("digest"):
        _org, matches, _excluded = _matches_as_system(org, today, limit)
        already = set(
            Notice.objects.filter(user=user, kind=Notice.DIGEST).values_list("opportunity_id", flat=True)
        )
        new = [m for m in matches if m.obj.pk not in already]
        if not new:
            continue
        with transaction.atomic():
            for m in new:
                Notice.objects.get_or_create(user=user, opportunity=m.obj, kind=Notice.DIGEST)
            _send(
                user,
                _("[동네] New opportunities for %(org)s") % {"org": org.name},
                "opportunities/email/digest.txt",
                {"org": org, "matches": new},
            )
            audit.record(
                actor,
                "opportunities.notifications.digest_sent",
                user,
                {"opportunities": [m.obj.pk for m in new]},
            )
        sent += 1
    return sent


def _matches_as_system(org, today, limit):
    # The system is anonymous, so a digest only ever names public opportunities.
    from . import matching

    orgs, facts = selectors.facts_for(selectors._with_profile(Organisation.objects.filter(pk=org.pk)))
    opps = list(selectors.open_opportunities(None, today))
    by_id = {o.pk: o for o in opps}
    matches, _excluded = matching.rank_opportunities(
        facts[0], [selectors.opportunity_facts(o) for o in opps], today, limit=limit
    )
    for m in matches:
        m.obj = by_id[m.obj.id]
    return orgs[0], matches, _excluded


def send_deadline_reminders(*, actor=None, today=None):
    """E-mail D-7 and D-1 reminders for open opportunities that match a representative's organisation; idempotent per day and kind."""
    permissions.require(actor, "opportunities.send_notifications", None)
    today = today or timezone.localdate()
    due = {
        Notice.D7: today + dt.timedelta(days=7),
        Notice.D1: today + dt.timedelta(days=1),
    }
    sent = 0
    opps_due = list(
        Opportunity.objects.filter(is_rolling=False, deadline__in=list(due.values())).filter(
            Q(is_public=True)
        )
    )
    if not opps_due:
        return 0
    for user, org in _recipients("reminders"):
        _org, matches, _excluded = _matches_as_system(org, today, limit=50)
        matched = {m.obj.pk for m in matches}
        for opp in opps_due:
            if opp.pk not in matched:
                continue
            kind = Notice.D7 if opp.deadline == due[Notice.D7] else Notice.D1
            with transaction.atomic():
                notice, created = Notice.objects.get_or_create(user=user, opportunity=opp, kind=kind)
                if not created:
                    continue
                _send(
                    user,
                    _("[동네] D-%(days)s: %(title)s")
                    % {"days": (opp.deadline - today).days, "title": opp.title},
                    "opportunities/email/reminder.txt",
                    {"org": org, "opportunity": opp, "days": (opp.deadline - today).days},
                )
                audit.record(
                    actor, "opportunities.notifications.reminder_sent", opp, {"user": user.pk, "kind": kind}
                )
            sent += 1
    return sent


# --- business model canvas ------------------------------------------------------------------------
def _clean_canvas(data):
    from dongne.datahub.models import Dataset

    from .choices import InsightsPage

    out = {}
    if "title" in data:
        out["title"] = str(data["title"] or "").strip()
        if not out["title"]:
            raise ValidationError.on("title", _("Enter a title."))
    for block in Canvas.BLOCKS:
        if block in data:
            out[block] = str(data[block] or "").strip()
    for field, model in (("opportunity", Opportunity), ("consortium", Consortium)):
        if field in data:
            value = getattr(data[field], "pk", data[field])
            out[field] = model.objects.filter(pk=value).first() if value not in (None, "") else None
            if value not in (None, "") and out[field] is None:
                raise ValidationError.on(field, _("Choose an existing item."))
    if "insights_pages" in data:
        pages = [p for p in (data["insights_pages"] or []) if p]
        bad = [p for p in pages if p not in InsightsPage.values]
        if bad:
            raise ValidationError.on(
                "insights_pages", _("Unknown insights page: %(pages)s.") % {"pages": ", ".join(bad)}
            )
        out["insights_pages"] = pages
    if "datasets" in data:
        ids = [getattr(d, "pk", d) for d in (data["datasets"] or [])]
        out["datasets"] = list(Dataset.objects.filter(pk__in=ids))
        if len(out["datasets"]) != len(set(ids)):
            raise ValidationError.on("datasets", _("A chosen dataset does not exist."))
    return out


def create_canvas(*, actor, data):
    """Start a business model canvas for a regional linkage project."""
    permissions.require(actor, "opportunities.manage_canvas", None)
    data = {"title": "", **data}
    cleaned = _clean_canvas(data)
    datasets = cleaned.pop("datasets", [])
    with transaction.atomic():
        canvas = Canvas.objects.create(**cleaned, created_by=actor)
        canvas.datasets.set(datasets)
        audit.record(actor, "opportunities.canvas.created", canvas, {"datasets": [d.pk for d in datasets]})
    return canvas


def update_canvas(*, actor, canvas_id, data):
    """Edit a canvas (its author or the secretariat)."""
    with transaction.atomic():
        canvas = Canvas.objects.select_for_update().filter(pk=canvas_id).first()
        if canvas is None:
            raise NotFound(_("Canvas %(id)s does not exist."), params={"id": canvas_id})
        permissions.require(actor, "opportunities.manage_canvas", canvas)
        cleaned = _clean_canvas(data)
        datasets = cleaned.pop("datasets", None)
        for field, value in cleaned.items():
            setattr(canvas, field, value)
        canvas.save()
        if datasets is not None:
            canvas.datasets.set(datasets)
        audit.record(actor, "opportunities.canvas.updated", canvas, {"fields": sorted(cleaned)})
    return canvas
