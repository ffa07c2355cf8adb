"""Spaces pages: the complex (floor plan by status), facilities and booking, applications and scoring,
leases and the charges ledger, reports. POSTs call services; domain errors come back as messages
(core.middleware)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dongne.core import permissions, uploads
from dongne.core.errors import Conflict, ValidationError
from dongne.core.views import _form_errors

from . import selectors, services
from .choices import ApplicationStatus, UnitType
from .forms import (
    WEEKDAYS,
    ApplicationForm,
    BookingForm,
    BuildingForm,
    FacilityForm,
    FacilityRulesForm,
    FloorForm,
    UnitEditForm,
    UnitForm,
)
from .models import ApplicationDocument, Charge, Lease, Rubric, TenancyApplication, Unit


def _member_orgs(user):
    return [
        o
        for o in selectors.represented_organisations(user).select_related("membership")
        if selectors.active_member_company(o)
    ]


def index(request):
    user = request.user
    context = {
        "grid": selectors.unit_grid(),
        "counts": selectors.unit_counts(),
        "occupancy": selectors.occupancy_over_time(months=1)[-1] if Unit.objects.exists() else None,
        "facilities": selectors.facilities(),
        "is_officer": permissions.is_officer(user),
        "is_secretariat": permissions.can(user, "spaces.manage_spaces"),
        "my_bookings": selectors.bookings_for(user)[:10] if user.is_authenticated else [],
        "my_applications": TenancyApplication.objects.filter(
            organisation__in=selectors.represented_organisations(user).values("pk")
        )
        if user.is_authenticated
        else [],
        "can_apply": bool(_member_orgs(user)) if user.is_authenticated else False,
        "report_year": timezone.localdate().year - 1,
        "my_leases": Lease.objects.filter(
            organisation__in=selectors.represented_organisations(user).values("pk")
        ).select_related("unit__floor__building")
        if user.is_authenticated
        else [],
    }
    return render(request, "spaces/index.html", context)


def _parse_day(value):
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def facility_detail(request, pk):
    facility = selectors.get_facility(pk)
    day = _parse_day(request.GET.get("date") or request.POST.get("date"))
    user = request.user
    staff = permissions.is_secretariat(user)
    organisations = _member_orgs(user) if user.is_authenticated and not staff else []
    if staff:
        from dongne.network.models import Organisation

        organisations = [
            o for o in Organisation.objects.select_related("membership") if selectors.active_member_company(o)
        ]
    form = BookingForm(
        request.POST or None,
        facility=facility,
        organisations=organisations,
        staff=staff,
        initial={"date": day, "weeks": 1},
    )
    if request.method == "POST":
        if not user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            data = form.cleaned_data
            start = timezone.make_aware(
                dt.datetime.combine(data["date"], dt.time.fromisoformat(data["start"]))
            )
            end = start + dt.timedelta(minutes=int(data["duration"]))
            org_id = data.get("organisation") or None
            try:
                if data["weeks"] > 1:
                    series = services.book_recurring(
                        actor=user,
                        facility_id=facility.pk,
                        start=start,
                        end=end,
                        occurrences=data["weeks"],
                        title=data["title"],
                        organisation_id=org_id,
                    )
                    messages.success(
                        request,
                        _("Booked %(facility)s for %(weeks)s weeks.")
                        % {"facility": facility.name, "weeks": series.occurrences},
                    )
                else:
                    services.book_facility(
                        actor=user,
                        facility_id=facility.pk,
                        start=start,
                        end=end,
                        title=data["title"],
                        organisation_id=org_id,
                    )
                    messages.success(
                        request,
                        _("Booked %(facility)s on %(slot)s.")
                        % {"facility": facility.name, "slot": f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"},
                    )
                return redirect(f"{request.path}?date={data['date']:%Y-%m-%d}")
            except ValidationError as exc:
                _form_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.render())
                if isinstance(exc.errors, list):
                    for row in exc.errors:
                        form.add_error(None, f"{row['slot']}: {' '.join(row['messages'])}")
    context = {
        "facility": facility,
        "day": day,
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "slots": selectors.availability(facility, day),
        "form": form,
        "my_bookings": [b for b in selectors.bookings_for(user) if b.facility_id == facility.pk]
        if user.is_authenticated
        else [],
    }
    return render(request, "spaces/facility_detail.html", context)


def facility_ics(request, pk):
    """iCalendar feed of a facility's bookings (from 30 days back): who holds the room, not why."""
    from icalendar import Calendar, Event

    facility = selectors.get_facility(pk)
    cal = Calendar()
    cal.add("prodid", "-//Dongne//spaces//KO")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", facility.name)
    cal.add("x-wr-timezone", timezone.get_current_timezone_name())
    since = timezone.now() - dt.timedelta(days=30)
    host = request.get_host()
    for booking in selectors.facility_bookings(facility, since=since):
        event = Event()
        event.add("uid", f"spaces-booking-{booking.pk}@{host}")
        event.add("dtstamp", booking.created_at)
        event.add("dtstart", booking.start)
        event.add("dtend", booking.end)
        event.add("summary", booking.organisation.name if booking.organisation else _("Secretariat"))
        event.add("location", f"{facility.building.name} {facility.name}")
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="facility-{facility.pk}.ics"'
    return response


