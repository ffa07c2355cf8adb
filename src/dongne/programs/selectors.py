"""Read queries of programs. Visibility rules live here so that every page, feed and API agrees."""

from django.core import signing
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core import permissions, search
from dongne.core.errors import NotFound, ValidationError

from . import rules
from .choices import ACTIVE_STATUSES, ProgramStatus, RegistrationStatus, Visibility
from .models import (
    Article,
    Attendance,
    CalendarFeed,
    Certificate,
    Exhibit,
    Feedback,
    Program,
    Registration,
    Session,
)

ARTICLE_KIND = "programs.article"
CHECKIN_SALT = "dongne.programs.checkin"


def _not_found(what, pk):
    return NotFound(_("%(what)s %(id)s does not exist."), params={"what": what, "id": pk})


# --- programs ---------------------------------------------------------------------------------
def visible_programs(actor):
    """Published and cancelled programs for everyone; drafts only for those who manage them."""
    qs = Program.objects.select_related("organiser")
    if permissions.is_secretariat(actor):
        return qs
    public = ~Q(status=ProgramStatus.DRAFT)
    if not permissions.is_authenticated(actor):
        return qs.filter(public)
    from dongne.network.models import Affiliation

    represented = Affiliation.objects.filter(
        person__user=actor, is_representative=True, organisation=OuterRef("organiser")
    )
    return qs.filter(public | Q(staff=actor) | Q(Exists(represented))).distinct()


def program_list(actor, *, kind="", when=""):
    qs = visible_programs(actor).prefetch_related("sessions", "co_hosts")
    if kind:
        qs = qs.filter(kind=kind)
    now = timezone.now()
    if when == "upcoming":
        qs = qs.filter(sessions__ends_at__gte=now).distinct()
    elif when == "past":
        qs = qs.exclude(sessions__ends_at__gte=now)
    return qs.order_by("-id")


def get_program(actor, program_id):
    try:
        return (
            visible_programs(actor)
            .prefetch_related("sessions", "co_hosts", "questions", "staff")
            .get(pk=program_id)
        )
    except (Program.DoesNotExist, ValueError, TypeError):
        raise _not_found(_("Program"), program_id)


def program_for_update(program_id):
    try:
        return Program.objects.select_for_update().get(pk=program_id)
    except (Program.DoesNotExist, ValueError, TypeError):
        raise _not_found(_("Program"), program_id)


def get_session(session_id):
    try:
        return Session.objects.select_related("program").get(pk=session_id)
    except (Session.DoesNotExist, ValueError, TypeError):
        raise _not_found(_("Session"), session_id)


def get_registration(registration_id):
    try:
        return Registration.objects.select_related("program", "user").get(pk=registration_id)
    except (Registration.DoesNotExist, ValueError, TypeError):
        raise _not_found(_("Registration"), registration_id)


def live_registration(actor, program):
    """The actor's current registration for ``program`` (None when they have none)."""
    if not permissions.is_authenticated(actor):
        return None
    return Registration.objects.filter(program=program, user=actor, status__in=ACTIVE_STATUSES).first()


def waitlist(program):
    return Registration.objects.filter(program=program, status=RegistrationStatus.WAITLISTED).order_by("id")


