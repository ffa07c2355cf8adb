from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from dongne.core import permissions, uploads
from dongne.core.errors import NotFound, ValidationError
from dongne.core.pagination import paginate
from dongne.core.views import _form_errors

from . import imports, selectors, services
from .choices import MembershipStatus
from .forms import (
    ApplyForm,
    DateReasonForm,
    DecisionForm,
    DirectoryFilterForm,
    ImportForm,
    MouActivityForm,
    MouDocumentForm,
    MouForm,
    OrganisationForm,
    PersonForm,
    ProductForm,
)
from .models import MouDocument


def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    results = selectors.directory(request.user, **{k: v or "" for k, v in filters.items()})
    page = paginate(request, results)
    template = "network/_directory_results.html" if request.htmx else "network/directory.html"
    return render(request, template, {"form": form, "page": page, "query": filters.get("q", "")})


def organisation_detail(request, pk):
    org = selectors.get_organisation(request.user, pk)
    membership = getattr(org, "membership", None) if hasattr(org, "membership") else None
    can_view_membership = membership is not None and permissions.can(
        request.user, "network.view_membership", membership
    )
    people = [(a, selectors.contact_visible(request.user, a.person)) for a in org.affiliations.all()]
    return render(
        request,
        "network/organisation_detail.html",
        {
            "org": org,
            "membership": membership if can_view_membership else None,
            "events": membership.events.select_related("actor") if can_view_membership else [],
            "people": people,
            "mous": selectors.visible_mous(request.user).filter(partner=org),
            "can_edit": permissions.can(request.user, "network.change_organisation", org),
            "can_apply": (membership is None or membership.status in services.TRANSITIONS["reapply"][0])
            and permissions.can(request.user, "network.apply_membership", org),
            "can_decide": membership is not None
            and permissions.can(request.user, "network.decide_membership", membership),
            "can_end": membership is not None
            and permissions.can(request.user, "network.end_membership", membership),
            "can_withdraw": membership is not None
            and permissions.can(request.user, "network.request_withdrawal", membership),
            "can_manage_people": permissions.can(request.user, "network.manage_people", org),
            # Forms that share a page get their own id prefixes, so every label and help text
            # points at the field of its own form (ids must be unique on a page).
            "decision_form": DecisionForm(),
            "reject_form": DecisionForm(auto_id="id_reject_%s"),
            "expel_form": DecisionForm(auto_id="id_expel_%s"),
            "date_form": DateReasonForm(),
            "apply_form": ApplyForm(),
            "person_form": PersonForm(),
            "product_form": ProductForm(auto_id="id_product_%s"),
            "Status": MembershipStatus,
        },
    )


@login_required
def organisation_create(request):
    permissions.require(request.user, "network.create_organisation")
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_organisation(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:  # field problems go back onto the form
            _form_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was registered.") % {"name": org.name})
            return redirect("network:organisation_detail", pk=org.pk)
    return render(request, "network/organisation_form.html", {"form": form})


@login_required
def organisation_edit(request, pk):
    org = selectors.get_organisation(request.user, pk)
    permissions.require(request.user, "network.change_organisation", org)
    admin = permissions.can(request.user, "network.change_organisation_admin_fields", org)
    form = OrganisationForm(request.POST or None, initial=OrganisationForm.initial_for(org), admin=admin)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organisation(actor=request.user, organisation_id=org.pk, data=form.cleaned_data)
        except ValidationError as exc:  # field problems go back onto the form
            _form_errors(form, exc)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("network:organisation_detail", pk=org.pk)
    return render(request, "network/organisation_form.html", {"form": form, "org": org})


@login_required
@require_POST
def person_add(request, pk):
    form = PersonForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Check the person's details: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("network:organisation_detail", pk=pk)
    services.add_person(actor=request.user, organisation_id=pk, **form.cleaned_data)
    messages.success(request, _("%(name)s was added.") % {"name": form.cleaned_data["name"]})
    return redirect("network:organisation_detail", pk=pk)


@login_required
@require_POST
def product_add(request, pk):
    form = ProductForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Check the product's details: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("network:organisation_detail", pk=pk)
    services.add_product(actor=request.user, organisation_id=pk, **form.cleaned_data)
    messages.success(request, _("%(name)s was added.") % {"name": form.cleaned_data["name"]})
    return redirect("network:organisation_detail", pk=pk)


@login_required
@require_POST
def membership_apply(request, pk):
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a member type."))
        return redirect("network:organisation_detail", pk=pk)
    services.apply_membership(
        actor=request.user,
        organisation_id=pk,
        member_type=form.cleaned_data["member_type"],
        applied_on=form.cleaned_data["applied_on"],
    )
    messages.success(request, _("The membership application was filed."))
    return redirect("network:organisation_detail", pk=pk)


ACTIONS = {
    "approve": (
        DecisionForm,
        lambda a, pk, d: services.approve_membership(
            actor=a, membership_id=pk, decision_ref=d["decision_ref"], approved_on=d["on"]
        ),
        gettext_lazy("Approved."),
    ),
    "reject": (
        DecisionForm,
        lambda a, pk, d: services.reject_membership(
            actor=a, membership_id=pk, decision_ref=d["decision_ref"], reason=d["reason"], on=d["on"]
        ),
        gettext_lazy("Rejected."),
    ),
    "activate": (
        DateReasonForm,
        lambda a, pk, d: services.activate_membership(actor=a, membership_id=pk, on=d["on"]),
        gettext_lazy("The member is now active."),
    ),
    "withdraw": (
        DateReasonForm,
        lambda a, pk, d: services.request_withdrawal(
            actor=a, membership_id=pk, reason=d["reason"], on=d["on"]
        ),
        gettext_lazy("The withdrawal was requested."),
    ),
    "complete-withdrawal": (
        DateReasonForm,
        lambda a, pk, d: services.complete_withdrawal(actor=a, membership_id=pk, on=d["on"]),
        gettext_lazy("The withdrawal was completed."),
    ),
    "expel": (
        DecisionForm,
        lambda a, pk, d: services.expel_member(
            actor=a, membership_id=pk, decision_ref=d["decision_ref"], reason=d["reason"], on=d["on"]
        ),
        gettext_lazy("The member was expelled."),
    ),
}


@login_required
@require_POST
def membership_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    form_class, run, done = ACTIONS[action]
    form = form_class(request.POST)
    membership = selectors.get_membership(pk)
    if not form.is_valid():
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()})
    else:
        run(request.user, pk, form.cleaned_data)
        messages.success(request, str(done))
    return redirect(request.POST.get("next") or f"/network/organisations/{membership.organisation_id}/")


