"""State changes of programs. Every function checks permission, validates, writes inside a
transaction, records an audit entry and returns the object (ARCHITECTURE.md rule 1).

Capacity: ``Program.seats_taken`` counts registrations that hold a place (pending approval,
confirmed, offered). A place is taken only by the conditional ``UPDATE … SET seats_taken =
seats_taken + 1 WHERE seats_taken < capacity`` inside the registration's transaction, and a check
constraint (seats_taken ≤ capacity) backs it up; a place freed by a cancellation is offered to the
first person on the waiting list (ordered by id, the order of arrival) instead of being released.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from dongne.core import audit, permissions, search
from dongne.core.errors import Conflict, NotFound, RateLimited, ValidationError
from dongne.core.korean import parse_korean_date

from . import selectors
from .choices import (
    ACTIVE_STATUSES,
    SEAT_STATUSES,
    CheckInMethod,
    ProgramKind,
    ProgramStatus,
    RegistrationStatus,
    Visibility,
)
from .models import (
    Article,
    ArticleAttachment,
    ArticleTag,
    ArticleVersion,
    Attendance,
    CalendarFeed,
    Certificate,
    Exhibit,
    ExhibitImage,
    Feedback,
    Inquiry,
    Program,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    Session,
)

PROGRAM_FIELDS = (
    "kind",
    "title",
    "summary",
    "description",
    "audience",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "completion_threshold",
)


# --- helpers ------------------------------------------------------------------------------------
def _now():
    return timezone.now()


def _add(errors, field, message):
    errors.setdefault(field, []).append(str(message))


def _raise(errors):
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)


def _datetime(value, field, errors, *, required=False):
    if value in (None, ""):
        if required:
            _add(errors, field, _("This field is required."))
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = str(value).strip()
        parsed = parse_datetime(text.replace(" ", "T", 1)) if "T" not in text else parse_datetime(text)
        if parsed is None:
            try:
                parsed = dt.datetime.combine(parse_korean_date(text), dt.time())
            except ValueError:
                _add(errors, field, _("Enter a date and time such as 2026-05-01 14:00."))
                return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _int(value, field, errors, *, minimum=0, maximum=None):
    try:
        number = int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        _add(errors, field, _("Enter a whole number."))
        return None
    if number < minimum or (maximum is not None and number > maximum):
        if maximum is None:
            _add(errors, field, _("Enter a number of at least %(min)s.") % {"min": minimum})
        else:
            _add(
                errors, field, _("Enter a number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum}
            )
        return None
    return number


def _clean_program(data, *, instance=None):
    errors, out = {}, {}
    for field in PROGRAM_FIELDS:
        if field in data:
            out[field] = data[field]
    if "title" in out or instance is None:
        out["title"] = str(out.get("title") or "").strip()
        if not out["title"]:
            _add(errors, "title", _("Enter the program's title."))
    if "kind" in out or instance is None:
        if out.get("kind") not in ProgramKind.values:
            _add(errors, "kind", _("Choose a kind of program: course, seminar, policy forum or exhibition."))
    if "capacity" in out or instance is None:
        out["capacity"] = _int(out.get("capacity"), "capacity", errors, minimum=1)
    if "completion_threshold" in out:
        out["completion_threshold"] = _int(
            out["completion_threshold"], "completion_threshold", errors, minimum=1, maximum=100
        )
    for field in ("registration_opens_at", "registration_closes_at"):
        if field in out:
            out[field] = _datetime(out[field], field, errors)
    opens = out.get("registration_opens_at", instance.registration_opens_at if instance else None)
    closes = out.get("registration_closes_at", instance.registration_closes_at if instance else None)
    if opens and closes and closes <= opens:
        _add(errors, "registration_closes_at", _("Registration must close after it opens."))
    for field in ("summary", "description", "audience"):
        if field in out:
            out[field] = str(out[field] or "").strip()
    if "requires_approval" in out:
        out["requires_approval"] = bool(out["requires_approval"])
    if instance is not None and out.get("capacity") is not None and out["capacity"] < instance.seats_taken:
        _add(
            errors,
            "capacity",
            _("The capacity cannot be below the %(taken)s places already taken; cancel registrations first.")
            % {"taken": instance.seats_taken},
        )
    _raise(errors)
    return out


def _organisation(organisation_id, field="organiser"):
    from dongne.network.models import Organisation

    if organisation_id in (None, ""):
        return None
    org = Organisation.objects.filter(pk=getattr(organisation_id, "pk", organisation_id)).first()
    if org is None:
        raise ValidationError.on(field, _("Choose an existing organisation."))
    return org


def _set_relations(program, data):
    if "co_hosts" in data:
        ids = [getattr(o, "pk", o) for o in data["co_hosts"] or []]
        program.co_hosts.set(ids)
    if "staff" in data:
        program.staff.set(_staff_users(data["staff"]))


def _staff_users(value):
    """Users named by id, user object or e-mail address ("a@x.kr, b@y.kr" from the form)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if isinstance(value, str):
        value = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    users, unknown = [], []
    for item in value or []:
        if isinstance(item, str) and "@" in item:
            user = User.objects.filter(email__iexact=item, is_active=True).first()
            if user is None:
                unknown.append(item)
            else:
                users.append(user)
        else:
            users.append(getattr(item, "pk", item))
    if unknown:
        raise ValidationError.on(
            "staff",
            _("No active account has the e-mail address %(emails)s; invite them first."),
            params={"emails": ", ".join(unknown)},
        )
    return users


