"""State changes of governance. Every function checks permission, validates against the Framework Act on
Cooperatives (협동조합 기본법), writes inside a transaction, records an audit entry and returns the object.

A rule the Act sets is refused with a ValidationError whose message names the article; nothing is written
then (the whole service runs in one transaction, and validation happens before the first write).
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from dongne.core import audit, permissions
from dongne.core.errors import Conflict, NotFound, ValidationError
from dongne.network.choices import MembershipStatus
from dongne.network.models import Membership, Organisation

from . import chain, engine, selectors
from .choices import (
    GENERAL_KINDS,
    BallotType,
    EntryKind,
    ItemKind,
    LogKind,
    MeetingKind,
    MeetingStatus,
    OfficerRole,
    Outcome,
    PollKind,
    ProxyKind,
    SignerRole,
    SpecialMatter,
)
from .models import (
    AgendaItem,
    AnnualReport,
    Attendance,
    Ballot,
    CapitalAccount,
    CapitalEntry,
    Cooperative,
    ImpactReport,
    LogEntry,
    LogHead,
    Meeting,
    Minutes,
    MinutesSigner,
    Officer,
    Participation,
    Poll,
    PollOption,
)

CAP_PERCENT = 30  # 제22조②
NOTICE_DAYS = 7  # 제28조⑤
EXPULSION_NOTICE_DAYS = 10  # 제25조
MAX_TERM_YEARS = 4  # 제35조
MAX_CHAIR_REELECTIONS = 2  # 제35조
RESERVE_PERCENT = 30  # 제97조
RESERVE_MULTIPLE = 3  # 제97조
FIELD_ERROR = ValidationError.on


def _today():
    return timezone.localdate()


def _int(value, field, *, minimum=None):
    try:
        number = int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        raise FIELD_ERROR(field, _("Enter a whole number."))
    if minimum is not None and number < minimum:
        raise FIELD_ERROR(field, _("Enter a number of at least %(minimum)s."), params={"minimum": minimum})
    return number


def _date(value, field):
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if value in (None, ""):
        return _today()
    from dongne.core.korean import parse_korean_date

    try:
        return parse_korean_date(value)
    except ValueError as exc:
        raise FIELD_ERROR(field, str(exc))


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- the cooperative and its ledger lock -------------------------------------------------------------
def _cooperative_for_update():
    """The settings row, locked: every ledger write serialises on it (SQLite takes the write lock at BEGIN
    already; on PostgreSQL this is the SELECT … FOR UPDATE that keeps two cap checks from interleaving)."""
    try:
        Cooperative.objects.get_or_create(pk=1)
    except IntegrityError:
        pass
    return Cooperative.objects.select_for_update().get(pk=1)


def update_cooperative(
    *, actor, name=None, share_price=None, fiscal_year_start_month=None, founded_on=None, converted_on=None
):
    """Change the cooperative's settings. The share price is uniform (제16조②): once shares exist it cannot change."""
    permissions.require(actor, "governance.manage_cooperative")
    with transaction.atomic():
        coop = _cooperative_for_update()
        changes = {}
        if share_price is not None:
            price = _int(share_price, "share_price", minimum=1)
            if price != coop.share_price and CapitalEntry.objects.exists():
                raise FIELD_ERROR(
                    "share_price",
                    _(
                        "Framework Act on Cooperatives Article 16(2): every share has one uniform price, and "
                        "shares have already been subscribed at %(price)s won. Keep the price; changing it needs "
                        "an amendment of the articles and a conversion of every existing share."
                    ),
                    params={"price": f"{coop.share_price:,}"},
                )
            changes["share_price"] = price
        if fiscal_year_start_month is not None:
            month = _int(fiscal_year_start_month, "fiscal_year_start_month", minimum=1)
            if month > 12:
                raise FIELD_ERROR("fiscal_year_start_month", _("Enter a month from 1 to 12."))
            changes["fiscal_year_start_month"] = month
        if name is not None:
            changes["name"] = str(name).strip()
        if founded_on is not None:
            changes["founded_on"] = _date(founded_on, "founded_on")
        if converted_on is not None:
            changes["converted_on"] = _date(converted_on, "converted_on")
        for field, value in changes.items():
            setattr(coop, field, value)
        coop.save()
        audit.record(actor, "governance.cooperative.changed", coop, changes)
    return coop


# --- capital (출자) -------------------------------------------------------------------------------------
def _status(organisation_id):
    return Membership.objects.filter(organisation_id=organisation_id).values_list("status", flat=True).first()


def _require_member(organisation_id, statuses, field, message):
    if not Organisation.objects.filter(pk=organisation_id).exists():
        raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})
    if _status(organisation_id) not in statuses:
        raise FIELD_ERROR(field, message)


def _accounts_for_update(organisation_ids):
    ids = sorted(set(organisation_ids))
    for org_id in ids:
        CapitalAccount.objects.get_or_create(organisation_id=org_id)
    return {
        a.organisation_id: a
        for a in CapitalAccount.objects.select_for_update().filter(organisation_id__in=ids)
    }


