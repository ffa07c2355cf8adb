import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dongne.core import permissions, uploads
from dongne.core.errors import Conflict, ValidationError
from dongne.core.pagination import paginate
from dongne.core.pdf import render_pdf
from dongne.core.views import _form_errors
from dongne.network.models import Organisation

from . import calendars, selectors, services
from .choices import ProgramKind, RegistrationStatus
from .forms import (
    AnswerForm,
    ArticleForm,
    CheckInForm,
    ExhibitForm,
    FeedbackForm,
    InquiryForm,
    ProgramForm,
    QuestionForm,
    RegistrationForm,
    SessionForm,
    VerifyForm,
)

DOOR_KEY = "programs_door_session"


def index(request):
    kind = request.GET.get("kind", "")
    when = request.GET.get("when", "")
    page = paginate(request, selectors.program_list(request.user, kind=kind, when=when))
    return render(
        request,
        "programs/index.html",
        {
            "page": page,
            "kind": kind,
            "when": when,
            "kinds": ProgramKind.choices,
            "can_create": permissions.is_authenticated(request.user)
            and (permissions.is_secretariat(request.user) or _represented(request.user).exists()),
        },
    )


def _represented(user):
    from dongne.network.selectors import represented_organisations

    return represented_organisations(user)


def program_detail(request, pk):
    program = selectors.get_program(request.user, pk)
    registration = selectors.live_registration(request.user, program)
    manages = permissions.can(request.user, "programs.manage_program", program)
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "sessions": program.sessions.all(),
            "registration": registration,
            "position": selectors.waitlist_position(registration) if registration else None,
            "form": RegistrationForm(questions=program.questions.all()),
            "manages": manages,
            "session_form": SessionForm() if manages else None,
            "question_form": QuestionForm() if manages else None,
            "Status": RegistrationStatus,
        },
    )