def _offer_next(program, *, now):
    """Offer a freed place to the first person on the waiting list, or give it back.

    Called inside the transaction that freed the place, with the program row locked.
    Returns the registration that received the offer (None when the waiting list is empty)."""
    while True:
        nxt = selectors.waitlist(program).first()
        if nxt is None:
            Program.objects.filter(pk=program.pk, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
            return None
        expires = now + dt.timedelta(hours=settings.PROGRAMS_OFFER_HOURS)
        moved = Registration.objects.filter(pk=nxt.pk, status=RegistrationStatus.WAITLISTED).update(
            status=RegistrationStatus.OFFERED, offer_expires_at=expires
        )
        if moved:
            nxt.status, nxt.offer_expires_at = RegistrationStatus.OFFERED, expires
            audit.record(None, "programs.registration.offered", nxt, {"expires": expires})
            _mail_on_commit(nxt.pk, "offered")
            return nxt


def _mail_on_commit(registration_id, kind):
    from .tasks import send_registration_mail

    transaction.on_commit(lambda: send_registration_mail(registration_id, kind))


# --- programs -----------------------------------------------------------------------------------
def create_program(*, actor, data, sessions=()):
    """Create a program (as a draft unless data says status=published) with its sessions."""
    organiser = _organisation(data.get("organiser"))
    permissions.require(actor, "programs.create_program", organiser)
    clean = _clean_program(data)
    with transaction.atomic():
        program = Program.objects.create(
            organiser=organiser, created_by=actor if actor and actor.is_authenticated else None, **clean
        )
        _set_relations(program, data)
        for session in sessions:
            _create_session(program, session)
        if data.get("status") == ProgramStatus.PUBLISHED:
            _publish(program)
        audit.record(
            actor, "programs.program.created", program, {"kind": program.kind, "capacity": program.capacity}
        )
    return program


def update_program(*, actor, program_id, data):
    """Edit a program. Raising the capacity offers the new places to the waiting list at once."""
    with transaction.atomic():
        program = selectors.program_for_update(program_id)
        permissions.require(actor, "programs.manage_program", program)
        clean = _clean_program(data, instance=program)
        if "organiser" in data:
            organiser = _organisation(data["organiser"])
            if organiser != program.organiser:
                permissions.require(actor, "programs.create_program", organiser)
            clean["organiser"] = organiser
        old_capacity = program.capacity
        for field, value in clean.items():
            setattr(program, field, value)
        # Never write seats_taken from here: the place counter changes only by conditional UPDATEs.
        program.save(update_fields=[*clean, "updated_at"])
        _set_relations(program, data)
        now = _now()
        for _i in range(max(program.capacity - old_capacity, 0)):
            # A new place is taken by the next person in line (as an offer) before anyone new.
            if not selectors.waitlist(program).exists():
                break
            Program.objects.filter(pk=program.pk).update(seats_taken=F("seats_taken") + 1)
            _offer_next(program, now=now)
        audit.record(
            actor, "programs.program.updated", program, {k: v for k, v in clean.items() if k != "description"}
        )
    program.refresh_from_db()
    return program


def _publish(program):
    if not program.sessions.exists():
        raise ValidationError.on("sessions", _("Add at least one session before publishing the program."))
    program.status = ProgramStatus.PUBLISHED
    program.save(update_fields=["status", "updated_at"])


def publish_program(*, actor, program_id):
    """Publish a draft: it appears in lists, feeds and the API and opens for registration."""
    with transaction.atomic():
        program = selectors.program_for_update(program_id)
        permissions.require(actor, "programs.manage_program", program)
        if program.status != ProgramStatus.DRAFT:
            raise Conflict(
                _("Only a draft can be published; this program is %(status)s."),
                params={"status": program.get_status_display()},
            )
        _publish(program)
        audit.record(actor, "programs.program.published", program)
    return program


def cancel_program(*, actor, program_id, reason=""):
    """Cancel a program; registrations stay for the record and feeds mark its sessions cancelled."""
    with transaction.atomic():
        program = selectors.program_for_update(program_id)
        permissions.require(actor, "programs.manage_program", program)
        if program.status == ProgramStatus.CANCELLED:
            raise Conflict(_("This program is already cancelled."))
        program.status = ProgramStatus.CANCELLED
        program.save(update_fields=["status", "updated_at"])
        audit.record(actor, "programs.program.cancelled", program, {"reason": reason})
        for registration_id in program.registrations.filter(status__in=ACTIVE_STATUSES).values_list(
            "pk", flat=True
        ):
            _mail_on_commit(registration_id, "program_cancelled")
    return program


def _clean_session(data, errors):
    out = {
        "title": str(data.get("title") or "").strip(),
        "place": str(data.get("place") or "").strip(),
        "online_url": str(data.get("online_url") or "").strip(),
        "speakers": str(data.get("speakers") or "").strip(),
        "starts_at": _datetime(data.get("starts_at"), "starts_at", errors, required=True),
        "ends_at": _datetime(data.get("ends_at"), "ends_at", errors, required=True),
    }
    if out["starts_at"] and out["ends_at"] and out["ends_at"] <= out["starts_at"]:
        _add(errors, "ends_at", _("A session must end after it starts."))
    if not out["place"] and not out["online_url"]:
        _add(errors, "place", _("Enter a place, an online link, or both."))
    if out["online_url"] and not out["online_url"].startswith(("https://", "http://")):
        _add(errors, "online_url", _("Enter the online link as a full address starting with https://."))
    return out


def _create_session(program, data):
    errors = {}
    clean = _clean_session(data, errors)
    _raise(errors)
    return Session.objects.create(program=program, **clean)


def add_session(*, actor, program_id, data):
    """Add a session (time, place or online link, speakers) to a program."""
    with transaction.atomic():
        program = selectors.program_for_update(program_id)
        permissions.require(actor, "programs.manage_program", program)
        session = _create_session(program, data)
        audit.record(actor, "programs.session.added", session, {"program": program.pk})
    return session


def update_session(*, actor, session_id, data):
    """Change a session's time, place, link or speakers."""
    with transaction.atomic():
        session = selectors.get_session(session_id)
        permissions.require(actor, "programs.manage_program", session.program)
        errors = {}
        clean = _clean_session(
            {
                **{
                    f: getattr(session, f)
                    for f in ("title", "place", "online_url", "speakers", "starts_at", "ends_at")
                },
                **data,
            },
            errors,
        )
        _raise(errors)
        for field, value in clean.items():
            setattr(session, field, value)
        session.save()
        audit.record(actor, "programs.session.updated", session, clean)
    return session


def remove_session(*, actor, session_id):
    """Remove a session nobody has checked in to yet."""
    with transaction.atomic():
        session = selectors.get_session(session_id)
        permissions.require(actor, "programs.manage_program", session.program)
        if session.attendances.exists():
            raise Conflict(_("People have checked in to this session; it cannot be removed."))
        audit.record(actor, "programs.session.removed", session)
        session.delete()
    return session


def add_question(*, actor, program_id, text, required=False):
    """Add a question every registrant answers when signing up."""
    with transaction.atomic():
        program = selectors.program_for_update(program_id)
        permissions.require(actor, "programs.manage_program", program)
        text = str(text or "").strip()
        if not text:
            raise ValidationError.on("text", _("Enter the question."))
        position = program.questions.count() + 1
        question = RegistrationQuestion.objects.create(
            program=program, text=text, required=bool(required), position=position
        )
        audit.record(actor, "programs.question.added", question, {"program": program.pk})
    return question


# --- registration -------------------------------------------------------------------------------
def _clean_answers(program, answers):
    answers = {str(k): str(v or "").strip() for k, v in (answers or {}).items()}
    errors, out = {}, []
    for question in program.questions.all():
        value = answers.get(str(question.pk), "")
        if question.required and not value:
            _add(errors, f"question_{question.pk}", _("Answer this question: %(q)s") % {"q": question.text})
        out.append((question, value))
    _raise(errors)
    return out


def _already_registered(registration):
    return Conflict(
        _("You are already registered for this program (%(status)s); there is nothing more to do."),
        code="already_registered",
        params={"status": registration.get_status_display()},
    )


def register(*, actor, program_id, answers=None):
    """Register ``actor`` for a program: a place if one is left, else the end of the waiting list.

    The place is taken by a conditional UPDATE on the program's counter inside this transaction
    (with the program row locked first, so the waiting list keeps the order of arrival); a second
    live registration of the same person is refused by a partial unique constraint."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise NotFound(_("Program %(id)s does not exist."), params={"id": program_id})
    permissions.require(actor, "programs.register", program)
    now = _now()
    if program.registration_opens_at and now < program.registration_opens_at:
        raise ValidationError(
            _("Registration opens on %(when)s."),
            params={"when": timezone.localtime(program.registration_opens_at).strftime("%Y-%m-%d %H:%M")},
        )
    if program.registration_closes_at and now >= program.registration_closes_at:
        raise ValidationError(
            _("Registration closed on %(when)s."),
            params={"when": timezone.localtime(program.registration_closes_at).strftime("%Y-%m-%d %H:%M")},
        )
    clean_answers = _clean_answers(program, answers)
    try:
        with transaction.atomic():
            program = selectors.program_for_update(program_id)
            if program.status != ProgramStatus.PUBLISHED:  # cancelled while the form was open
                raise Conflict(
                    _("This program is not open for registration (it is %(status)s)."),
                    params={"status": program.get_status_display()},
                )
            existing = Registration.objects.filter(
                program=program, user=actor, status__in=ACTIVE_STATUSES
            ).first()
            if existing is not None:
                raise _already_registered(existing)
            got_place = Program.objects.filter(pk=program.pk, seats_taken__lt=F("capacity")).update(
                seats_taken=F("seats_taken") + 1
            )
            if not got_place:
                status = RegistrationStatus.WAITLISTED
            elif program.requires_approval:
                status = RegistrationStatus.PENDING
            else:
                status = RegistrationStatus.CONFIRMED
            registration = Registration.objects.create(
                program=program,
                user=actor,
                status=status,
                confirmed_at=now if status == RegistrationStatus.CONFIRMED else None,
            )
            RegistrationAnswer.objects.bulk_create(
                [
                    RegistrationAnswer(registration=registration, question=q, answer=a)
                    for q, a in clean_answers
                ]
            )
            audit.record(actor, "programs.registration.created", registration, {"status": status})
            _mail_on_commit(registration.pk, status)
    except IntegrityError:
        # The partial unique constraint caught a second live registration made at the same moment.
        existing = Registration.objects.filter(
            program_id=program_id, user=actor, status__in=ACTIVE_STATUSES
        ).first()
        if existing is None:
            raise
        raise _already_registered(existing)
    return registration


def _registration_for_update(registration_id):
    registration = selectors.get_registration(registration_id)
    selectors.program_for_update(registration.program_id)  # the program row serialises place changes
    registration.refresh_from_db()
    return registration


def cancel_registration(*, actor, registration_id, reason=""):
    """Cancel a registration (or decline an offered place); a held place passes to the next in line."""
    with transaction.atomic():
        registration = _registration_for_update(registration_id)
        permissions.require(actor, "programs.change_registration", registration)
        if registration.status not in ACTIVE_STATUSES:
            raise Conflict(
                _("This registration is already %(status)s."),
                params={"status": registration.get_status_display()},
            )
        held_place = registration.status in SEAT_STATUSES
        now = _now()
        changed = Registration.objects.filter(pk=registration.pk, status=registration.status).update(
            status=RegistrationStatus.CANCELLED, ended_at=now
        )
        if not changed:
            raise Conflict()
        if held_place:
            _offer_next(registration.program, now=now)
        registration.refresh_from_db()
        audit.record(actor, "programs.registration.cancelled", registration, {"reason": reason})
    return registration


def _expire(registration, now):
    changed = Registration.objects.filter(
        pk=registration.pk, status=RegistrationStatus.OFFERED, offer_expires_at__lte=now
    ).update(status=RegistrationStatus.EXPIRED, ended_at=now)
    if changed:
        audit.record(None, "programs.registration.expired", registration)
        _mail_on_commit(registration.pk, "expired")
        _offer_next(registration.program, now=now)
    return bool(changed)


def confirm_offer(*, actor, registration_id):
    """Accept a place offered from the waiting list, before the offer's time limit."""
    with transaction.atomic():
        registration = _registration_for_update(registration_id)
        permissions.require(actor, "programs.change_registration", registration)
        if registration.status != RegistrationStatus.OFFERED:
            raise Conflict(
                _("There is no open offer on this registration (it is %(status)s)."),
                params={"status": registration.get_status_display()},
            )
        now = _now()
        new_status = (
            RegistrationStatus.PENDING
            if registration.program.requires_approval
            else RegistrationStatus.CONFIRMED
        )
        changed = Registration.objects.filter(
            pk=registration.pk, status=RegistrationStatus.OFFERED, offer_expires_at__gt=now
        ).update(status=new_status, confirmed_at=now if new_status == RegistrationStatus.CONFIRMED else None)
        if changed:
            registration.refresh_from_db()
            audit.record(actor, "programs.registration.confirmed", registration, {"from": "offer"})
            _mail_on_commit(registration.pk, str(new_status))
            return registration
    # Too late: the offer lapses now (the place passes on) and the person is told so.
    with transaction.atomic():
        registration = _registration_for_update(registration_id)
        _expire(registration, _now())
    raise Conflict(
        _("The offer expired at %(when)s and the place has passed to the next person on the waiting list."),
        code="offer_expired",
        params={"when": timezone.localtime(registration.offer_expires_at).strftime("%Y-%m-%d %H:%M")},
    )


def expire_offers(*, actor=None, now=None):
    """Expire offers past their time limit and offer each place to the next in line; returns how many."""
    permissions.require(actor, "programs.expire_offers")
    now = now or _now()
    expired = 0
    due = list(
        Registration.objects.filter(status=RegistrationStatus.OFFERED, offer_expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for registration_id in due:
        with transaction.atomic():
            registration = _registration_for_update(registration_id)
            expired += _expire(registration, now)
    return expired


def approve_registration(*, actor, registration_id):
    """The organiser approves a registration that was awaiting approval."""
    with transaction.atomic():
        registration = _registration_for_update(registration_id)
        permissions.require(actor, "programs.decide_registration", registration)
        now = _now()
        changed = Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.PENDING).update(
            status=RegistrationStatus.CONFIRMED, confirmed_at=now
        )
        if not changed:
            raise Conflict(
                _("Only a registration awaiting approval can be approved; this one is %(status)s."),
                params={"status": registration.get_status_display()},
            )
        registration.refresh_from_db()
        audit.record(actor, "programs.registration.approved", registration)
        _mail_on_commit(registration.pk, "confirmed")
    return registration


def reject_registration(*, actor, registration_id, reason=""):
    """The organiser declines a registration awaiting approval; its place passes to the next in line."""
    with transaction.atomic():
        registration = _registration_for_update(registration_id)
        permissions.require(actor, "programs.decide_registration", registration)
        now = _now()
        changed = Registration.objects.filter(pk=registration.pk, status=RegistrationStatus.PENDING).update(
            status=RegistrationStatus.REJECTED, ended_at=now
        )
        if not changed:
            raise Conflict(
                _("Only a registration awaiting approval can be declined; this one is %(status)s."),
                params={"status": registration.get_status_display()},
            )
        _offer_next(registration.program, now=now)
        registration.refresh_from_db()
        audit.record(actor, "programs.registration.rejected", registration, {"reason": reason})
        _mail_on_commit(registration.pk, "rejected")
    return registration


# --- attendance -------------------------------------------------------------------------------
def check_in(*, actor, session_id, token=None, code=None, registration_id=None, method=CheckInMethod.CODE):
    """Record that a registrant attended a session (QR token, typed code, or by hand from the list).

    Checking in twice, a code for another program or a registration without a confirmed place
    is refused with a message; nothing changes."""
    session = selectors.get_session(session_id)
    permissions.require(actor, "programs.check_in", session)
    registration = selectors.resolve_registration(token=token, code=code, registration_id=registration_id)
    if registration is None:
        raise NotFound(_("Registration %(id)s does not exist."), params={"id": registration_id})
    if registration.program_id != session.program_id:
        raise Conflict(
            _("%(name)s is registered for “%(other)s”, not for this program; nothing was recorded."),
            code="other_program",
            params={"name": registration.user.name, "other": registration.program.title},
        )
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(
            _("%(name)s has no confirmed place (the registration is %(status)s); nothing was recorded."),
            code="not_confirmed",
            params={"name": registration.user.name, "status": registration.get_status_display()},
        )
    previous = Attendance.objects.filter(registration=registration, session=session).first()
    if previous is not None:
        raise Conflict(
            _("%(name)s already checked in at %(time)s; nothing was changed."),
            code="already_checked_in",
            params={
                "name": registration.user.name,
                "time": timezone.localtime(previous.checked_in_at).strftime("%H:%M"),
            },
        )
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                registration=registration,
                session=session,
                checked_in_at=_now(),
                checked_in_by=actor,
                method=method,
            )
            audit.record(
                actor,
                "programs.attendance.checked_in",
                registration,
                {"session": session.pk, "method": method},
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s already checked in; nothing was changed."),
            code="already_checked_in",
            params={"name": registration.user.name},
        )
    return attendance


def undo_check_in(*, actor, attendance_id):
    """Remove an attendance recorded by mistake."""
    with transaction.atomic():
        attendance = (
            Attendance.objects.select_related("session__program", "registration")
            .filter(pk=attendance_id)
            .first()
        )
        if attendance is None:
            raise NotFound()
        permissions.require(actor, "programs.check_in", attendance.session)
        audit.record(
            actor, "programs.attendance.removed", attendance.registration, {"session": attendance.session_id}
        )
        attendance.delete()
    return attendance


# --- certificates -----------------------------------------------------------------------------
def issue_certificate(*, actor, registration_id):
    """Issue (once) the certificate of completion when attendance reaches the program's threshold."""
    with transaction.atomic():
        registration = _registration_for_update(registration_id)
        permissions.require(actor, "programs.issue_certificate", registration)
        existing = Certificate.objects.filter(registration=registration).first()
        if existing is not None:
            return existing
        attended, total = selectors.attendance_counts(registration)
        if not selectors.is_eligible_for_certificate(registration):
            raise Conflict(
                _(
                    "A certificate needs attendance of %(threshold)s%% of the sessions; "
                    "%(attended)s of %(total)s were attended."
                ),
                code="not_eligible",
                params={
                    "threshold": registration.program.completion_threshold,
                    "attended": attended,
                    "total": total,
                },
            )
        certificate = Certificate.objects.create(
            registration=registration,
            holder_name=registration.user.name or registration.user.email,
            program_title=registration.program.title,
            attended_sessions=attended,
            total_sessions=total,
            issued_at=_now(),
        )
        audit.record(actor, "programs.certificate.issued", certificate, {"registration": registration.pk})
    return certificate


def issue_certificates(*, actor, program_id):
    """Issue certificates to every confirmed registrant of a program whose attendance qualifies."""
    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise NotFound()
    permissions.require(actor, "programs.manage_program", program)
    issued = []
    for registration in program.registrations.filter(
        status=RegistrationStatus.CONFIRMED, certificate__isnull=True
    ):
        if selectors.is_eligible_for_certificate(registration):
            issued.append(issue_certificate(actor=actor, registration_id=registration.pk))
    return issued


# --- feedback ---------------------------------------------------------------------------------
def submit_feedback(*, actor, registration_id, rating, usefulness, comment=""):
    """A participant's feedback after the program (once per registration)."""
    registration = selectors.get_registration(registration_id)
    permissions.require(actor, "programs.submit_feedback", registration)
    errors = {}
    rating = _int(rating, "rating", errors, minimum=1, maximum=5)
    usefulness = _int(usefulness, "usefulness", errors, minimum=1, maximum=5)
    _raise(errors)
    if registration.status != RegistrationStatus.CONFIRMED or not registration.attendances.exists():
        raise Conflict(_("Feedback is asked of people who attended the program."), code="not_attended")
    first = registration.program.sessions.order_by("starts_at").first()
    if first is None or first.starts_at > _now():
        raise Conflict(_("Feedback opens once the program has started."), code="too_early")
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                registration=registration,
                rating=rating,
                usefulness=usefulness,
                comment=str(comment or "").strip(),
            )
            audit.record(actor, "programs.feedback.submitted", registration, {"rating": rating})
    except IntegrityError:
        raise Conflict(_("You already sent feedback for this program; thank you."), code="already_sent")
    return feedback


