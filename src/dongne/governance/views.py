"""Pages for the secretariat (manage capital, meetings, polls, officers, reports) and for members (own capital
statement, polls, impact figures). Writes call services; a refused write comes back as a message through
core.middleware.DomainErrorMiddleware (nothing was changed)."""

import csv
import io

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dongne.core import permissions
from dongne.core.errors import ValidationError
from dongne.core.pagination import paginate
from dongne.core.pdf import render_pdf
from dongne.core.views import _form_errors
from dongne.network.models import Affiliation, Organisation

from . import selectors, services
from .choices import BallotType, OfficerRole, Outcome
from .forms import (
    AnnualReportForm,
    AttendanceForm,
    BoardAttendanceForm,
    CooperativeForm,
    ExpulsionNoticeForm,
    ImpactForm,
    MeetingForm,
    MinutesForm,
    OfficerForm,
    PaymentForm,
    PollForm,
    RefundForm,
    ResolutionForm,
    ReverseForm,
    SubscribeForm,
    TransferForm,
)
from .models import AnnualReport, Minutes, Officer


def _invalid(request, form):
    messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()})


def index(request):
    user = request.user
    if not permissions.can(user, "governance.view_meeting"):
        # The public side of governance is the disclosure (경영공시); the rest is for members and officers
        # (a partner institution's contact is signed in but not a member).
        return redirect("governance:reports")
    officer = permissions.is_officer(user)
    my_members = selectors.represented_members(user)
    now = timezone.now()
    return render(
        request,
        "governance/index.html",
        {
            "officer": officer,
            "secretariat": permissions.is_secretariat(user),
            "warnings": selectors.warnings() if officer else [],
            "totals": selectors.capital_totals() if officer else None,
            "my_members": my_members,
            "open_polls": selectors.polls(user).filter(opens_at__lte=now, closes_at__gt=now),
            "meetings": selectors.meetings(user)[:5],
            "reports": AnnualReport.objects.exclude(published_on=None)
            if not officer
            else AnnualReport.objects.all(),
        },
    )


# --- capital ------------------------------------------------------------------------------------------
CAPITAL_FORMS = {
    "subscribe": SubscribeForm,
    "pay": PaymentForm,
    "transfer": TransferForm,
    "refund": RefundForm,
    "reverse": ReverseForm,
}


@login_required
def capital(request):
    accounts = selectors.accounts(request.user)
    return render(
        request,
        "governance/capital.html",
        {
            "accounts": accounts,
            "totals": selectors.capital_totals(),
            "problems": selectors.reconcile(),
            "page": paginate(request, selectors.ledger(request.user)),
            "can_record": permissions.can(request.user, "governance.record_capital"),
            "forms": {name: cls(prefix=name) for name, cls in CAPITAL_FORMS.items()},
            "settings_form": CooperativeForm(
                prefix="coop",
                initial={
                    f: getattr(selectors.cooperative(), f)
                    for f in ("name", "share_price", "fiscal_year_start_month")
                },
            )
            if permissions.can(request.user, "governance.manage_cooperative")
            else None,
        },
    )