@login_required
@require_POST
def cancel_booking(request, pk):
    booking = services.cancel_booking(actor=request.user, booking_id=pk)
    messages.success(request, _("Booking cancelled; the slot is free again."))
    day = timezone.localtime(booking.start).date()
    return redirect(f"{reverse('spaces:facility', args=[booking.facility_id])}?date={day:%Y-%m-%d}")


# --- applications --------------------------------------------------------------------------------------
@login_required
def applications(request):
    user = request.user
    officer = permissions.is_officer(user)
    context = {
        "applications": selectors.applications(user).order_by("-created_at"),
        "rankings": [(t, label, selectors.ranking(t)) for t, label in UnitType.choices] if officer else [],
        "waiting": [(label, selectors.waiting_list(t)[t]) for t, label in UnitType.choices],
        "is_officer": officer,
        "is_secretariat": permissions.is_secretariat(user),
        "rubric": Rubric.objects.filter(is_current=True).prefetch_related("criteria").first(),
    }
    return render(request, "spaces/applications.html", context)


@login_required
def application_new(request):
    organisations = _member_orgs(request.user)
    if permissions.is_secretariat(request.user):
        from dongne.network.models import Organisation

        organisations = [
            o for o in Organisation.objects.select_related("membership") if selectors.active_member_company(o)
        ]
    form = ApplicationForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        document = data.pop("document")
        org_id = data.pop("organisation")
        try:
            application = services.apply_for_tenancy(
                actor=request.user,
                organisation_id=org_id,
                documents=[(document.name, document)] if document else [],
                **data,
            )
            messages.success(request, _("Application submitted."))
            return redirect("spaces:application", pk=application.pk)
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(request, "spaces/application_form.html", {"form": form, "can_apply": bool(organisations)})


@login_required
def application_detail(request, pk):
    application = selectors.get_application(request.user, pk)
    user = request.user
    criteria = list(application.rubric.criteria.all())
    scores = list(application.scores.select_related("reviewer", "criterion"))
    mine = {s.criterion_id: s.score for s in scores if s.reviewer_id == user.pk}
    can_review = permissions.can(user, "spaces.review_application", application)
    reviewers = {}
    for s in scores:
        reviewers.setdefault(s.reviewer, {})[s.criterion_id] = s.score
    context = {
        "application": application,
        "criteria": [(c, mine.get(c.pk, "")) for c in criteria],
        "reviewers": [(r, [row.get(c.pk, "") for c in criteria]) for r, row in reviewers.items()]
        if can_review
        else [],
        "score": selectors.application_score(application),
        "can_review": can_review and application.status == ApplicationStatus.SUBMITTED,
        "can_decide": permissions.can(user, "spaces.decide_application", application)
        and application.status == ApplicationStatus.SUBMITTED,
        "can_lease": permissions.can(user, "spaces.manage_leases")
        and application.status == ApplicationStatus.APPROVED,
        "free_units": Unit.objects.filter(unit_type=application.unit_type, status="available").select_related(
            "floor__building"
        ),
        "documents": application.documents.all(),
    }
    return render(request, "spaces/application_detail.html", context)