# --- calendar ---------------------------------------------------------------------------------
def renew_calendar_feed(*, actor):
    """Create (or replace) the actor's private calendar address; the old address stops working."""
    permissions.require(actor, "programs.create_calendar_feed")
    with transaction.atomic():
        feed, created = CalendarFeed.objects.get_or_create(user=actor)
        if not created:
            from .models import calendar_token

            feed.token = calendar_token()
            feed.save(update_fields=["token"])
        audit.record(actor, "programs.calendar_feed.renewed", feed)
    return feed


# --- knowledge base (기술공유) ------------------------------------------------------------------
def _clean_article(data, *, instance=None):
    errors, out = {}, {}
    for field in ("title", "summary", "body", "visibility"):
        if field in data:
            out[field] = str(data[field] or "").strip()
    if "title" in out or instance is None:
        if not out.get("title"):
            _add(errors, "title", _("Enter the article's title."))
    if "body" in out or instance is None:
        if not out.get("body"):
            _add(errors, "body", _("Write the article's text."))
    if "visibility" in out and out["visibility"] not in Visibility.values:
        _add(errors, "visibility", _("Choose who may read the article."))
    _raise(errors)
    return out


def _reindex_article(article):
    tags = " ".join(t.name for t in article.tags.all())
    search.index_object(
        selectors.ARTICLE_KIND,
        article.pk,
        name=article.title,
        body=f"{article.summary}\n{article.body}\n{tags}",
        is_public=article.visibility == Visibility.PUBLIC,
    )