@login_required
def memberships(request):
    if not permissions.is_officer(request.user):
        raise permissions.PermissionDenied()
    status = request.GET.get("status", MembershipStatus.APPLIED)
    page = paginate(request, selectors.memberships(request.user, status=status if status != "all" else ""))
    return render(
        request,
        "network/memberships.html",
        {
            "page": page,
            "status": status,
            "statuses": MembershipStatus.choices,
            "decision_form": DecisionForm(),
            "can_decide": permissions.can(request.user, "network.decide_membership", None),
        },
    )


def mous(request):
    page = paginate(request, selectors.visible_mous(request.user).order_by("-signed_on"))
    expiring = selectors.expiring_mous(request.user, days=90) if permissions.is_officer(request.user) else []
    return render(
        request,
        "network/mous.html",
        {
            "page": page,
            "expiring": expiring,
            "can_manage": permissions.can(request.user, "network.manage_mou"),
        },
    )


def mou_detail(request, pk):
    mou = selectors.visible_mous(request.user).filter(pk=pk).first()
    if mou is None:
        raise NotFound()
    can_manage = permissions.can(request.user, "network.manage_mou", mou)
    return render(
        request,
        "network/mou_detail.html",
        {
            "mou": mou,
            "can_manage": can_manage,
            "activity_form": MouActivityForm(),
            "document_form": MouDocumentForm(auto_id="id_document_%s"),  # both forms have a title
            "documents": mou.documents.all()
            if permissions.can(request.user, "network.view_mou_documents", mou)
            else [],
        },
    )


@login_required
def mou_create(request):
    permissions.require(request.user, "network.manage_mou")
    form = MouForm(request.POST or None, initial={"partner": request.GET.get("partner")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        partner = data.pop("partner")
        try:
            mou = services.create_mou(actor=request.user, partner_id=partner.pk, data=data)
        except ValidationError as exc:  # field problems go back onto the form
            _form_errors(form, exc)
        else:
            messages.success(request, _("The MOU was recorded."))
            return redirect("network:mou_detail", pk=mou.pk)
    return render(request, "network/mou_form.html", {"form": form})


@login_required
@require_POST
def mou_activity_add(request, pk):
    form = MouActivityForm(request.POST)
    if form.is_valid():
        services.add_mou_activity(actor=request.user, mou_id=pk, **form.cleaned_data)
        messages.success(request, _("The activity was recorded."))
    else:
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("network:mou_detail", pk=pk)


@login_required
@require_POST
def mou_document_add(request, pk):
    form = MouDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        services.add_mou_document(
            actor=request.user,
            mou_id=pk,
            title=form.cleaned_data["title"],
            uploaded_file=form.cleaned_data["file"],
        )
        messages.success(request, _("The document was attached."))
    else:
        messages.error(request, _("Check the form: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("network:mou_detail", pk=pk)


@login_required
def mou_document_download(request, doc_id):
    document = MouDocument.objects.select_related("mou").filter(pk=doc_id).first()
    if document is None or not permissions.can(request.user, "network.view_mou_documents", document.mou):
        raise NotFound()
    return uploads.file_response(document.file)


@login_required
def import_members(request):
    permissions.require(request.user, "network.import_members")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.import_members(
                actor=request.user,
                data=upload.read(),
                filename=upload.name,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:  # field problems go back onto the form
            errors = {"message": exc.render(), "rows": exc.errors if isinstance(exc.errors, list) else []}
        else:
            if report["dry_run"]:
                messages.info(
                    request,
                    ngettext(
                        "Dry run: %(rows)s row is valid; nothing was imported yet.",
                        "Dry run: %(rows)s rows are valid; nothing was imported yet.",
                        report["rows"],
                    )
                    % {"rows": report["rows"]},
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s organisation was imported.",
                        "%(count)s organisations were imported.",
                        report["created"],
                    )
                    % {"count": report["created"]},
                )
    return render(
        request,
        "network/import.html",
        {"form": form, "report": report, "errors": errors, "columns": imports.COLUMNS},
    )


@login_required
def export_members(request, fmt):
    response = imports.export_response(selectors.export_queryset(request.user), fmt)
    if response is None:
        raise Http404
    return response