@login_required
@require_POST
def application_score(request, pk):
    scores = {k.removeprefix("criterion_"): v for k, v in request.POST.items() if k.startswith("criterion_")}
    services.score_application(
        actor=request.user, application_id=pk, scores=scores, comment=request.POST.get("comment", "")
    )
    messages.success(request, _("Scores saved."))
    return redirect("spaces:application", pk=pk)


@login_required
@require_POST
def application_decide(request, pk):
    approve = request.POST.get("decision") == "approve"
    services.decide_application(
        actor=request.user, application_id=pk, approve=approve, note=request.POST.get("note", "")
    )
    messages.success(request, _("Decision recorded."))
    return redirect("spaces:application", pk=pk)


@login_required
@require_POST
def application_lease(request, pk):
    application = selectors.get_application(request.user, pk)
    lease = services.sign_lease(
        actor=request.user,
        unit_id=request.POST.get("unit"),
        organisation_id=application.organisation_id,
        starts_on=request.POST.get("starts_on"),
        years=request.POST.get("years") or application.term_years,
        application_id=application.pk,
    )
    messages.success(request, _("Lease signed."))
    return redirect("spaces:lease", pk=lease.pk)


@login_required
def application_document(request, pk):
    document = get_object_or_404(ApplicationDocument, pk=pk)
    selectors.get_application(request.user, document.application_id)  # 404 unless allowed
    return uploads.file_response(document.file)


# --- leases --------------------------------------------------------------------------------------------
@login_required
def leases(request):
    permissions.require(request.user, "spaces.view_reports")
    qs = Lease.objects.select_related("unit__floor__building", "organisation").order_by("unit", "starts_on")
    return render(request, "spaces/leases.html", {"leases": qs, "arrears": selectors.arrears_by_tenant()})


@login_required
def lease_detail(request, pk):
    lease = get_object_or_404(Lease.objects.select_related("unit__floor__building", "organisation"), pk=pk)
    permissions.require(request.user, "spaces.view_lease", lease)
    today = timezone.localdate()
    context = {
        "lease": lease,
        "charges": lease.charges.prefetch_related("payments"),
        "checks": selectors.renewal_checks(lease),
        "can_manage": permissions.can(request.user, "spaces.manage_leases", lease),
        "today": today,
        "outstanding": sum(c.outstanding for c in lease.charges.filter(due_on__lt=today)),
    }
    return render(request, "spaces/lease_detail.html", context)


@login_required
@require_POST
def lease_action(request, pk, action):
    post = request.POST
    if action == "move_in":
        services.record_move_in(
            actor=request.user, lease_id=pk, on=post.get("on"), notes=post.get("notes", "")
        )
    elif action == "move_out":
        services.record_move_out(
            actor=request.user, lease_id=pk, on=post.get("on"), notes=post.get("notes", "")
        )
    elif action == "renew":
        services.renew_lease(actor=request.user, lease_id=pk, years=post.get("years") or 3)
    elif action == "pay":
        charge = get_object_or_404(Charge, pk=post.get("charge"), lease_id=pk)
        services.record_payment(
            actor=request.user,
            charge_id=charge.pk,
            amount=post.get("amount"),
            paid_on=post.get("paid_on") or None,
            reference=post.get("reference", ""),
        )
    else:
        raise Http404
    messages.success(request, _("Saved."))
    return redirect("spaces:lease", pk=pk)