def _post(actor, coop, entries, *, check_cap=True, allow_zero=()):
    """Validate the ledger after ``entries`` (unsaved CapitalEntry objects), then write them and the accounts.

    Checks: no negative shares or payments; nothing paid beyond the subscribed shares; an approved or active
    member keeps at least one share; and (``check_cap``) no member whose share of the total rose ends above
    30% (제22조①②). All before the first write, so a refusal changes nothing."""
    accounts = _accounts_for_update(e.organisation_id for e in entries)
    after = {org_id: [a.shares, a.paid] for org_id, a in accounts.items()}
    for entry in entries:
        after[entry.organisation_id][0] += entry.shares
        after[entry.organisation_id][1] += entry.amount
    names = dict(Organisation.objects.filter(pk__in=after).values_list("pk", "name"))
    for org_id, (shares, paid) in after.items():
        if shares < 0 or paid < 0:
            raise ValidationError(
                _("%(member)s would hold fewer than zero shares or a negative payment; check the entry."),
                params={"member": names[org_id]},
            )
        if paid > shares * coop.share_price:
            raise FIELD_ERROR(
                "amount",
                _(
                    "%(member)s would have paid %(paid)s won for %(shares)s shares of %(price)s won; a payment "
                    "cannot exceed the shares subscribed (Framework Act on Cooperatives Article 22)."
                ),
                params={
                    "member": names[org_id],
                    "paid": f"{paid:,}",
                    "shares": shares,
                    "price": f"{coop.share_price:,}",
                },
            )
        if (
            shares < 1
            and org_id not in allow_zero
            and _status(org_id) in (MembershipStatus.APPROVED, MembershipStatus.ACTIVE)
        ):
            raise FIELD_ERROR(
                "shares",
                _(
                    "Framework Act on Cooperatives Article 22(1): every member holds at least one share; "
                    "%(member)s would hold none."
                ),
                params={"member": names[org_id]},
            )
    total_before = CapitalAccount.objects.aggregate(total=Sum("shares"))["total"] or 0
    delta = sum(e.shares for e in entries)
    total = total_before + delta
    if check_cap and total > 0:
        # Whose share of the total rose: the members who gained shares, or everybody when the total fell.
        if delta < 0:
            others = CapitalAccount.objects.exclude(organisation_id__in=after).filter(shares__gt=0)
            candidates = {a.organisation_id: a.shares for a in others}
            names.update(dict(Organisation.objects.filter(pk__in=candidates).values_list("pk", "name")))
            candidates.update({org_id: s for org_id, (s, _p) in after.items()})
        else:
            candidates = {org_id: s for org_id, (s, _p) in after.items() if s > accounts[org_id].shares}
        for org_id, shares in candidates.items():
            if shares * 100 > CAP_PERCENT * total:
                raise FIELD_ERROR(
                    "shares",
                    _(
                        "Framework Act on Cooperatives Article 22(2): no member may hold more than 30%% of all "
                        "shares; %(member)s would hold %(shares)s of %(total)s shares (%(percent)s%%). "
                        "With the others' current shares it may hold at most %(allowed)s; subscribe fewer, or record the other members' subscriptions first."
                    ),
                    params={
                        "member": names[org_id],
                        "shares": shares,
                        "total": total,
                        "percent": f"{shares * 100 / total:.1f}",
                        # s ≤ 0.3·(T − s_now + s)  ⇔  s ≤ 3·(T − s)/7 with T, s taken without this member's new shares
                        "allowed": max(0, (CAP_PERCENT * (total - shares)) // (100 - CAP_PERCENT)),
                    },
                )
    for entry in entries:
        entry.actor = actor if getattr(actor, "is_authenticated", False) else None
        entry.save()
    for org_id, (shares, paid) in after.items():
        CapitalAccount.objects.filter(pk=accounts[org_id].pk).update(shares=shares, paid=paid)
    return entries


def subscribe_capital(*, actor, subscriptions, on=None, note=""):
    """Record subscriptions of shares (출자 청약) — one member or many at once, e.g. at founding, when the
    30% cap (제22조②) can only hold once several members have subscribed. ``subscriptions`` is a list of
    ``(organisation_id, shares)``. Members must be approved or active."""
    permissions.require(actor, "governance.record_capital")
    on = _date(on, "on")
    rows = [(int(org_id), _int(shares, "shares", minimum=1)) for org_id, shares in subscriptions]
    if not rows:
        raise FIELD_ERROR("shares", _("Enter at least one subscription."))
    with transaction.atomic():
        coop = _cooperative_for_update()
        for org_id, _shares in rows:
            _require_member(
                org_id,
                (MembershipStatus.APPROVED, MembershipStatus.ACTIVE),
                "organisation",
                _("Only an approved or active member can subscribe shares."),
            )
        entries = _post(
            actor,
            coop,
            [
                CapitalEntry(organisation_id=o, kind=EntryKind.SUBSCRIPTION, shares=s, on=on, note=note)
                for o, s in rows
            ],
        )
        for entry in entries:
            audit.record(
                actor, "governance.capital.subscribed", entry.organisation, {"shares": entry.shares, "on": on}
            )
    return entries


def record_payment(*, actor, organisation_id, amount, on=None, note=""):
    """Record a payment of subscribed capital (출자금 납입); it cannot exceed what was subscribed."""
    permissions.require(actor, "governance.record_capital")
    on = _date(on, "on")
    amount = _int(amount, "amount", minimum=1)
    with transaction.atomic():
        coop = _cooperative_for_update()
        _require_member(
            organisation_id,
            (MembershipStatus.APPROVED, MembershipStatus.ACTIVE),
            "organisation",
            _("Only an approved or active member can pay in capital."),
        )
        (entry,) = _post(
            actor,
            coop,
            [
                CapitalEntry(
                    organisation_id=organisation_id, kind=EntryKind.PAYMENT, amount=amount, on=on, note=note
                )
            ],
            check_cap=False,
        )
        audit.record(actor, "governance.capital.paid", entry.organisation, {"amount": amount, "on": on})
    return entry


def transfer_shares(*, actor, from_organisation_id, to_organisation_id, shares, on=None, note=""):
    """Transfer shares between members (지분 양도, with the board's approval recorded in ``note``). The paid-in
    value of the shares moves with them; the receiver stays within 30% (제22조②)."""
    permissions.require(actor, "governance.record_capital")
    on = _date(on, "on")
    shares = _int(shares, "shares", minimum=1)
    if int(from_organisation_id) == int(to_organisation_id):
        raise FIELD_ERROR("to_organisation", _("Choose another member to receive the shares."))
    with transaction.atomic():
        coop = _cooperative_for_update()
        _require_member(
            from_organisation_id,
            (MembershipStatus.ACTIVE, MembershipStatus.WITHDRAWING),
            "from_organisation",
            _("Only an active or withdrawing member can transfer shares."),
        )
        _require_member(
            to_organisation_id,
            (MembershipStatus.ACTIVE,),
            "to_organisation",
            _("Shares can only be transferred to an active member."),
        )
        source = _accounts_for_update([from_organisation_id])[int(from_organisation_id)]
        moved = min(source.paid, shares * coop.share_price)
        into = CapitalEntry(
            organisation_id=to_organisation_id,
            kind=EntryKind.TRANSFER_IN,
            shares=shares,
            amount=moved,
            counterparty_id=from_organisation_id,
            on=on,
            note=note,
        )
        out = CapitalEntry(
            organisation_id=from_organisation_id,
            kind=EntryKind.TRANSFER_OUT,
            shares=-shares,
            amount=-moved,
            counterparty_id=to_organisation_id,
            pair=into,  # saved after ``into``, so the link is written with the row
            on=on,
            note=note,
        )
        withdrawing = _status(from_organisation_id) == MembershipStatus.WITHDRAWING
        _post(actor, coop, [into, out], allow_zero={int(from_organisation_id)} if withdrawing else ())
        audit.record(
            actor,
            "governance.capital.transferred",
            out.organisation,
            {"to": to_organisation_id, "shares": shares, "amount": moved, "on": on},
        )
    return out, into


def refund_capital(*, actor, organisation_id, on=None, note=""):
    """Refund a leaving member's capital (지분 환급): claimable from the next fiscal year after leaving, and the
    claim lapses two years later (제89조). The member's shares and payments go to zero."""
    permissions.require(actor, "governance.record_capital")
    on = _date(on, "on")
    with transaction.atomic():
        coop = _cooperative_for_update()
        membership = Membership.objects.filter(organisation_id=organisation_id).first()
        if membership is None or membership.status not in (
            MembershipStatus.WITHDRAWN,
            MembershipStatus.EXPELLED,
        ):
            raise FIELD_ERROR(
                "organisation",
                _("Framework Act on Cooperatives Article 89: only a member who has left can claim a refund."),
            )
        first, last = selectors.refund_window(membership, coop)
        if on < first:
            raise FIELD_ERROR(
                "on",
                _(
                    "Framework Act on Cooperatives Article 89: the refund can be claimed from the next fiscal "
                    "year, i.e. from %(first)s."
                ),
                params={"first": first.strftime("%Y.%m.%d")},
            )
        if on > last:
            raise FIELD_ERROR(
                "on",
                _(
                    "Framework Act on Cooperatives Article 89: the claim lapsed on %(last)s, two years after it "
                    "became claimable."
                ),
                params={"last": last.strftime("%Y.%m.%d")},
            )
        account = _accounts_for_update([organisation_id])[int(organisation_id)]
        if account.shares == 0 and account.paid == 0:
            raise Conflict(_("This member holds no capital to refund."), code="nothing_to_refund")
        (entry,) = _post(
            actor,
            coop,
            [
                CapitalEntry(
                    organisation_id=organisation_id,
                    kind=EntryKind.REFUND,
                    shares=-account.shares,
                    amount=-account.paid,
                    on=on,
                    note=note,
                )
            ],
            check_cap=False,
        )
        audit.record(
            actor, "governance.capital.refunded", entry.organisation, {"amount": -entry.amount, "on": on}
        )
    return entry


def reverse_entry(*, actor, entry_id, on=None, note=""):
    """Correct a mistaken entry with a reversing entry (the original stays; the ledger is append-only).
    A transfer is reversed as a whole (both legs). An entry is reversed at most once."""
    permissions.require(actor, "governance.record_capital")
    on = _date(on, "on")
    with transaction.atomic():
        coop = _cooperative_for_update()
        try:
            original = CapitalEntry.objects.get(pk=entry_id)
        except (CapitalEntry.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Capital entry %(id)s does not exist."), params={"id": entry_id})
        if original.kind == EntryKind.REVERSAL:
            raise Conflict(
                _("A reversal cannot itself be reversed; record the right entry instead."), code="reversal"
            )
        legs = [original]
        if original.kind == EntryKind.TRANSFER_OUT:
            legs.append(original.pair)
        elif original.kind == EntryKind.TRANSFER_IN:
            legs.append(CapitalEntry.objects.get(pair=original))
        if CapitalEntry.objects.filter(reverses__in=legs).exists():
            raise Conflict(_("This entry was already reversed."), code="already_reversed")
        reversals = [
            CapitalEntry(
                organisation_id=leg.organisation_id,
                kind=EntryKind.REVERSAL,
                shares=-leg.shares,
                amount=-leg.amount,
                counterparty_id=leg.counterparty_id,
                reverses=leg,
                on=on,
                note=note,
            )
            for leg in legs
        ]
        try:
            with transaction.atomic():
                _post(actor, coop, reversals, check_cap=True)
        except IntegrityError:
            raise Conflict(_("This entry was already reversed."), code="already_reversed")
        audit.record(
            actor, "governance.capital.reversed", original.organisation, {"entry": original.pk, "on": on}
        )
    return reversals


# --- tamper-evident log ------------------------------------------------------------------------------------
def _append_log(kind, payload):
    """Append one entry to the hash chain; the head row is locked so concurrent appends queue up."""
    try:
        LogHead.objects.get_or_create(pk=1)
    except IntegrityError:
        pass
    head = LogHead.objects.select_for_update().get(pk=1)
    text = chain.canonical_json({"kind": kind, **payload})
    digest = chain.chain_hash(head.hash, text)
    entry = LogEntry.objects.create(
        seq=head.seq + 1, kind=kind, payload=text, prev_hash=head.hash, hash=digest
    )
    LogHead.objects.filter(pk=1).update(seq=entry.seq, hash=digest)
    return entry


def verify_log(*, actor):
    """Recompute the governance log's hash chain; return the result (see selectors.verify_chain)."""
    permissions.require(actor, "governance.verify_log")
    result = selectors.verify_chain()
    audit.record(
        actor,
        "governance.log.verified",
        None,
        {"ok": result.ok, "entries": result.checked, "broken": result.broken_seq},
    )
    return result


# --- meetings ---------------------------------------------------------------------------------------------
def _members_to_notify():
    """E-mail addresses of the representatives of active members."""
    from dongne.network.models import Affiliation

    rows = Affiliation.objects.filter(
        is_representative=True, organisation__membership__status=MembershipStatus.ACTIVE
    ).select_related("person", "person__user")
    return sorted({a.person.email or (a.person.user.email if a.person.user else "") for a in rows} - {""})


def _board_to_notify(day):
    return sorted({o.user.email for o in selectors.officers_on(day).select_related("user") if o.user.email})


def schedule_meeting(*, actor, kind, title, purpose, scheduled_at, place, items, notice_on=None):
    """Convene a general assembly or a board meeting and send its notice. A general assembly's notice gives
    purpose, agenda, date and place at least 7 days before (제28조⑤). ``items`` are dicts with title, kind
    (ordinary/special/report/election), special_matter, description, subject (organisation id, expulsion)."""
    permissions.require(actor, "governance.manage_meeting")
    if kind not in MeetingKind.values:
        raise FIELD_ERROR("kind", _("Choose the kind of meeting."))
    errors = {}
    for field, value in (("title", title), ("purpose", purpose), ("place", place)):
        if not str(value or "").strip():
            errors[field] = [
                str(
                    _(
                        "Framework Act on Cooperatives Article 28(5): the notice must state the purpose, agenda, date and place."
                    )
                )
            ]
    if not scheduled_at:
        errors["scheduled_at"] = [str(_("Enter the date and time of the meeting."))]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    notice_on = _date(notice_on, "notice_on")
    if notice_on > _today():
        raise FIELD_ERROR("notice_on", _("The notice date cannot be in the future."))
    meeting_day = timezone.localdate(scheduled_at)
    days = (meeting_day - notice_on).days
    if kind in GENERAL_KINDS and days < NOTICE_DAYS:
        raise FIELD_ERROR(
            "scheduled_at",
            _(
                "Framework Act on Cooperatives Article 28(5): the notice must go out at least 7 days before the "
                "general assembly; a notice on %(notice)s allows a meeting on %(earliest)s or later."
            ),
            params={
                "notice": notice_on.strftime("%Y.%m.%d"),
                "earliest": (notice_on + dt.timedelta(days=NOTICE_DAYS)).strftime("%Y.%m.%d"),
            },
        )
    if days < 0:
        raise FIELD_ERROR("scheduled_at", _("The meeting cannot take place before its notice."))
    cleaned = []
    for item in items or []:
        item_title = str(item.get("title") or "").strip()
        if not item_title:
            continue
        item_kind = item.get("kind") or ItemKind.ORDINARY
        if item_kind not in ItemKind.values:
            raise FIELD_ERROR("items", _("Choose the kind of each agenda item."))
        matter = item.get("special_matter") or ""
        if item_kind == ItemKind.SPECIAL and kind == MeetingKind.BOARD:
            raise FIELD_ERROR(
                "items", _("Special resolutions are taken by the general assembly (제29조①), not the board.")
            )
        if item_kind == ItemKind.SPECIAL and matter not in SpecialMatter.values:
            raise FIELD_ERROR("items", _("Name the matter of each special resolution (제29조①)."))
        if item_kind != ItemKind.SPECIAL and matter in (
            SpecialMatter.ARTICLES,
            SpecialMatter.MERGER,
            SpecialMatter.DISSOLUTION,
            SpecialMatter.EXPULSION,
            SpecialMatter.REFUND,
        ):
            raise FIELD_ERROR(
                "items",
                _(
                    "Framework Act on Cooperatives Article 29(1): amending the articles, merger or split, "
                    "dissolution, expulsion and refund of capital need a special resolution."
                ),
            )
        subject = item.get("subject") or None
        if matter == SpecialMatter.EXPULSION and not subject:
            raise FIELD_ERROR("items", _("Name the member whose expulsion is proposed."))
        cleaned.append(
            AgendaItem(
                number=len(cleaned) + 1,
                title=item_title,
                kind=item_kind,
                special_matter=matter,
                description=str(item.get("description") or "").strip(),
                subject_id=subject,
            )
        )
    if not cleaned:
        raise FIELD_ERROR(
            "items",
            _(
                "Framework Act on Cooperatives Article 28(5): the notice must state the purpose, agenda, date and place."
            ),
        )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=kind,
            title=str(title).strip(),
            purpose=str(purpose).strip(),
            scheduled_at=scheduled_at,
            place=str(place).strip(),
            notice_on=notice_on,
        )
        for item in cleaned:
            item.meeting = meeting
            item.save()
        audit.record(
            actor,
            "governance.meeting.convened",
            meeting,
            {"kind": kind, "notice_on": notice_on, "items": len(cleaned)},
        )
        if notice_on == _today():
            recipients = _members_to_notify() if kind in GENERAL_KINDS else _board_to_notify(meeting_day)
            transaction.on_commit(lambda: _send_notice(meeting.pk, recipients))
    return meeting


def _send_notice(meeting_id, recipients):
    from django.template.loader import render_to_string

    meeting = Meeting.objects.prefetch_related("items").get(pk=meeting_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(_("[Notice] %(title)s") % {"title": meeting.title})
        body = render_to_string(
            "governance/email/notice.txt", {"meeting": meeting, "site_url": settings.SITE_URL}
        )
    send_mass_mail([(subject, body, None, [email]) for email in recipients], fail_silently=False)


def record_expulsion_notice(*, actor, item_id, notified_on, hearing_record=""):
    """Record that the member whose expulsion is proposed was told the reason (at least 10 days before the
    assembly) and what they said when heard (제25조)."""
    permissions.require(actor, "governance.manage_meeting")
    with transaction.atomic():
        item = selectors.item_for_update(item_id)
        if item.special_matter != SpecialMatter.EXPULSION:
            raise FIELD_ERROR("item", _("This agenda item is not an expulsion."))
        notified_on = _date(notified_on, "notified_on")
        meeting_day = timezone.localdate(item.meeting.scheduled_at)
        if (meeting_day - notified_on).days < EXPULSION_NOTICE_DAYS:
            raise FIELD_ERROR(
                "notified_on",
                _(
                    "Framework Act on Cooperatives Article 25: the member must be told the reason for expulsion "
                    "at least 10 days before the general assembly, i.e. by %(latest)s."
                ),
                params={
                    "latest": (meeting_day - dt.timedelta(days=EXPULSION_NOTICE_DAYS)).strftime("%Y.%m.%d")
                },
            )
        item.expulsion_notice_on = notified_on
        item.hearing_record = str(hearing_record or "").strip()
        item.save(update_fields=["expulsion_notice_on", "hearing_record"])
        audit.record(
            actor,
            "governance.expulsion.noticed",
            item.meeting,
            {"item": item.number, "notified_on": notified_on},
        )
    return item


def _member_active_on(organisation_id, day):
    m = Membership.objects.filter(organisation_id=organisation_id).first()
    return m is not None and selectors.membership_active_on(m, day)


def record_attendance(
    *,
    actor,
    meeting_id,
    organisation_id=None,
    user_id=None,
    proxy_kind="",
    proxy_member_id=None,
    proxy_name="",
    authority="",
):
    """Record one member present at a general assembly (in person, or by a proxy: another member or a
    cohabiting family member, with written authority on file — 제23조②–④), or one director at a board
    meeting. A proxy represents at most one member: the database refuses a second."""
    permissions.require(actor, "governance.manage_meeting")
    with transaction.atomic():
        meeting = selectors.meeting_for_update(meeting_id)
        if meeting.status != MeetingStatus.NOTICED:
            raise Conflict(
                _("Attendance is closed: the meeting's results are recorded."), code="meeting_closed"
            )
        if meeting.items.exclude(outcome="").exists():
            raise Conflict(_("Attendance is closed once the first item is decided."), code="meeting_closed")
        day = timezone.localdate(meeting.scheduled_at)
        proxy_kind = proxy_kind or ""
        attendance = Attendance(
            meeting=meeting, authority=str(authority or "").strip(), proxy_kind=proxy_kind
        )
        if meeting.is_general:
            if not organisation_id:
                raise FIELD_ERROR("organisation", _("Choose the member present."))
            if not _member_active_on(organisation_id, day):
                raise FIELD_ERROR(
                    "organisation", _("Only a member on the roll on the meeting day can attend and vote.")
                )
            attendance.organisation_id = organisation_id
            if proxy_kind == ProxyKind.MEMBER:
                if not proxy_member_id or int(proxy_member_id) == int(organisation_id):
                    raise FIELD_ERROR(
                        "proxy_member",
                        _("Framework Act on Cooperatives Article 23(3): the proxy must be another member."),
                    )
                if not _member_active_on(proxy_member_id, day):
                    raise FIELD_ERROR(
                        "proxy_member",
                        _("Framework Act on Cooperatives Article 23(3): the proxy must be another member."),
                    )
                attendance.proxy_member_id = proxy_member_id
            elif proxy_kind == ProxyKind.FAMILY:
                attendance.proxy_name = str(proxy_name or "").strip()
                if not attendance.proxy_name:
                    raise FIELD_ERROR("proxy_name", _("Enter the name of the family member acting as proxy."))
            elif proxy_kind:
                raise FIELD_ERROR("proxy_kind", _("Choose who holds the proxy."))
            if proxy_kind and not attendance.authority:
                raise FIELD_ERROR(
                    "authority",
                    _(
                        "Framework Act on Cooperatives Article 23(4): a proxy needs written authority; enter the reference of the signed form on file."
                    ),
                )
        else:
            if proxy_kind:
                raise FIELD_ERROR(
                    "proxy_kind",
                    _("Directors attend board meetings in person; there is no proxy at the board."),
                )
            if (
                not user_id
                or not selectors.officers_on(day)
                .filter(user_id=user_id, role__in=(OfficerRole.CHAIR, OfficerRole.DIRECTOR))
                .exists()
            ):
                raise FIELD_ERROR(
                    "user", _("Only a director in office on the meeting day is on the board's roll.")
                )
            attendance.user_id = user_id
        try:
            with transaction.atomic():
                attendance.save()
        except IntegrityError:
            if (
                proxy_kind
                and Attendance.objects.filter(meeting=meeting)
                .filter(
                    **(
                        {"proxy_member_id": attendance.proxy_member_id}
                        if proxy_kind == ProxyKind.MEMBER
                        else {"proxy_kind": ProxyKind.FAMILY, "proxy_name": attendance.proxy_name}
                    )
                )
                .exists()
            ):
                raise Conflict(
                    _(
                        "Framework Act on Cooperatives Article 23(3): a proxy can represent only one member, and %(proxy)s already does."
                    ),
                    params={
                        "proxy": attendance.proxy_name
                        or str(Organisation.objects.get(pk=attendance.proxy_member_id))
                    },
                    code="proxy_taken",
                )
            raise Conflict(_("This attendance is already recorded."), code="already_present")
        audit.record(
            actor,
            "governance.attendance.recorded",
            meeting,
            {"organisation": organisation_id, "user": user_id, "proxy": proxy_kind},
        )
    return attendance


def record_resolution(
    *, actor, item_id, votes_for=0, votes_against=0, votes_abstain=0, claimed_outcome=None, presiding_id=None
):
    """Record the count of an agenda item at the meeting; the rules engine decides the outcome (제29조, 제32조④)
    and writes the explanation. A ``claimed_outcome`` that the count does not support is refused."""
    permissions.require(actor, "governance.record_resolution")
    with transaction.atomic():
        item = selectors.item_for_update(item_id)
        meeting = selectors.meeting_for_update(item.meeting_id)
        if meeting.status != MeetingStatus.NOTICED:
            raise Conflict(
                _("The meeting is closed; its results can no longer change."), code="meeting_closed"
            )
        if item.outcome:
            raise Conflict(_("This item is already decided."), code="already_decided")
        if meeting.scheduled_at > timezone.now():
            raise FIELD_ERROR("item", _("Results can be recorded only once the meeting has started."))
        yes = _int(votes_for or 0, "votes_for", minimum=0)
        no = _int(votes_against or 0, "votes_against", minimum=0)
        abstain = _int(votes_abstain or 0, "votes_abstain", minimum=0)
        present = meeting.attendances.count()
        proxies = meeting.attendances.exclude(proxy_kind="").count()
        if yes + no + abstain > present:
            raise FIELD_ERROR(
                "votes_for",
                _(
                    "Framework Act on Cooperatives Article 23(1): one vote per member present; %(votes)s votes were counted but only %(present)s are present."
                ),
                params={"votes": yes + no + abstain, "present": present},
            )
        if item.special_matter == SpecialMatter.EXPULSION:
            day = timezone.localdate(meeting.scheduled_at)
            if (
                not item.expulsion_notice_on
                or (day - item.expulsion_notice_on).days < EXPULSION_NOTICE_DAYS
                or not item.hearing_record
            ):
                raise FIELD_ERROR(
                    "item",
                    _(
                        "Framework Act on Cooperatives Article 25: record the notice of the reason (at least 10 days before) and the member's hearing before voting on an expulsion."
                    ),
                )
        if meeting.roster is None:
            meeting.roster = selectors.roster_size(meeting)
        if presiding_id:
            meeting.presiding_id = presiding_id
        meeting.save(update_fields=["roster", "presiding", "updated_at"])
        with translation.override("ko"):
            decision = engine.decide(
                board=not meeting.is_general,
                kind=item.kind,
                roster=meeting.roster,
                present=present,
                proxies=proxies,
                yes=yes,
                no=no,
                abstain=abstain,
            )
        if claimed_outcome and claimed_outcome != decision.outcome:
            raise FIELD_ERROR(
                "outcome",
                _("%(explanation)s — the count does not support the outcome claimed."),
                params={"explanation": decision.explanation},
            )
        item.votes_for, item.votes_against, item.votes_abstain = (
            (None, None, None) if item.kind == ItemKind.REPORT else (yes, no, abstain)
        )
        item.outcome = decision.outcome
        item.explanation = decision.explanation
        item.decided_at = timezone.now()
        item.save()
        if (
            decision.outcome == Outcome.PASSED
            and item.special_matter == SpecialMatter.EXPULSION
            and item.subject_id
        ):
            # The assembly decided: the membership ends the same day, through network's own service (its
            # conditional UPDATE refuses a member who has already left; then nothing here is saved either).
            from dongne.network import services as network_services

            membership = Membership.objects.get(organisation_id=item.subject_id)
            network_services.expel_member(
                actor=actor,
                membership_id=membership.pk,
                decision_ref=f"{meeting.title} 제{item.number}호 의안",
                reason=item.description or item.title,
                on=timezone.localdate(meeting.scheduled_at),
            )
        _append_log(
            LogKind.RESOLUTION,
            {
                "meeting": meeting.pk,
                "meeting_title": meeting.title,
                "item": item.number,
                "title": item.title,
                "item_kind": item.kind,
                "roster": meeting.roster,
                "present": present,
                "proxies": proxies,
                "for": yes,
                "against": no,
                "abstain": abstain,
                "outcome": decision.outcome,
            },
        )
        audit.record(
            actor,
            "governance.resolution.recorded",
            meeting,
            {"item": item.number, "outcome": decision.outcome, "explanation": decision.explanation},
        )
    return item


def cancel_meeting(*, actor, meeting_id, reason=""):
    """Cancel a convened meeting before anything is decided."""
    permissions.require(actor, "governance.manage_meeting")
    with transaction.atomic():
        meeting = selectors.meeting_for_update(meeting_id)
        if meeting.items.exclude(outcome="").exists() or meeting.status != MeetingStatus.NOTICED:
            raise Conflict(_("A meeting with recorded results cannot be cancelled."), code="meeting_closed")
        meeting.status = MeetingStatus.CANCELLED
        meeting.save(update_fields=["status", "updated_at"])
        audit.record(actor, "governance.meeting.cancelled", meeting, {"reason": reason})
    return meeting


# --- minutes ------------------------------------------------------------------------------------------------
def draft_minutes(*, actor, meeting_id, signer_user_ids=()):
    """Close the meeting and draft its minutes from the record. A general assembly's minutes are signed by
    the chair and at least 3 members elected at the assembly (제30조): ``signer_user_ids`` are those members'
    representatives; a board's minutes by the chair and the directors present."""
    permissions.require(actor, "governance.draft_minutes")
    from django.template.loader import render_to_string

    with transaction.atomic():
        meeting = selectors.meeting_for_update(meeting_id)
        if meeting.status != MeetingStatus.NOTICED:
            raise Conflict(_("Minutes for this meeting are already drafted."), code="already_drafted")
        undecided = meeting.items.filter(outcome="")
        if undecided.exists():
            raise FIELD_ERROR(
                "items",
                _("Record the result of every agenda item first (item %(number)s is open)."),
                params={"number": undecided.first().number},
            )
        if meeting.presiding_id is None:
            raise FIELD_ERROR("presiding", _("Record who chaired the meeting first."))
        signers = [(meeting.presiding_id, SignerRole.CHAIR)]
        if meeting.is_general:
            ids = [int(i) for i in signer_user_ids if int(i) != meeting.presiding_id]
            present_orgs = set(
                meeting.attendances.filter(proxy_kind="").values_list("organisation_id", flat=True)
            )
            from dongne.network.models import Affiliation

            for user_id in ids:
                if not Affiliation.objects.filter(
                    person__user_id=user_id, is_representative=True, organisation_id__in=present_orgs
                ).exists():
                    raise FIELD_ERROR(
                        "signers",
                        _(
                            "Framework Act on Cooperatives Article 30: the signers are members present at the assembly and elected there."
                        ),
                    )
            if len(set(ids)) < 3:
                raise FIELD_ERROR(
                    "signers",
                    _(
                        "Framework Act on Cooperatives Article 30: the minutes are signed by the chair and at least 3 members elected at the assembly; choose %(missing)s more."
                    ),
                    params={"missing": 3 - len(set(ids))},
                )
            signers += [(i, SignerRole.MEMBER) for i in dict.fromkeys(ids)]
        else:
            for user_id in meeting.attendances.values_list("user_id", flat=True):
                if user_id != meeting.presiding_id:
                    signers.append((user_id, SignerRole.DIRECTOR))
        with translation.override("ko"):
            body = render_to_string("governance/minutes_body.txt", selectors.minutes_context(meeting))
        minutes = Minutes.objects.create(meeting=meeting, body=body)
        MinutesSigner.objects.bulk_create(
            [MinutesSigner(minutes=minutes, user_id=u, role=r) for u, r in signers]
        )
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status", "updated_at"])
        audit.record(actor, "governance.minutes.drafted", meeting, {"signers": [u for u, _r in signers]})
    return minutes


def confirm_minutes(*, actor, minutes_id):
    """A signer confirms (signs) the minutes; when the last signer has, the minutes are final and logged."""
    with transaction.atomic():
        try:
            minutes = Minutes.objects.select_for_update().select_related("meeting").get(pk=minutes_id)
        except (Minutes.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("Minutes %(id)s do not exist."), params={"id": minutes_id})
        signer = minutes.signers.filter(user_id=getattr(actor, "pk", None)).first()
        permissions.require(actor, "governance.confirm_minutes", signer)
        if signer.confirmed_at:
            raise Conflict(_("You have already signed these minutes."), code="already_signed")
        signer.confirmed_at = timezone.now()
        signer.save(update_fields=["confirmed_at"])
        if not minutes.signers.filter(confirmed_at__isnull=True).exists():
            minutes.finalised_at = timezone.now()
            minutes.save(update_fields=["finalised_at", "updated_at"])
            _append_log(
                LogKind.MINUTES,
                {
                    "meeting": minutes.meeting_id,
                    "body_sha256": hashlib.sha256(minutes.body.encode("utf-8")).hexdigest(),
                    "signers": sorted(minutes.signers.values_list("user_id", flat=True)),
                },
            )
        audit.record(actor, "governance.minutes.signed", minutes.meeting, {"role": signer.role})
    return minutes


# --- polls --------------------------------------------------------------------------------------------------
YES_NO_LABELS = (_("Yes"), _("No"), _("Abstain"))


def create_poll(
    *,
    actor,
    title,
    opens_at,
    closes_at,
    kind=PollKind.ADVISORY,
    ballot_type=BallotType.YES_NO,
    secret=False,
    options=(),
    description="",
    meeting_id=None,
):
    """Open an online poll. Polls are advisory or preparatory: the Act has no electronic voting at a formal
    assembly, where resolutions need attendance in person or by proxy."""
    permissions.require(actor, "governance.manage_poll")
    if not str(title or "").strip():
        raise FIELD_ERROR("title", _("Enter the question."))
    if kind not in PollKind.values:
        raise FIELD_ERROR("kind", _("Choose the kind of poll."))
    if ballot_type not in BallotType.values:
        raise FIELD_ERROR("ballot_type", _("Choose the kind of ballot."))
    if not opens_at or not closes_at or closes_at <= opens_at:
        raise FIELD_ERROR("closes_at", _("The poll must close after it opens."))
    if ballot_type == BallotType.YES_NO:
        with translation.override(settings.LANGUAGE_CODE):
            labels = [str(label) for label in YES_NO_LABELS]
    else:
        labels = [str(o).strip() for o in options if str(o).strip()]
        if len(labels) < 2:
            raise FIELD_ERROR("options", _("Give at least two choices, one per line."))
    with transaction.atomic():
        poll = Poll.objects.create(
            title=str(title).strip(),
            description=str(description or "").strip(),
            kind=kind,
            ballot_type=ballot_type,
            secret=bool(secret),
            meeting_id=meeting_id or None,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=actor,
        )
        PollOption.objects.bulk_create(
            [PollOption(poll=poll, number=n, label=label) for n, label in enumerate(labels, 1)]
        )
        audit.record(actor, "governance.poll.created", poll, {"kind": kind, "secret": poll.secret})
    return poll


def cast_vote(*, actor, poll_id, organisation_id=None, option=None, ranking=None):
    """Cast the vote of the member ``actor`` represents (one member, one vote — 제23조①). ``option`` is an option
    number; ``ranking`` a list of option numbers, best first (ranked polls). In a secret poll the ballot is
    stored without the member and only the participation names them. A second vote — however concurrent —
    hits the database's unique constraint and is refused."""
    poll = selectors.get_poll(poll_id)
    if organisation_id is None:
        organisation_id = selectors.represented_member_id(actor)
    organisation = Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
    permissions.require(actor, "governance.cast_vote", organisation)
    if _status(organisation.pk) != MembershipStatus.ACTIVE:
        raise FIELD_ERROR("organisation", _("Only an active member can vote."))
    now = timezone.now()
    if now < poll.opens_at:
        raise Conflict(_("This poll is not open yet."), code="poll_not_open")
    if poll.is_closed(now):
        raise Conflict(
            _("This poll closed on %(closed)s; votes are no longer accepted."),
            params={"closed": timezone.localtime(poll.closes_at).strftime("%Y.%m.%d %H:%M")},
            code="poll_closed",
        )
    numbers = dict(poll.options.values_list("number", "pk"))
    chosen, order = None, []
    if poll.ballot_type == BallotType.RANKED:
        order = [int(n) for n in (ranking or [])]
        if not order or len(set(order)) != len(order) or not set(order) <= set(numbers):
            raise FIELD_ERROR("ranking", _("Rank the choices without repeating one."))
    else:
        try:
            chosen = numbers[int(option)]
        except (KeyError, TypeError, ValueError):
            raise FIELD_ERROR("option", _("Choose one of the options."))
    try:
        with transaction.atomic():
            Participation.objects.create(poll=poll, organisation=organisation, cast_by=actor, voted_at=now)
            Ballot.objects.create(
                poll=poll, organisation=None if poll.secret else organisation, option_id=chosen, ranking=order
            )
            payload = {"poll": poll.pk, "member": organisation.pk}
            if not poll.secret:
                payload.update({"option": int(option) if chosen else None, "ranking": order})
            _append_log(LogKind.VOTE, payload)
            audit.record(actor, "governance.vote.cast", poll, {"member": organisation.pk})
    except IntegrityError:
        raise Conflict(
            _(
                "Framework Act on Cooperatives Article 23(1): one member, one vote — %(member)s has already voted in this poll."
            ),
            params={"member": organisation.name},
            code="already_voted",
        )
    return poll


def close_poll(*, actor, poll_id):
    """Close a poll now (or record the tally of one that has closed) and log its result."""
    permissions.require(actor, "governance.manage_poll")
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=selectors.get_poll(poll_id).pk)
        now = timezone.now()
        if LogEntry.objects.filter(kind=LogKind.POLL_CLOSED, payload__contains=f'"poll":{poll.pk},').exists():
            raise Conflict(_("This poll is already closed."), code="poll_closed")
        if not poll.is_closed(now):
            poll.closes_at = max(now, poll.opens_at + dt.timedelta(microseconds=1))
            poll.save(update_fields=["closes_at", "updated_at"])
        tally = selectors.poll_tally(poll)
        _append_log(
            LogKind.POLL_CLOSED,
            {
                "poll": poll.pk,
                "participants": tally["participants"],
                "results": [[r["number"], r["votes"], r.get("points", 0)] for r in tally["rows"]],
            },
        )
        audit.record(actor, "governance.poll.closed", poll, {"participants": tally["participants"]})
    return poll


# --- officers -----------------------------------------------------------------------------------------------
def appoint_officer(*, actor, user_id, role, term_start, term_end, elected_at_id=None, is_staff_member=False):
    """Record an officer elected by the general assembly: terms up to 4 years, the chair re-elected at most
    twice (제35조); a director or staff member cannot be the auditor (제44조②)."""
    permissions.require(actor, "governance.manage_officers")
    from django.contrib.auth import get_user_model

    from dongne.core.choices import Role

    if role not in OfficerRole.values:
        raise FIELD_ERROR("role", _("Choose the office."))
    start, end = _date(term_start, "term_start"), _date(term_end, "term_end")
    if end <= start:
        raise FIELD_ERROR("term_end", _("The term must end after it starts."))
    if end > _add_years(start, MAX_TERM_YEARS):
        raise FIELD_ERROR(
            "term_end", _("Framework Act on Cooperatives Article 35: an officer's term is at most 4 years.")
        )
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User %(id)s does not exist."), params={"id": user_id})
    with transaction.atomic():
        _cooperative_for_update()  # officer changes queue up too: the overlap checks read, then write
        overlapping = Officer.objects.filter(
            user=user, term_start__lt=end, term_end__gt=start, ended_on__isnull=True
        )
        if overlapping.filter(role=role).exists():
            raise Conflict(_("This person already holds this office for part of that term."), code="overlap")
        board = (OfficerRole.CHAIR, OfficerRole.DIRECTOR)
        if role == OfficerRole.AUDITOR:
            if (
                overlapping.filter(role__in=board).exists()
                or is_staff_member
                or user.role == Role.SECRETARIAT
            ):
                raise FIELD_ERROR(
                    "user",
                    _(
                        "Framework Act on Cooperatives Article 44(2): a director or a member of staff cannot be the auditor."
                    ),
                )
        elif overlapping.filter(role=OfficerRole.AUDITOR).exists():
            raise FIELD_ERROR(
                "user",
                _(
                    "Framework Act on Cooperatives Article 44(2): a director or a member of staff cannot be the auditor."
                ),
            )
        if (
            role == OfficerRole.CHAIR
            and Officer.objects.filter(
                role=OfficerRole.CHAIR, term_start__lt=end, term_end__gt=start, ended_on__isnull=True
            )
            .exclude(user=user)
            .exists()
        ):
            raise Conflict(
                _("The cooperative has another chair for part of that term; end that term first."),
                code="overlap",
            )
        reelection = 0
        if role in board:
            previous = (
                Officer.objects.filter(
                    user=user, role=role, term_end__lte=start, term_end__gte=start - dt.timedelta(days=93)
                )
                .order_by("-term_end")
                .first()
            )
            if previous is not None:
                reelection = previous.reelection + 1
        if role == OfficerRole.CHAIR and reelection > MAX_CHAIR_REELECTIONS:
            raise FIELD_ERROR(
                "user",
                _(
                    "Framework Act on Cooperatives Article 35: the chair can be re-elected at most twice in a row; %(name)s has served three consecutive terms."
                ),
                params={"name": user.name},
            )
        officer = Officer.objects.create(
            user=user,
            role=role,
            term_start=start,
            term_end=end,
            elected_at_id=elected_at_id,
            is_staff_member=bool(is_staff_member),
            reelection=reelection,
        )
        audit.record(
            actor,
            "governance.officer.appointed",
            officer,
            {"role": role, "term_start": start, "term_end": end, "reelection": reelection},
        )
        sync_officer_roles(actor=actor, user_ids=[user.pk])
    return officer


def end_officer_term(*, actor, officer_id, on=None, reason=""):
    """End an officer's term early (resignation, dismissal)."""
    permissions.require(actor, "governance.manage_officers")
    on = _date(on, "on")
    with transaction.atomic():
        officer = Officer.objects.select_for_update().filter(pk=officer_id).first()
        if officer is None:
            raise NotFound(_("Officer term %(id)s does not exist."), params={"id": officer_id})
        if officer.ended_on:
            raise Conflict(_("This term has already ended."), code="ended")
        officer.ended_on = on
        officer.term_end = max(min(officer.term_end, on), officer.term_start + dt.timedelta(days=1))
        officer.save(update_fields=["ended_on", "term_end", "updated_at"])
        audit.record(actor, "governance.officer.ended", officer, {"on": on, "reason": reason})
        sync_officer_roles(actor=actor, user_ids=[officer.user_id])
    return officer


# The platform role an office gives while its term runs (the rights of core.permissions follow the role).
OFFICE_ROLES = {OfficerRole.CHAIR: "chair", OfficerRole.DIRECTOR: "director", OfficerRole.AUDITOR: "auditor"}
_OFFICE_RANK = (OfficerRole.CHAIR, OfficerRole.DIRECTOR, OfficerRole.AUDITOR)


def sync_officer_roles(*, actor=None, user_ids=None, day=None):
    """Give each officer the platform role of the office they hold on ``day`` (chair before director before
    auditor), and take it back when no term runs any more: the person returns to member representative if they
    represent an organisation, else to no role. Secretariat accounts keep their role (staff may be directors,
    never the auditor, 제44조②). People whose board or auditor role was never backed by an officer record (set
    by hand in the admin) are left alone. Runs on appointment, on an early end and daily (governance.tasks);
    returns the number of accounts changed."""
    from django.contrib.auth import get_user_model

    from dongne.core.choices import Role
    from dongne.network.models import Affiliation

    day = day or timezone.localdate()
    office_roles = set(OFFICE_ROLES.values())
    terms = Officer.objects.all()
    if user_ids is not None:
        terms = terms.filter(user_id__in=user_ids)
    held = {}
    for user_id, office in terms.filter(
        term_start__lte=day, term_end__gt=day, ended_on__isnull=True
    ).values_list("user_id", "role"):
        best = held.get(user_id)
        if best is None or _OFFICE_RANK.index(office) < _OFFICE_RANK.index(best):
            held[user_id] = office
    candidates = set(terms.values_list("user_id", flat=True))
    changed = 0
    for user in get_user_model().objects.filter(pk__in=candidates).exclude(role=Role.SECRETARIAT):
        if user.pk in held:
            target = OFFICE_ROLES[held[user.pk]]
        elif user.role in office_roles:
            represents = Affiliation.objects.filter(person__user=user, is_representative=True).exists()
            target = Role.MEMBER_REP if represents else ""
        else:
            continue
        if user.role != target:
            before, user.role = user.role, target
            user.save(update_fields=["role"])
            audit.record(actor, "core.user.role_changed", user, {"from": before, "to": target, "day": day})
            changed += 1
    return changed


# --- disclosure ---------------------------------------------------------------------------------------------
IMPACT_FIELDS = (
    "employees",
    "new_hires",
    "new_hires_local_youth",
    "new_hires_women",
    "revenue",
    "projects_won",
)


def report_impact(*, actor, organisation_id, year, figures):
    """A member reports its yearly figures (employees, new hires of which local youth and women, revenue,
    projects won) for the cooperative's business-results disclosure. Reporting again replaces the year."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound(_("Organisation %(id)s does not exist."), params={"id": organisation_id})
    permissions.require(actor, "governance.report_impact", organisation)
    year = _int(year, "year", minimum=2000)
    values = {field: _int(figures.get(field, 0) or 0, field, minimum=0) for field in IMPACT_FIELDS}
    for part in ("new_hires_local_youth", "new_hires_women"):
        if values[part] > values["new_hires"]:
            raise FIELD_ERROR(part, _("This is part of the new hires and cannot be larger than them."))
    with transaction.atomic():
        report, _created = ImpactReport.objects.update_or_create(
            organisation=organisation, year=year, defaults=values
        )
        audit.record(actor, "governance.impact.reported", organisation, {"year": year, **values})
    return report


def save_annual_report(
    *, actor, year, total_business, main_business, surplus, reserve_transfer=0, dividends=0, narrative=""
):
    """Record the settlement of a fiscal year for the disclosure: no dividends (제98조②), and while the legal
    reserve is below 3× paid-in capital at least 30% of a surplus goes to it (제97조). A main business below
    40% of the total (제93조) is shown as a warning, not refused: it is a fact to disclose."""
    permissions.require(actor, "governance.manage_report")
    year = _int(year, "year", minimum=2000)
    total = _int(total_business, "total_business", minimum=0)
    main = _int(main_business, "main_business", minimum=0)
    surplus = _int(surplus, "surplus")
    transfer = _int(reserve_transfer or 0, "reserve_transfer", minimum=0)
    if _int(dividends or 0, "dividends", minimum=0) > 0:
        raise FIELD_ERROR(
            "dividends",
            _(
                "Framework Act on Cooperatives Article 98(2): a social cooperative pays no dividends to its members."
            ),
        )
    if main > total:
        raise FIELD_ERROR("main_business", _("The main business cannot be larger than the total business."))
    with transaction.atomic():
        existing = AnnualReport.objects.select_for_update().filter(year=year).first()
        if existing and existing.published_on:
            raise Conflict(
                _("The %(year)s report is published; it can no longer change."),
                params={"year": year},
                code="published",
            )
        previous = AnnualReport.objects.filter(year__lt=year).order_by("-year").first()
        balance_before = previous.reserve_balance if previous else 0
        paid_in = selectors.paid_in_at(selectors.fiscal_year_end(year))
        ceiling = RESERVE_MULTIPLE * paid_in
        if surplus > 0 and balance_before < ceiling:
            required = min(-(-surplus * RESERVE_PERCENT // 100), ceiling - balance_before)
            if transfer < required:
                raise FIELD_ERROR(
                    "reserve_transfer",
                    _(
                        "Framework Act on Cooperatives Article 97: at least 30%% of the surplus goes to the legal reserve until it reaches 3× paid-in capital (%(ceiling)s won); transfer at least %(required)s won."
                    ),
                    params={"ceiling": f"{ceiling:,}", "required": f"{required:,}"},
                )
        report, _created = AnnualReport.objects.update_or_create(
            year=year,
            defaults={
                "total_business": total,
                "main_business": main,
                "surplus": surplus,
                "reserve_transfer": transfer,
                "reserve_balance": balance_before + transfer,
                "dividends": 0,
                "narrative": str(narrative or "").strip(),
            },
        )
        audit.record(
            actor,
            "governance.report.saved",
            report,
            {"year": year, "main_ratio": round(main * 100 / total, 1) if total else None},
        )
    return report


def publish_annual_report(*, actor, year, on=None):
    """Publish the year's disclosure (경영공시, due within 4 months of the fiscal year's end — 제96조의2)."""
    permissions.require(actor, "governance.manage_report")
    on = _date(on, "on")
    with transaction.atomic():
        report = AnnualReport.objects.select_for_update().filter(year=year).first()
        if report is None:
            raise NotFound(_("There is no report for %(year)s yet."), params={"year": year})
        if report.published_on:
            raise Conflict(
                _("The %(year)s report is already published."), params={"year": year}, code="published"
            )
        report.published_on = on
        report.save(update_fields=["published_on", "updated_at"])
        audit.record(
            actor,
            "governance.report.published",
            report,
            {"on": on, "deadline": selectors.disclosure_deadline(report.year)},
        )
    return report