def _set_article_tags(article, tags):
    from dongne.network.services import split_tags

    article.tags.set([ArticleTag.objects.get_or_create(name=name)[0] for name in split_tags(tags)])


def _store_version(article, actor):
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        summary=article.summary,
        body=article.body,
        editor=actor if actor and actor.is_authenticated else None,
    )


def create_article(*, actor, data):
    """Write a knowledge article (a private draft unless visibility says otherwise); version 1 is stored."""
    organisation = _organisation(data.get("organisation"), "organisation")
    permissions.require(actor, "programs.write_article")
    if organisation is not None:
        permissions.require(
            actor, "programs.manage_exhibit", organisation
        )  # writing on behalf of the organisation
    clean = _clean_article(data)
    clean.setdefault("visibility", Visibility.DRAFT)
    with transaction.atomic():
        article = Article.objects.create(author=actor, organisation=organisation, version=1, **clean)
        _set_article_tags(article, data.get("tags"))
        _store_version(article, actor)
        _reindex_article(article)
        audit.record(actor, "programs.article.created", article, {"visibility": article.visibility})
    return article


def update_article(*, actor, article_id, data):
    """Edit an article: every save becomes a new numbered version; earlier versions stay readable."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            raise NotFound()
        permissions.require(actor, "programs.change_article", article)
        clean = _clean_article(data, instance=article)
        for field, value in clean.items():
            setattr(article, field, value)
        article.version = F("version") + 1
        article.save()
        article.refresh_from_db()
        if "tags" in data:
            _set_article_tags(article, data["tags"])
        _store_version(article, actor)
        _reindex_article(article)
        audit.record(actor, "programs.article.updated", article, {"version": article.version})
    return article


def add_attachment(*, actor, article_id, title, file):
    """Attach a file (slides, code, a paper) to an article."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            raise NotFound()
        permissions.require(actor, "programs.change_article", article)
        attachment = ArticleAttachment.objects.create(
            article=article, title=str(title or "").strip() or file.name, file=file
        )
        audit.record(actor, "programs.article.attachment_added", article, {"title": attachment.title})
    return attachment