# --- reports -------------------------------------------------------------------------------------------
@login_required
def reports(request):
    permissions.require(request.user, "spaces.view_reports")
    context = {
        "occupancy": selectors.occupancy_over_time(months=12),
        "revenue": selectors.revenue_by_month(months=12),
        "arrears": selectors.arrears_by_tenant(),
        "usage": selectors.facility_usage(months=3),
        "waiting": [(label, selectors.waiting_list(t)[t]) for t, label in UnitType.choices],
    }
    return render(request, "spaces/reports.html", context)


@login_required
def rubric(request):
    """The secretariat sets the scoring rubric: one criterion a line, "name | weight | highest score"."""
    permissions.require(request.user, "spaces.set_rubric")
    current = Rubric.objects.filter(is_current=True).prefetch_related("criteria").first()
    if request.method == "POST":
        criteria = []
        for line in request.POST.get("criteria", "").splitlines():
            parts = [p.strip() for p in line.split("|")]
            if not parts[0]:
                continue
            criteria.append(
                {
                    "name": parts[0],
                    "weight": parts[1] if len(parts) > 1 else "",
                    "max_score": parts[2] if len(parts) > 2 else 10,
                }
            )
        services.set_rubric(actor=request.user, title=request.POST.get("title", ""), criteria=criteria)
        messages.success(request, _("The new rubric applies to applications submitted from now on."))
        return redirect("spaces:applications")
    lines = (
        "\n".join(f"{c.name} | {c.weight} | {c.max_score}" for c in current.criteria.all()) if current else ""
    )
    return render(request, "spaces/rubric.html", {"current": current, "lines": lines})


@login_required
@require_POST
def activity_report(request):
    """A tenant's representative (or the secretariat) submits the yearly activity report."""
    services.report_activity(
        actor=request.user,
        organisation_id=request.POST.get("organisation"),
        year=request.POST.get("year"),
        summary=request.POST.get("summary", ""),
        employees=request.POST.get("employees") or None,
    )
    messages.success(request, _("Activity report saved."))
    return redirect("spaces:index")


# --- complex setup (secretariat) -------------------------------------------------------------------------
def _setup_page(request, buildings=None, **bound):
    """The setup page; a form sent back with errors replaces the blank one of its kind."""
    buildings = list(selectors.complex_setup()) if buildings is None else buildings
    floors = [f for b in buildings for f in b.floors.all()]
    for b in buildings:
        for facility in b.facilities.all():
            facility.weekday_names = " ".join(str(label) for d, label in WEEKDAYS if d in facility.weekdays)
    forms = {
        "building_form": BuildingForm(prefix="building"),
        "floor_form": FloorForm(prefix="floor", buildings=buildings),
        "unit_form": UnitForm(prefix="unit", floors=floors),
        "facility_form": FacilityForm(prefix="facility", buildings=buildings),
    }
    forms.update(bound)
    return render(request, "spaces/setup.html", {"buildings": buildings, **forms})


def _back_to_setup(kind, obj):
    """Back to the setup page, scrolled to the row that was added or changed."""
    return redirect(f"{reverse('spaces:setup')}#{kind}-{obj.pk}")


def _require_setup(request):
    permissions.require(request.user, "spaces.manage_spaces")


@login_required
def setup(request):
    """Complex setup: buildings → floors → units, and the shared facilities, with the forms that add them."""
    _require_setup(request)
    return _setup_page(request)