@login_required
@require_POST
def cooperative_settings(request):
    form = CooperativeForm(request.POST, prefix="coop")
    if form.is_valid():
        services.update_cooperative(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The cooperative's settings were saved."))
    else:
        _invalid(request, form)
    return redirect("governance:capital")


@login_required
@require_POST
def capital_action(request, action):
    if action not in CAPITAL_FORMS:
        raise Http404
    form = CAPITAL_FORMS[action](request.POST, prefix=action)
    if not form.is_valid():
        _invalid(request, form)
        return redirect("governance:capital")
    d = form.cleaned_data
    actor = request.user
    if action == "subscribe":
        services.subscribe_capital(
            actor=actor, subscriptions=[(d["organisation"], d["shares"])], on=d["on"], note=d["note"]
        )
    elif action == "pay":
        services.record_payment(
            actor=actor, organisation_id=d["organisation"], amount=d["amount"], on=d["on"], note=d["note"]
        )
    elif action == "transfer":
        services.transfer_shares(
            actor=actor,
            from_organisation_id=d["from_organisation"],
            to_organisation_id=d["to_organisation"],
            shares=d["shares"],
            on=d["on"],
            note=d["note"],
        )
    elif action == "refund":
        services.refund_capital(actor=actor, organisation_id=d["organisation"], on=d["on"], note=d["note"])
    else:
        services.reverse_entry(actor=actor, entry_id=d["entry"], on=d["on"], note=d["note"])
    messages.success(request, _("The ledger entry was recorded."))
    return redirect("governance:capital")


@login_required
def statement(request, organisation_id=None):
    if organisation_id is None:
        organisation_id = selectors.represented_member_id(request.user)
        if organisation_id is None:
            raise Http404
    return render(
        request, "governance/statement.html", {"s": selectors.statement(request.user, organisation_id)}
    )


def _csv_text(value):
    # A cell starting with = + - @ would run as a formula when the register is opened in Excel.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@login_required
def register_export(request, fmt):
    rows = selectors.register_rows(request.user)
    header = selectors.REGISTER_HEADER
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([_csv_text(value) for value in row] for row in rows)
        response = HttpResponse(
            ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("조합원명부")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="member-register.{fmt}"'
    return response


# --- meetings -------------------------------------------------------------------------------------------
@login_required
def meetings(request):
    can_manage = permissions.can(request.user, "governance.manage_meeting")
    form = MeetingForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        permissions.require(request.user, "governance.manage_meeting")
        if form.is_valid():
            d = form.cleaned_data
            try:
                meeting = services.schedule_meeting(
                    actor=request.user,
                    kind=d["kind"],
                    title=d["title"],
                    purpose=d["purpose"],
                    scheduled_at=d["scheduled_at"],
                    place=d["place"],
                    items=form.items(),
                    notice_on=d["notice_on"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The meeting was convened and its notice recorded."))
                return redirect("governance:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "governance/meetings.html",
        {"page": paginate(request, selectors.meetings(request.user)), "form": form},
    )


def _people_for(meeting):
    day = timezone.localdate(meeting.scheduled_at)
    officers = selectors.officers_on(day).select_related("user")
    directors = [o.user for o in officers if o.role in (OfficerRole.CHAIR, OfficerRole.DIRECTOR)]
    return day, directors


@login_required
def meeting_detail(request, pk):
    meeting = selectors.get_meeting(request.user, pk)
    day, directors = _people_for(meeting)
    can_manage = permissions.can(request.user, "governance.manage_meeting")
    attendance = selectors.attendance_summary(meeting)
    members = Organisation.objects.filter(membership__in=selectors.members_on(day))
    present_reps = []
    if meeting.is_general:
        orgs = attendance["rows"].filter(proxy_kind="").values_list("organisation_id", flat=True)
        for a in Affiliation.objects.filter(
            organisation_id__in=orgs, is_representative=True, person__user__isnull=False
        ).select_related("person__user", "organisation"):
            present_reps.append((a.person.user, f"{a.person.user.name} · {a.organisation.name}"))
    presiding_choices = directors or [request.user]
    minutes = Minutes.objects.filter(meeting=meeting).first()
    my_signer = (
        minutes.signers.filter(user=request.user, confirmed_at__isnull=True).first() if minutes else None
    )
    items = list(meeting.items.select_related("subject"))
    return render(
        request,
        "governance/meeting_detail.html",
        {
            "meeting": meeting,
            "items": items,
            "attendance": attendance,
            "can_manage": can_manage and meeting.status == "noticed",
            "attendance_open": not any(i.outcome for i in items),
            "attendance_form": AttendanceForm(members=members, prefix="att")
            if meeting.is_general
            else BoardAttendanceForm(directors=directors, prefix="att"),
            "resolution_forms": {
                i.pk: ResolutionForm(
                    prefix=f"item{i.pk}",
                    presiding_choices=presiding_choices,
                    initial={"presiding": meeting.presiding_id},
                )
                for i in items
            },
            "expulsion_forms": {
                i.pk: ExpulsionNoticeForm(prefix=f"exp{i.pk}")
                for i in items
                if i.special_matter == "expulsion"
            },
            "minutes_form": MinutesForm(signer_choices=present_reps, prefix="min")
            if meeting.is_general
            else None,
            "minutes": minutes,
            "signers": minutes.signers.select_related("user") if minutes else [],
            "my_signer": my_signer,
            "Outcome": Outcome,
        },
    )


@login_required
@require_POST
def meeting_attendance(request, pk):
    meeting = selectors.get_meeting(request.user, pk)
    if meeting.is_general:
        form = AttendanceForm(
            request.POST, prefix="att", members=Organisation.objects.filter(membership__isnull=False)
        )
    else:
        form = BoardAttendanceForm(request.POST, prefix="att", directors=get_user_model().objects.all())
    if form.is_valid():
        d = form.cleaned_data
        services.record_attendance(
            actor=request.user,
            meeting_id=meeting.pk,
            organisation_id=d.get("organisation"),
            user_id=d.get("user"),
            proxy_kind=d.get("proxy_kind") or "",
            proxy_member_id=d.get("proxy_member"),
            proxy_name=d.get("proxy_name") or "",
            authority=d.get("authority") or "",
        )
        messages.success(request, _("Attendance recorded."))
    else:
        _invalid(request, form)
    return redirect("governance:meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def item_resolve(request, pk, item_pk):
    form = ResolutionForm(
        request.POST, prefix=f"item{item_pk}", presiding_choices=get_user_model().objects.all()
    )
    if form.is_valid():
        d = form.cleaned_data
        item = services.record_resolution(
            actor=request.user,
            item_id=item_pk,
            votes_for=d["votes_for"] or 0,
            votes_against=d["votes_against"] or 0,
            votes_abstain=d["votes_abstain"] or 0,
            presiding_id=d["presiding"],
        )
        messages.success(request, item.explanation or item.get_outcome_display())
    else:
        _invalid(request, form)
    return redirect("governance:meeting_detail", pk=pk)


@login_required
@require_POST
def item_expulsion(request, pk, item_pk):
    form = ExpulsionNoticeForm(request.POST, prefix=f"exp{item_pk}")
    if form.is_valid():
        services.record_expulsion_notice(actor=request.user, item_id=item_pk, **form.cleaned_data)
        messages.success(request, _("The notice and the hearing were recorded."))
    else:
        _invalid(request, form)
    return redirect("governance:meeting_detail", pk=pk)


@login_required
@require_POST
def minutes_draft(request, pk):
    signers = request.POST.getlist("min-signers")
    services.draft_minutes(actor=request.user, meeting_id=pk, signer_user_ids=signers)
    messages.success(request, _("The minutes were drafted; the signers can now confirm them."))
    return redirect("governance:meeting_detail", pk=pk)


@login_required
@require_POST
def minutes_confirm(request, pk):
    minutes = Minutes.objects.filter(meeting_id=pk).first()
    if minutes is None:
        raise Http404
    services.confirm_minutes(actor=request.user, minutes_id=minutes.pk)
    messages.success(request, _("You signed the minutes."))
    return redirect("governance:meeting_detail", pk=pk)


@login_required
def minutes_pdf(request, pk):
    meeting = selectors.get_meeting(request.user, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        raise Http404
    pdf = render_pdf(
        "governance/minutes_pdf.html",
        {"meeting": meeting, "minutes": minutes, "signers": minutes.signers.select_related("user")},
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}.pdf"'
    return response


# --- polls --------------------------------------------------------------------------------------------
@login_required
def polls(request):
    can_manage = permissions.can(request.user, "governance.manage_poll")
    form = PollForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        permissions.require(request.user, "governance.manage_poll")
        if form.is_valid():
            d = form.cleaned_data
            try:
                poll = services.create_poll(
                    actor=request.user,
                    title=d["title"],
                    description=d["description"],
                    kind=d["kind"],
                    ballot_type=d["ballot_type"],
                    secret=d["secret"],
                    options=d["options"].splitlines(),
                    opens_at=d["opens_at"],
                    closes_at=d["closes_at"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return redirect("governance:poll_detail", pk=poll.pk)
    return render(
        request,
        "governance/polls.html",
        {"page": paginate(request, selectors.polls(request.user)), "form": form},
    )


@login_required
def poll_detail(request, pk):
    poll = selectors.get_poll(pk)
    results = selectors.poll_results(request.user, poll)
    member_id = selectors.represented_member_id(request.user)
    return render(
        request,
        "governance/poll_detail.html",
        {
            "poll": poll,
            "options": poll.options.all(),
            "results": results,
            "is_open": poll.is_open(),
            "can_vote": member_id is not None
            and poll.is_open()
            and not selectors.has_voted(request.user, poll),
            "has_voted": selectors.has_voted(request.user, poll),
            "ranked": poll.ballot_type == BallotType.RANKED,
            "ranks": range(1, poll.options.count() + 1),
            "can_manage": permissions.can(request.user, "governance.manage_poll"),
        },
    )


@login_required
@require_POST
def poll_vote(request, pk):
    poll = selectors.get_poll(pk)
    if poll.ballot_type == BallotType.RANKED:
        ranking = [v for v in (request.POST.get(f"rank{n}") for n in range(1, poll.options.count() + 1)) if v]
        services.cast_vote(actor=request.user, poll_id=pk, ranking=ranking)
    else:
        services.cast_vote(actor=request.user, poll_id=pk, option=request.POST.get("option"))
    messages.success(request, _("Your member's vote was recorded."))
    return redirect("governance:poll_detail", pk=pk)


@login_required
@require_POST
def poll_close(request, pk):
    services.close_poll(actor=request.user, poll_id=pk)
    messages.success(request, _("The poll is closed."))
    return redirect("governance:poll_detail", pk=pk)


# --- officers -----------------------------------------------------------------------------------------
@login_required
def officers(request):
    permissions.require(request.user, "governance.view_meeting")
    can_manage = permissions.can(request.user, "governance.manage_officers")
    form = (
        OfficerForm(
            request.POST or None,
            users=get_user_model().objects.filter(is_active=True),
            meetings=selectors.meetings(request.user).filter(items__kind="election").distinct(),
        )
        if can_manage
        else None
    )
    if request.method == "POST":
        permissions.require(request.user, "governance.manage_officers")
        if form.is_valid():
            try:
                d = dict(form.cleaned_data)
                services.appoint_officer(
                    actor=request.user, user_id=d.pop("user"), elected_at_id=d.pop("elected_at"), **d
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The officer was recorded."))
                return redirect("governance:officers")
    today = timezone.localdate()
    return render(
        request,
        "governance/officers.html",
        {
            "current": selectors.officers_on(today).select_related("user").order_by("role", "term_end"),
            "history": Officer.objects.select_related("user").order_by("-term_start")[:50],
            "warnings": selectors.board_warnings(today),
            "expiring": selectors.expiring_terms(today),
            "form": form,
        },
    )


# --- disclosure ---------------------------------------------------------------------------------------
def reports(request):
    """Published disclosures for everyone (제96조의2); drafts and the forms for officers and members."""
    can_manage = permissions.can(request.user, "governance.manage_report")
    form = AnnualReportForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        permissions.require(request.user, "governance.manage_report")
        if form.is_valid():
            try:
                report = services.save_annual_report(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("The annual report was saved."))
                return redirect("governance:report_detail", year=report.year)
    visible = [
        r for r in AnnualReport.objects.all() if permissions.can(request.user, "governance.view_report", r)
    ]
    my_members = selectors.represented_members(request.user)
    impact_orgs = (
        Organisation.objects.filter(membership__isnull=False)
        if permissions.is_secretariat(request.user)
        else my_members
    )
    return render(
        request,
        "governance/reports.html",
        {
            "reports": visible,
            "form": form,
            "impact_form": ImpactForm(organisations=impact_orgs, prefix="impact")
            if impact_orgs.exists()
            else None,
        },
    )


@login_required
@require_POST
def impact_report(request):
    form = ImpactForm(
        request.POST, prefix="impact", organisations=Organisation.objects.filter(membership__isnull=False)
    )
    if form.is_valid():
        d = form.cleaned_data
        services.report_impact(
            actor=request.user, organisation_id=d.pop("organisation"), year=d.pop("year"), figures=d
        )
        messages.success(request, _("Your figures were saved. Thank you."))
    else:
        _invalid(request, form)
    return redirect("governance:reports")


def _report_context(request, year):
    report = AnnualReport.objects.filter(year=year).first()
    if report is None:
        raise Http404
    permissions.require(request.user, "governance.view_report", report)
    return selectors.annual_report_context(year)


def report_detail(request, year):
    context = _report_context(request, year)
    context["can_manage"] = permissions.can(request.user, "governance.manage_report")
    return render(request, "governance/report_detail.html", context)


def report_pdf(request, year):
    pdf = render_pdf("governance/report_pdf.html", _report_context(request, year), request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="annual-report-{year}.pdf"'
    return response


@login_required
@require_POST
def report_publish(request, year):
    services.publish_annual_report(actor=request.user, year=year)
    messages.success(request, _("The %(year)s disclosure is published.") % {"year": year})
    return redirect("governance:report_detail", year=year)


@login_required
def log(request):
    result = services.verify_log(actor=request.user)
    from .models import LogEntry

    return render(
        request,
        "governance/log.html",
        {"result": result, "page": paginate(request, LogEntry.objects.order_by("-seq"))},
    )