# --- online exhibition (온라인 전시관) ------------------------------------------------------------
def create_exhibit(*, actor, organisation_id, data):
    """Show a member's product or service in the online exhibition."""
    organisation = _organisation(organisation_id, "organisation")
    permissions.require(actor, "programs.manage_exhibit", organisation)
    errors = {}
    clean = {f: str(data.get(f) or "").strip() for f in ("title", "category", "description", "homepage")}
    for field, message in (
        ("title", _("Enter the exhibit's title.")),
        ("category", _("Choose or type a category.")),
        ("description", _("Describe the product or service.")),
    ):
        if not clean[field]:
            _add(errors, field, message)
    product = data.get("product")
    if product:
        product = organisation.products.filter(pk=getattr(product, "pk", product)).first()
        if product is None:
            _add(errors, "product", _("Choose one of the organisation's own products."))
    _raise(errors)
    with transaction.atomic():
        exhibit = Exhibit.objects.create(
            organisation=organisation,
            product=product or None,
            is_published=data.get("is_published", True),
            **clean,
        )
        audit.record(actor, "programs.exhibit.created", exhibit)
    return exhibit


def add_exhibit_image(*, actor, exhibit_id, image, caption=""):
    """Add a picture to an exhibit."""
    exhibit = Exhibit.objects.select_related("organisation").filter(pk=exhibit_id).first()
    if exhibit is None:
        raise NotFound()
    permissions.require(actor, "programs.manage_exhibit", exhibit.organisation)
    with transaction.atomic():
        picture = ExhibitImage.objects.create(
            exhibit=exhibit, image=image, caption=str(caption or "").strip()
        )
        audit.record(actor, "programs.exhibit.image_added", exhibit)
    return picture