@login_required
def program_create(request):
    form = ProgramForm(request.POST or None)
    session_form = SessionForm(request.POST or None, prefix="session")
    if not permissions.is_secretariat(request.user):
        form.fields["organiser"].queryset = _represented(request.user)
        form.fields["organiser"].required = True
    if request.method == "POST" and form.is_valid() and session_form.is_valid():
        try:
            program = services.create_program(
                actor=request.user, data=form.cleaned_data, sessions=[session_form.cleaned_data]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The program was created as a draft; publish it when ready."))
            return redirect("programs:program_detail", pk=program.pk)
    return render(request, "programs/program_form.html", {"form": form, "session_form": session_form})


@login_required
def program_edit(request, pk):
    program = selectors.get_program(request.user, pk)
    permissions.require(request.user, "programs.manage_program", program)
    form = ProgramForm(request.POST or None, initial=ProgramForm.initial_for(program))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_program(actor=request.user, program_id=program.pk, data=form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The program was saved."))
            return redirect("programs:program_detail", pk=program.pk)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@login_required
def session_edit(request, session_id):
    """Change a session's time, place, link or speakers; registrants keep their registration."""
    session = selectors.get_session(session_id)
    permissions.require(request.user, "programs.manage_program", session.program)
    initial = {f: getattr(session, f) for f in ("title", "place", "online_url", "speakers")}
    initial.update(
        starts_at=timezone.localtime(session.starts_at), ends_at=timezone.localtime(session.ends_at)
    )
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(actor=request.user, session_id=session.pk, data=form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("programs:program_detail", pk=session.program_id)
    return render(request, "programs/session_form.html", {"form": form, "session": session})


@login_required
@require_POST
def session_remove(request, session_id):
    session = selectors.get_session(session_id)
    services.remove_session(actor=request.user, session_id=session.pk)  # refused once someone checked in
    messages.success(request, _("The session was removed."))
    return redirect("programs:program_detail", pk=session.program_id)


@login_required
@require_POST
def program_action(request, pk, action):
    if action == "publish":
        services.publish_program(actor=request.user, program_id=pk)
        messages.success(request, _("The program is published and open for registration."))
    elif action == "cancel":
        services.cancel_program(actor=request.user, program_id=pk, reason=request.POST.get("reason", ""))
        messages.success(request, _("The program was cancelled."))
    elif action == "session":
        form = SessionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Check the session: %(errors)s") % {"errors": form.errors.as_text()})
        else:
            services.add_session(actor=request.user, program_id=pk, data=form.cleaned_data)
            messages.success(request, _("The session was added."))
    elif action == "question":
        form = QuestionForm(request.POST)
        if form.is_valid():
            services.add_question(actor=request.user, program_id=pk, **form.cleaned_data)
            messages.success(request, _("The question was added."))
    elif action == "certificates":
        issued = services.issue_certificates(actor=request.user, program_id=pk)
        messages.success(request, _("Certificates issued: %(count)s.") % {"count": len(issued)})
        return redirect("programs:registrations", pk=pk)
    return redirect("programs:program_detail", pk=pk)


@login_required
@require_POST
def register(request, pk):
    program = selectors.get_program(request.user, pk)
    form = RegistrationForm(request.POST, questions=program.questions.all())
    if not form.is_valid():
        messages.error(
            request, _("Answer the required questions: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("programs:program_detail", pk=pk)
    try:
        registration = services.register(actor=request.user, program_id=pk, answers=form.answers())
    except (
        Conflict,
        ValidationError,
    ) as exc:  # already registered, window closed: say so on the program page
        messages.error(request, exc.render())
        return redirect("programs:program_detail", pk=pk)
    if registration.status == RegistrationStatus.WAITLISTED:
        messages.success(
            request,
            _("The program is full; you are number %(n)s on the waiting list.")
            % {"n": selectors.waitlist_position(registration)},
        )
    elif registration.status == RegistrationStatus.PENDING:
        messages.success(request, _("Your registration was received and awaits the organiser's approval."))
    else:
        messages.success(
            request, _("You are registered. A confirmation with a calendar file was e-mailed to you.")
        )
    return redirect("programs:my_registrations")


@login_required
@require_POST
def registration_action(request, registration_id, action):
    if action == "cancel":
        services.cancel_registration(actor=request.user, registration_id=registration_id)
        messages.success(request, _("The registration was cancelled."))
    elif action == "confirm":
        services.confirm_offer(actor=request.user, registration_id=registration_id)
        messages.success(request, _("Your place is confirmed."))
    elif action == "approve":
        services.approve_registration(actor=request.user, registration_id=registration_id)
        messages.success(request, _("Approved."))
    elif action == "reject":
        services.reject_registration(actor=request.user, registration_id=registration_id)
        messages.success(request, _("Declined; the place passes to the waiting list."))
    elif action == "checkin":
        attendance = services.check_in(
            actor=request.user,
            session_id=request.POST.get("session"),
            registration_id=registration_id,
            method="list",
        )
        messages.success(request, _("%(name)s is checked in.") % {"name": attendance.registration.user.name})
    target = request.POST.get("next") or ""
    if target.startswith("/programs/"):
        return redirect(target)
    return redirect("programs:my_registrations")


def _qr(request, registration):
    """The check-in URL (a signed token) and its QR code as inline SVG."""
    url = request.build_absolute_uri(
        reverse("programs:checkin_qr", args=[selectors.checkin_token(registration)])
    )
    return url, segno.make(url, error="m").svg_inline(scale=4, title=registration.code)


@login_required
def my_registrations(request):
    regs = list(selectors.my_registrations(request.user))
    rows = [
        {
            "registration": r,
            "position": selectors.waitlist_position(r),
            "qr": _qr(request, r) if r.status == RegistrationStatus.CONFIRMED else None,
            "eligible": selectors.is_eligible_for_certificate(r),
            "certificate": getattr(r, "certificate", None) if hasattr(r, "certificate") else None,
        }
        for r in regs
    ]
    feed = (
        getattr(request.user, "program_calendar", None) if hasattr(request.user, "program_calendar") else None
    )
    feed_url = (
        request.build_absolute_uri(reverse("programs:person_calendar", args=[feed.token])) if feed else ""
    )
    return render(request, "programs/my_registrations.html", {"rows": rows, "feed_url": feed_url})


@login_required
def registrations(request, pk):
    program = selectors.get_program(request.user, pk)
    regs = selectors.program_registrations(request.user, program)
    sessions = list(program.sessions.all())
    attended = {
        (a.registration_id, a.session_id)
        for a in selectors.Attendance.objects.filter(session__program=program).only("registration", "session")
    }
    rows = [{"registration": r, "sessions": [(s, (r.pk, s.pk) in attended) for s in sessions]} for r in regs]
    return render(
        request,
        "programs/registrations.html",
        {
            "program": program,
            "rows": rows,
            "sessions": sessions,
            "Status": RegistrationStatus,
            "show_contact": permissions.can(request.user, "programs.view_participant_contacts", program),
        },
    )


# --- check-in at the door ---------------------------------------------------------------------
@login_required
def door(request, session_id):
    """The phone page at the door: type a code, or scan a QR code (the camera opens its URL)."""
    session = selectors.get_session(session_id)
    permissions.require(request.user, "programs.check_in", session)
    request.session[DOOR_KEY] = session.pk
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attendance = services.check_in(
                actor=request.user, session_id=session.pk, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s is checked in.") % {"name": attendance.registration.user.name}
            )
            return redirect("programs:door", session_id=session.pk)
    return render(
        request,
        "programs/door.html",
        {"session": session, "form": form, "attendance": selectors.session_attendance(session)[:20]},
    )


@login_required
def checkin_qr(request, token):
    """Where a scanned QR code lands: shows who it is and checks them in to the door's session."""
    session_id = request.POST.get("session") or request.session.get(DOOR_KEY)
    session = selectors.get_session(session_id) if session_id else None
    if request.method == "POST" and session is not None:
        attendance = services.check_in(actor=request.user, session_id=session.pk, token=token, method="qr")
        messages.success(request, _("%(name)s is checked in.") % {"name": attendance.registration.user.name})
        return redirect("programs:door", session_id=session.pk)
    registration = selectors.resolve_registration(token=token)
    if session is None:
        sessions = registration.program.sessions.all()
    else:
        sessions = [session]
    for s in sessions:
        permissions.require(request.user, "programs.check_in", s)
    return render(
        request,
        "programs/checkin_qr.html",
        {"registration": registration, "sessions": sessions, "door_session": session, "token": token},
    )


# --- certificates -----------------------------------------------------------------------------
@login_required
def certificate_pdf(request, registration_id):
    certificate = services.issue_certificate(actor=request.user, registration_id=registration_id)
    verify_url = settings.SITE_URL + reverse("programs:verify") + "?code=" + certificate.code
    pdf = render_pdf(
        "programs/pdf/certificate.html",
        {"certificate": certificate, "program": certificate.registration.program, "verify_url": verify_url},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


def verify(request):
    form = VerifyForm(request.GET or None)
    certificate = None
    checked = False
    if form.is_valid():
        checked = True
        certificate = selectors.verify_certificate(form.cleaned_data["code"])
    return render(
        request,
        "programs/verify.html",
        {"form": form, "certificate": certificate, "checked": checked},
        status=404 if checked and certificate is None else 200,
    )


# --- feedback ---------------------------------------------------------------------------------
@login_required
def feedback(request, registration_id):
    registration = selectors.get_registration(registration_id)
    permissions.require(request.user, "programs.submit_feedback", registration)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.submit_feedback(actor=request.user, registration_id=registration.pk, **form.cleaned_data)
        messages.success(request, _("Thank you for your feedback."))
        return redirect("programs:my_registrations")
    return render(request, "programs/feedback.html", {"form": form, "registration": registration})


@login_required
def feedback_results(request, pk):
    program = selectors.get_program(request.user, pk)
    results = selectors.feedback_results(request.user, program)
    return render(request, "programs/feedback_results.html", {"program": program, "results": results})


# --- calendars --------------------------------------------------------------------------------
def _ics(name, sessions, filename):
    response = HttpResponse(
        calendars.calendar_bytes(name, sessions), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def program_calendar(request, pk):
    program = selectors.get_program(request.user, pk)
    return _ics(program.title, selectors.sessions_for_calendar([program]), f"program-{program.pk}.ics")


def organisation_calendar(request, organisation_id):
    from dongne.network.selectors import get_organisation

    org = get_organisation(request.user, organisation_id)
    programs = selectors.organisation_programs(org)
    return _ics(org.name, selectors.sessions_for_calendar(programs), f"organisation-{org.pk}.ics")


def person_calendar(request, token):
    feed = selectors.feed_for_token(token)
    return _ics(_("My programs"), selectors.person_calendar_sessions(feed.user), "my-programs.ics")


@login_required
@require_POST
def calendar_renew(request):
    services.renew_calendar_feed(actor=request.user)
    messages.success(
        request, _("Your private calendar address is ready; the old one, if any, stopped working.")
    )
    return redirect("programs:my_registrations")


# --- knowledge base ---------------------------------------------------------------------------
def knowledge(request):
    q = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "").strip()
    page = paginate(request, selectors.article_list(request.user, q=q, tag=tag))
    return render(request, "programs/knowledge.html", {"page": page, "q": q, "tag": tag})


def article_detail(request, article_id):
    article = selectors.get_article(request.user, article_id)
    return render(
        request,
        "programs/article_detail.html",
        {
            "article": article,
            "can_edit": permissions.can(request.user, "programs.change_article", article),
            "versions": article.versions.select_related("editor"),
            "shown_version": _shown_version(request, article),
        },
    )


def _shown_version(request, article):
    number = request.GET.get("version")
    if not number:
        return None
    return article.versions.filter(number=number).first()


@login_required
def article_edit(request, article_id=None):
    article = selectors.get_article(request.user, article_id) if article_id else None
    if article is not None:
        permissions.require(request.user, "programs.change_article", article)
    initial = (
        {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "visibility": article.visibility,
            "tags": ", ".join(t.name for t in article.tags.all()),
        }
        if article
        else {"visibility": "draft"}
    )
    form = ArticleForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        organisations=_represented(request.user) if article is None else Organisation.objects.none(),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
        if article is not None:
            data.pop("organisation", None)
        try:
            if article is None:
                article = services.create_article(actor=request.user, data=data)
            else:
                article = services.update_article(actor=request.user, article_id=article.pk, data=data)
            if form.cleaned_data.get("attachment"):
                upload = form.cleaned_data["attachment"]
                services.add_attachment(
                    actor=request.user, article_id=article.pk, title=upload.name, file=upload
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The article was saved (version %(n)s).") % {"n": article.version})
            return redirect("programs:article_detail", article_id=article.pk)
    return render(request, "programs/article_form.html", {"form": form, "article": article})


def attachment_download(request, attachment_id):
    from django.http import Http404

    from .models import ArticleAttachment

    attachment = ArticleAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    selectors.get_article(
        request.user, attachment.article_id
    )  # the article's visibility applies to its files
    return uploads.file_response(attachment.file)


# --- online exhibition ------------------------------------------------------------------------
def exhibition(request):
    category = request.GET.get("category", "")
    q = request.GET.get("q", "").strip()
    page = paginate(request, selectors.visible_exhibits(request.user, category=category, q=q))
    return render(
        request,
        "programs/exhibition.html",
        {
            "page": page,
            "category": category,
            "q": q,
            "categories": selectors.exhibit_categories(),
            "represented": _represented(request.user) if request.user.is_authenticated else [],
        },
    )


def _client_ip(request):
    from dongne.core.ratelimit import client_ip  # honours a trusted proxy's X-Forwarded-For

    return client_ip(request) or None


def exhibit_detail(request, exhibit_id):
    exhibit = selectors.get_exhibit(request.user, exhibit_id)
    form = InquiryForm(request.POST or None, initial={"stamp": selectors.inquiry_form_stamp()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.send_inquiry(
                actor=request.user,
                exhibit_id=exhibit.pk,
                name=data["name"],
                email=data["email"],
                message=data["message"],
                ip_address=_client_ip(request),
                honeypot=data["website"],
                form_stamp=data["stamp"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("Your inquiry was sent to %(name)s.") % {"name": exhibit.organisation.name}
            )
            return redirect("programs:exhibit_detail", exhibit_id=exhibit.pk)
    if request.method == "POST":
        form.data = form.data.copy()
        form.data["stamp"] = selectors.inquiry_form_stamp()
    manages = permissions.can(request.user, "programs.manage_exhibit", exhibit.organisation)
    return render(
        request,
        "programs/exhibit_detail.html",
        {
            "exhibit": exhibit,
            "form": form,
            "manages": manages,
            "inquiries": selectors.exhibitor_inquiries(request.user, exhibit) if manages else [],
            "answer_form": AnswerForm(),
        },
    )


@login_required
def exhibit_create(request, organisation_id):
    from dongne.network.selectors import get_organisation

    org = get_organisation(request.user, organisation_id)
    permissions.require(request.user, "programs.manage_exhibit", org)
    form = ExhibitForm(request.POST or None, request.FILES or None, organisation=org)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "image"}
        try:
            exhibit = services.create_exhibit(actor=request.user, organisation_id=org.pk, data=data)
            if form.cleaned_data.get("image"):
                services.add_exhibit_image(
                    actor=request.user, exhibit_id=exhibit.pk, image=form.cleaned_data["image"]
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("programs:exhibit_detail", exhibit_id=exhibit.pk)
    return render(request, "programs/exhibit_form.html", {"form": form, "org": org})


@login_required
@require_POST
def inquiry_answer(request, inquiry_id):
    form = AnswerForm(request.POST)
    inquiry = services.answer_inquiry(
        actor=request.user, inquiry_id=inquiry_id, answer=form.data.get("answer", "")
    )
    messages.success(request, _("The answer was e-mailed to %(email)s.") % {"email": inquiry.email})
    return redirect("programs:exhibit_detail", exhibit_id=inquiry.exhibit_id)


# --- statistics -------------------------------------------------------------------------------
@login_required
def statistics(request):

    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if request.GET.get("format") == "csv":
        return _statistics_csv(request.user, year)
    return render(
        request,
        "programs/statistics.html",
        {
            "year": year,
            "totals": selectors.annual_participation(request.user, year),
            "programs": selectors.participation_by_program(request.user, year=year),
            "members": selectors.participation_by_member(request.user, year=year),
        },
    )


def exhibit_image(request, image_id):
    """An exhibit's picture, served only while the exhibit may be seen (media is not served directly)."""
    from django.http import Http404

    from .models import ExhibitImage

    picture = ExhibitImage.objects.filter(pk=image_id).first()
    if picture is None:
        raise Http404
    selectors.get_exhibit(request.user, picture.exhibit_id)
    response = uploads.file_response(picture.image)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _statistics_csv(user, year):
    """Participation per member as CSV with a BOM (Korean Excel opens it correctly)."""
    import csv

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="programs-participation-{year}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Organisation"),
            _("People"),
            _("Programs"),
            _("Registrations"),
            _("Sessions attended"),
            _("Certificates"),
        ]
    )
    for row in selectors.participation_by_member(user, year=year):
        writer.writerow(
            [
                row["organisation"],
                row["people"],
                row["programs"],
                row["registrations"],
                row["sessions_attended"],
                row["certificates"],
            ]
        )
    return response