def waitlist_position(registration):
    """1 for the first in line; None when not on the waiting list."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return waitlist(registration.program_id).filter(id__lt=registration.pk).count() + 1


def program_registrations(actor, program):
    permissions.require(actor, "programs.manage_program", program)
    return (
        Registration.objects.filter(program=program)
        .select_related("user")
        .prefetch_related("answers__question")
        .annotate(attended=Count("attendances"))
        .order_by("id")
    )


def my_registrations(actor):
    if not permissions.is_authenticated(actor):
        return Registration.objects.none()
    return (
        Registration.objects.filter(user=actor)
        .select_related("program")
        .prefetch_related("program__sessions")
        .annotate(attended=Count("attendances"))
        .order_by("-id")
    )


def session_attendance(session):
    return (
        Attendance.objects.filter(session=session)
        .select_related("registration__user")
        .order_by("checked_in_at")
    )


def attendance_counts(registration):
    total = registration.program.sessions.count()
    attended = registration.attendances.count()
    return attended, total


def is_eligible_for_certificate(registration):
    attended, total = attendance_counts(registration)
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and total > 0
        and attended * 100 >= registration.program.completion_threshold * total
    )


def verify_certificate(code):
    """The certificate with this code, or None. Codes are compared case-insensitively, dashes optional."""
    raw = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    if len(raw) != 16:
        return None
    formatted = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    return Certificate.objects.select_related("registration__program").filter(code=formatted).first()


def feedback_results(actor, program):
    permissions.require(actor, "programs.view_feedback", program)
    rows = list(Feedback.objects.filter(registration__program=program).order_by("-created_at"))
    count = len(rows)

    def average(field):
        return round(sum(getattr(r, field) for r in rows) / count, 2) if count else None

    distribution = {score: sum(1 for r in rows if r.rating == score) for score in range(1, 6)}
    return {
        "count": count,
        "rating": average("rating"),
        "usefulness": average("usefulness"),
        "distribution": distribution,
        "comments": [r.comment for r in rows if r.comment.strip()],
    }


def feed_for_token(token):
    feed = CalendarFeed.objects.select_related("user").filter(token=str(token or "")).first()
    if feed is None or not feed.user.is_active:
        raise NotFound(
            _("This calendar address is unknown or was replaced; copy the new one from your page.")
        )
    return feed


def sessions_for_calendar(programs):
    return (
        Session.objects.filter(program__in=programs)
        .exclude(program__status=ProgramStatus.DRAFT)
        .select_related("program")
        .order_by("starts_at")
    )


def person_calendar_sessions(user):
    programs = Program.objects.filter(
        registrations__user=user,
        registrations__status__in=[
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.PENDING,
            RegistrationStatus.OFFERED,
        ],
    )
    return sessions_for_calendar(programs)


def organisation_programs(organisation):
    return Program.objects.filter(Q(organiser=organisation) | Q(co_hosts=organisation)).distinct()


# --- knowledge base ---------------------------------------------------------------------------
def visible_articles(actor):
    qs = Article.objects.select_related("author", "organisation").prefetch_related("tags")
    if not permissions.is_authenticated(actor):
        return qs.filter(visibility=Visibility.PUBLIC)
    if permissions.is_secretariat(actor):
        return qs
    from dongne.network.models import Affiliation

    represented = Affiliation.objects.filter(
        person__user=actor, is_representative=True, organisation=OuterRef("organisation")
    )
    return qs.filter(
        Q(visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS]) | Q(author=actor) | Q(Exists(represented))
    )


def article_list(actor, *, q="", tag=""):
    """Articles for lists and search: drafts only ever appear to their own author."""
    qs = visible_articles(actor)
    if permissions.is_authenticated(actor):
        qs = qs.filter(~Q(visibility=Visibility.DRAFT) | Q(author=actor))
    if tag:
        qs = qs.filter(tags__name=tag)
    if q:
        ids = search.search_ids(ARTICLE_KIND, q, public_only=not permissions.is_authenticated(actor))
        return search.Ranked(qs, ids)
    return qs.order_by("-updated_at", "-id")


def get_article(actor, article_id):
    try:
        article = visible_articles(actor).get(pk=article_id)
    except (Article.DoesNotExist, ValueError, TypeError):
        raise _not_found(_("Article"), article_id)
    if not rules._view_article(actor, article):
        raise _not_found(_("Article"), article_id)
    return article


# --- exhibition -------------------------------------------------------------------------------
def visible_exhibits(actor, *, category="", q=""):
    qs = Exhibit.objects.select_related("organisation", "product").prefetch_related("images")
    qs = (
        qs.filter(is_published=True, organisation__is_public=True)
        if not permissions.is_authenticated(actor)
        else qs.filter(is_published=True)
    )
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(organisation__name__icontains=q)
        )
    return qs


def exhibit_categories():
    return list(
        Exhibit.objects.filter(is_published=True)
        .values_list("category", flat=True)
        .distinct()
        .order_by("category")
    )


def get_exhibit(actor, exhibit_id):
    qs = Exhibit.objects.select_related("organisation", "product").prefetch_related("images")
    try:
        exhibit = qs.get(pk=exhibit_id)
    except (Exhibit.DoesNotExist, ValueError, TypeError):
        raise _not_found(_("Exhibit"), exhibit_id)
    if not exhibit.is_published and not permissions.can(
        actor, "programs.manage_exhibit", exhibit.organisation
    ):
        raise _not_found(_("Exhibit"), exhibit_id)
    return exhibit


def exhibitor_inquiries(actor, exhibit):
    permissions.require(actor, "programs.manage_exhibit", exhibit.organisation)
    return exhibit.inquiries.select_related("answered_by").order_by("-created_at", "-id")


def checkin_token(registration):
    """The signed token in a registration's QR code (the registration's code, signed)."""
    return signing.dumps(registration.code, salt=CHECKIN_SALT)


def resolve_registration(*, token=None, code=None, registration_id=None):
    """The registration named by a QR token (signed code), a typed code, or an id."""
    if token:
        try:
            code = signing.loads(token, salt=CHECKIN_SALT)
        except signing.BadSignature:
            raise ValidationError.on("code", _("This QR code is not valid (it was altered or is not ours)."))
    if registration_id:
        return Registration.objects.select_related("program", "user").filter(pk=registration_id).first()
    code = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    if not code:
        raise ValidationError.on("code", _("Enter the code printed under the QR code."))
    registration = Registration.objects.select_related("program", "user").filter(code=code).first()
    if registration is None:
        raise ValidationError.on(
            "code", _("No registration has the code %(code)s; check it and try again."), params={"code": code}
        )
    return registration


def inquiry_form_stamp():
    """The signed time a visitor's inquiry form was shown (for the bot time check)."""
    return signing.dumps(int(timezone.now().timestamp()), salt="dongne.programs.inquiry")