def send_inquiry(*, actor, exhibit_id, name, email, message, ip_address=None, honeypot="", form_stamp=""):
    """A visitor's question to an exhibiting company: spam-checked (honeypot field, time since the
    form was shown) and rate-limited per IP address and per e-mail address."""
    exhibit = Exhibit.objects.select_related("organisation").filter(pk=exhibit_id).first()
    if exhibit is None:
        raise NotFound()
    permissions.require(actor, "programs.send_inquiry", exhibit)
    if honeypot:
        raise ValidationError(
            _("The inquiry could not be sent. Leave the hidden field empty and try again."), code="spam"
        )
    try:
        shown = signing.loads(form_stamp, salt="dongne.programs.inquiry", max_age=24 * 3600)
    except signing.BadSignature:
        raise ValidationError(
            _("The form has expired; reload the page and send the inquiry again."), code="spam"
        )
    if _now().timestamp() - shown < settings.PROGRAMS_INQUIRY_MIN_SECONDS:
        raise ValidationError(
            _("The form was sent too quickly after it was shown; wait a few seconds and send it again."),
            code="spam",
        )
    errors = {}
    name, email, message = (
        str(name or "").strip(),
        str(email or "").strip().lower(),
        str(message or "").strip(),
    )
    if not name:
        _add(errors, "name", _("Enter your name."))
    if "@" not in email:
        _add(errors, "email", _("Enter an e-mail address the company can answer."))
    if len(message) < 5:
        _add(errors, "message", _("Write your question (at least a few words)."))
    _raise(errors)
    from django.db.models import Q

    with transaction.atomic():
        Exhibit.objects.select_for_update().filter(
            pk=exhibit.pk
        ).first()  # serialise the count and the insert
        since = _now() - dt.timedelta(hours=1)
        recent = Inquiry.objects.filter(created_at__gte=since)
        recent = (
            recent.filter(Q(email=email) | Q(ip_address=ip_address))
            if ip_address
            else recent.filter(email=email)
        )
        if recent.count() >= settings.PROGRAMS_INQUIRY_LIMIT:
            raise RateLimited(
                _("Too many inquiries from you in the last hour (limit %(limit)s); please try again later."),
                params={"limit": settings.PROGRAMS_INQUIRY_LIMIT},
            )
        inquiry = Inquiry.objects.create(
            exhibit=exhibit, name=name, email=email, message=message, ip_address=ip_address
        )
        audit.record(actor, "programs.inquiry.sent", inquiry, {"exhibit": exhibit.pk})
        to = exhibit.organisation.email
        if to:
            transaction.on_commit(
                lambda: _send_plain(
                    f"[동네 전시관] 새 문의: {exhibit.title}", f"{name} <{email}>\n\n{message}", to
                )
            )
    return inquiry


def _send_plain(subject, body, to):
    from django.core.mail import send_mail

    send_mail(subject, body, None, [to])


def answer_inquiry(*, actor, inquiry_id, answer):
    """The exhibitor answers an inquiry; the visitor receives the answer by e-mail."""
    inquiry = Inquiry.objects.select_related("exhibit__organisation").filter(pk=inquiry_id).first()
    if inquiry is None:
        raise NotFound()
    permissions.require(actor, "programs.manage_exhibit", inquiry.exhibit.organisation)
    answer = str(answer or "").strip()
    if not answer:
        raise ValidationError.on("answer", _("Write the answer."))
    with transaction.atomic():
        inquiry.answer, inquiry.answered_at, inquiry.answered_by = answer, _now(), actor
        inquiry.save(update_fields=["answer", "answered_at", "answered_by"])
        audit.record(actor, "programs.inquiry.answered", inquiry)
        transaction.on_commit(
            lambda: _send_plain(
                f"[동네 전시관] {inquiry.exhibit.title} 답변",
                f"{inquiry.message}\n\n— {inquiry.exhibit.organisation.name}:\n{answer}",
                inquiry.email,
            )
        )
    return inquiry