@login_required
@require_POST
def setup_building(request):
    _require_setup(request)
    form = BuildingForm(request.POST, prefix="building")
    if form.is_valid():
        try:
            building = services.create_building(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Building %(name)s added.") % {"name": building.name})
            return _back_to_setup("building", building)
    return _setup_page(request, building_form=form)


@login_required
def setup_building_edit(request, pk):
    """Edit a building's name, address and description."""
    _require_setup(request)
    building = selectors.get_building(pk)
    initial = {"name": building.name, "address": building.address, "description": building.description}
    form = BuildingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            building = services.update_building(
                actor=request.user, building_id=building.pk, data=form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Building %(name)s saved.") % {"name": building.name})
            return _back_to_setup("building", building)
    return render(request, "spaces/building_edit.html", {"building": building, "form": form})


@login_required
@require_POST
def setup_floor(request):
    _require_setup(request)
    buildings = list(selectors.complex_setup())
    form = FloorForm(request.POST, prefix="floor", buildings=buildings)
    if form.is_valid():
        data = form.cleaned_data
        try:
            floor = services.create_floor(
                actor=request.user, building_id=data["building"], number=data["number"], name=data["name"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Floor %(floor)s added.") % {"floor": floor})
            return _back_to_setup("floor", floor)
    return _setup_page(request, buildings=buildings, floor_form=form)


@login_required
@require_POST
def setup_unit(request):
    _require_setup(request)
    buildings = list(selectors.complex_setup())
    floors = [f for b in buildings for f in b.floors.all()]
    form = UnitForm(request.POST, prefix="unit", floors=floors)
    if form.is_valid():
        data = dict(form.cleaned_data)
        floor_id = data.pop("floor")
        try:
            unit = services.create_unit(actor=request.user, floor_id=floor_id, data=data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Unit %(unit)s added.") % {"unit": unit.code})
            return _back_to_setup("unit", unit)
    return _setup_page(request, buildings=buildings, unit_form=form)


@login_required
def setup_unit_edit(request, pk):
    """Edit a unit's number, type, area, desks, rent, maintenance fee and amenities; signed leases keep the rent
    and fee they were signed at, so their charges stay as they are."""
    _require_setup(request)
    unit = selectors.get_unit(pk)
    initial = {
        "code": unit.code,
        "unit_type": unit.unit_type,
        "area_m2": unit.area_m2,
        "desks": unit.desks,
        "monthly_rent": unit.monthly_rent,
        "maintenance_fee": unit.maintenance_fee,
        "amenities": ", ".join(unit.amenities or []),
    }
    form = UnitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.update_unit(actor=request.user, unit_id=unit.pk, data=form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Unit %(unit)s saved.") % {"unit": unit.code})
            return _back_to_setup("unit", unit)
    return render(request, "spaces/unit_edit.html", {"unit": unit, "form": form})


@login_required
@require_POST
def setup_unit_availability(request, pk):
    """Take a free unit out of service or put it back (a unit under lease is refused with the reason)."""
    _require_setup(request)
    available = request.POST.get("available") == "1"
    unit = services.set_unit_availability(actor=request.user, unit_id=pk, available=available)
    if available:
        messages.success(request, _("Unit %(unit)s is available again.") % {"unit": unit.code})
    else:
        messages.success(request, _("Unit %(unit)s is out of service.") % {"unit": unit.code})
    return _back_to_setup("unit", unit)


@login_required
@require_POST
def setup_facility(request):
    _require_setup(request)
    buildings = list(selectors.complex_setup())
    form = FacilityForm(request.POST, prefix="facility", buildings=buildings)
    if form.is_valid():
        try:
            facility = services.create_facility(
                actor=request.user, building_id=form.cleaned_data["building"], data=form.service_data()
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Facility %(name)s added.") % {"name": facility.name})
            return _back_to_setup("facility", facility)
    return _setup_page(request, buildings=buildings, facility_form=form)


@login_required
def setup_facility_edit(request, pk):
    """Edit a facility's booking rules; bookings already made stay as they are."""
    _require_setup(request)
    facility = selectors.get_facility(pk)
    initial = {
        "name": facility.name,
        "kind": facility.kind,
        "capacity": facility.capacity,
        "description": facility.description,
        "opens_at": facility.opens_at,
        "closes_at": facility.closes_at,
        "weekdays": list(facility.weekdays),
        "max_minutes": facility.max_minutes,
        "audience": facility.audience,
        "is_active": facility.is_active,
    }
    form = FacilityRulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_facility(actor=request.user, facility_id=facility.pk, data=form.service_data())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The rules of %(name)s were saved.") % {"name": facility.name})
            return _back_to_setup("facility", facility)
    return render(request, "spaces/facility_edit.html", {"facility": facility, "form": form})