# --- participation statistics (for the annual report) -----------------------------------------
def _year_registrations(year):
    qs = Registration.objects.filter(program__status=ProgramStatus.PUBLISHED)
    if year:
        qs = qs.filter(program__sessions__starts_at__year=year).distinct()
    return qs


def participation_by_program(actor, *, year=None):
    """Per program: places, confirmed, waiting, attended at least once, certificates, feedback average."""
    permissions.require(actor, "programs.view_statistics")
    programs = Program.objects.exclude(status=ProgramStatus.DRAFT)
    if year:
        programs = programs.filter(sessions__starts_at__year=year).distinct()
    confirmed = Q(registrations__status=RegistrationStatus.CONFIRMED)
    from django.db.models import Avg

    rows = programs.annotate(
        confirmed=Count("registrations", filter=confirmed, distinct=True),
        waiting=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED), distinct=True
        ),
        attended=Count("registrations", filter=Q(registrations__attendances__isnull=False), distinct=True),
        certificates=Count("registrations__certificate", distinct=True),
        rating=Avg("registrations__feedback__rating"),
    ).order_by("-id")
    return list(rows)


def participation_by_member(actor, *, year=None):
    """Per member organisation (through its people's accounts): registrations, attendances, certificates."""
    permissions.require(actor, "programs.view_statistics")
    from dongne.network.models import Affiliation

    links = Affiliation.objects.filter(person__user__isnull=False).values_list(
        "person__user_id", "organisation_id", "organisation__name"
    )
    by_user = {}
    for user_id, org_id, org_name in links:
        by_user.setdefault(user_id, []).append((org_id, org_name))
    regs = (
        _year_registrations(year)
        .filter(status=RegistrationStatus.CONFIRMED, user_id__in=by_user)
        .annotate(sessions_attended=Count("attendances", distinct=True))
        .values_list("user_id", "program_id", "sessions_attended", "certificate__id")
    )
    table = {}
    for user_id, program_id, attended, certificate_id in regs:
        for org_id, org_name in by_user[user_id]:
            row = table.setdefault(
                org_id,
                {
                    "organisation_id": org_id,
                    "organisation": org_name,
                    "people": set(),
                    "programs": set(),
                    "registrations": 0,
                    "sessions_attended": 0,
                    "certificates": 0,
                },
            )
            row["people"].add(user_id)
            row["programs"].add(program_id)
            row["registrations"] += 1
            row["sessions_attended"] += attended
            row["certificates"] += 1 if certificate_id else 0
    out = []
    for row in table.values():
        row["people"], row["programs"] = len(row["people"]), len(row["programs"])
        out.append(row)
    return sorted(out, key=lambda r: (-r["registrations"], r["organisation"]))


def annual_participation(actor, year):
    """Totals for the annual report (governance): programs held, participants, attendances, certificates."""
    permissions.require(actor, "programs.view_statistics")
    return participation_totals(year)


def participation_totals(year):
    """The year's totals as counts only (no person named), so the published annual report may show them."""
    regs = _year_registrations(year).filter(status=RegistrationStatus.CONFIRMED)
    return {
        "year": year,
        "programs": Program.objects.filter(status=ProgramStatus.PUBLISHED, sessions__starts_at__year=year)
        .distinct()
        .count(),
        "participants": regs.values("user").distinct().count(),
        "registrations": regs.count(),
        "attendances": Attendance.objects.filter(registration__in=regs).count(),
        "certificates": Certificate.objects.filter(registration__in=regs).count(),
    }


def knowledge_profile_texts(org_ids):
    """{organisation id: [title and text of its published knowledge articles]}: registered with
    opportunities.selectors.register_profile_source, so what a member shares counts in matching. Drafts stay out."""
    out = {}
    articles = Article.objects.filter(
        organisation_id__in=org_ids, visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS]
    ).values_list("organisation_id", "title", "summary", "body")
    for org_id, title, summary, body in articles:
        out.setdefault(org_id, []).append(f"{title} {summary} {body}")
    return out
