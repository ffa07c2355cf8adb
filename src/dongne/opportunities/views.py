from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dongne.core import permissions, uploads
from dongne.core.errors import DongneError, NotFound, ValidationError
from dongne.core.pagination import paginate
from dongne.core.views import _form_errors
from dongne.network.models import Organisation

from . import consortia, selectors, services
from .choices import ConsortiumStatus, InsightsPage, OpportunityKind
from .forms import (
    AttachmentForm,
    CanvasForm,
    DocumentForm,
    FilterForm,
    MemberAddForm,
    MilestoneForm,
    NotificationForm,
    OpportunityForm,
    TransitionForm,
)
from .models import Attachment, ConsortiumDocument, FeedRun, Milestone


def index(request):
    form = FilterForm(request.GET or None, fields=selectors.support_fields())
    filters = form.cleaned_data if form.is_valid() else {}
    results = selectors.opportunity_list(
        request.user,
        q=filters.get("q") or "",
        kind=filters.get("kind") or "",
        status=filters.get("status") or "open",
        field=filters.get("field") or "",
        region=filters.get("region") or "",
    )
    page = paginate(request, results)
    template = "opportunities/_results.html" if request.htmx else "opportunities/index.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": filters.get("q", ""),
            "can_post": permissions.is_authenticated(request.user)
            and any(
                permissions.can(request.user, "opportunities.create_opportunity", k)
                for k in OpportunityKind.values
            ),
            "my_orgs": selectors.my_organisations(request.user) if request.user.is_authenticated else [],
        },
    )


def detail(request, pk):
    opp = selectors.get_opportunity(request.user, pk)
    context = {
        "opp": opp,
        "can_edit": permissions.can(request.user, "opportunities.change_opportunity", opp),
        "attachment_form": AttachmentForm(),
        "can_match": permissions.can(request.user, "opportunities.view_member_matches", opp),
        "today_open": opp.is_open(),
    }
    if context["can_match"]:
        _opp, matches, excluded = selectors.member_matches(request.user, pk)
        context.update(matches=matches, excluded=excluded)
        context["consortia"] = opp.consortia.all()
    if request.user.is_authenticated:
        # A representative sees how their own organisation fares against this opportunity.
        context["own"] = selectors.own_eligibility(request.user, opp)
    return render(request, "opportunities/detail.html", context)


def _allowed_kinds(user):
    return [k for k in OpportunityKind.values if permissions.can(user, "opportunities.create_opportunity", k)]


def _org_choices(user):
    if permissions.is_secretariat(user):
        return Organisation.objects.order_by("name")
    return selectors.my_organisations(user)


@login_required
def create(request):
    kinds = _allowed_kinds(request.user)
    if not kinds:
        permissions.require(request.user, "opportunities.create_opportunity", OpportunityKind.REGIONAL_NEED)
    initial = {
        "kind": request.GET.get("kind") if request.GET.get("kind") in kinds else kinds[0],
        "is_public": True,
    }
    form = OpportunityForm(
        request.POST or None, kinds=kinds, organisations=_org_choices(request.user), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            opp = services.create_opportunity(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” was posted.") % {"title": opp.title})
            return redirect("opportunities:detail", pk=opp.pk)
    return render(request, "opportunities/form.html", {"form": form})


@login_required
def edit(request, pk):
    opp = selectors.get_opportunity(request.user, pk)
    permissions.require(request.user, "opportunities.change_opportunity", opp)
    kinds = _allowed_kinds(request.user) or [opp.kind]
    if opp.kind not in kinds:
        kinds.append(opp.kind)
    form = OpportunityForm(
        request.POST or None,
        kinds=kinds,
        organisations=_org_choices(request.user),
        initial=OpportunityForm.initial_for(opp),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if not permissions.is_secretariat(request.user):
            data.pop("organisation", None)
        try:
            services.update_opportunity(actor=request.user, opportunity_id=opp.pk, data=data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The opportunity was saved."))
            return redirect("opportunities:detail", pk=opp.pk)
    return render(request, "opportunities/form.html", {"form": form, "opp": opp})


@login_required
def for_me(request):
    """ "나에게 맞는 공고": open opportunities ranked for the representative's organisation, explained."""
    orgs = list(selectors.my_organisations(request.user))
    org_id = request.GET.get("org")
    if org_id and permissions.is_secretariat(request.user):
        org = Organisation.objects.filter(pk=org_id).first()
    else:
        org = next((o for o in orgs if str(o.pk) == str(org_id)), orgs[0] if orgs else None)
    if org is None:
        return render(request, "opportunities/for_me.html", {"org": None, "orgs": orgs})
    org, matches, excluded = selectors.opportunity_matches(request.user, org.pk)
    return render(
        request,
        "opportunities/for_me.html",
        {
            "org": org,
            "orgs": orgs,
            "matches": matches,
            "excluded": excluded,
            "profile_empty": not (org.description or org.products_services),
        },
    )


@login_required
def builder(request, pk):
    """Consortium builder: suggested teams covering the call's required capabilities."""
    opp, teams = consortia.suggest_teams(request.user, pk)
    return render(
        request,
        "opportunities/builder.html",
        {"opp": opp, "teams": teams, "required": sorted(t.name for t in opp.capabilities.all())},
    )


@login_required
@require_POST
def consortium_create(request, pk):
    lead = request.POST.get("lead")
    participants = [p for p in request.POST.get("participants", "").split(",") if p.strip().isdigit()]
    try:
        consortium = services.create_consortium(
            actor=request.user,
            opportunity_id=pk,
            lead_id=int(lead) if str(lead).isdigit() else None,
            participant_ids=participants,
            name=request.POST.get("name", ""),
        )
    except ValidationError as exc:
        messages.error(request, exc.render())
        return redirect("opportunities:builder", pk=pk)
    messages.success(request, _("The consortium was formed. Add documents and milestones next."))
    return redirect("opportunities:consortium", pk=consortium.pk)


@login_required
def consortium_list(request):
    return render(
        request,
        "opportunities/consortia.html",
        {
            "consortia": selectors.visible_consortia(request.user),
            "summary": selectors.outcomes_summary() if permissions.is_officer(request.user) else None,
        },
    )


@login_required
def consortium_detail(request, pk):
    consortium = selectors.get_consortium(request.user, pk)
    in_team = {m.organisation_id for m in consortium.members.all()}
    candidates = (
        Organisation.objects.exclude(pk__in=in_team)
        .filter(kind__in=["member_company", "advisory", "university"])
        .order_by("name")
    )
    required = sorted(t.name for t in consortium.opportunity.capabilities.all())
    offered = set()
    for m in consortium.members.all():
        offered |= {t.name for t in m.organisation.capability_tags.all()}
    return render(
        request,
        "opportunities/consortium.html",
        {
            "c": consortium,
            "can_manage": permissions.can(request.user, "opportunities.manage_consortium", consortium),
            "can_decide": permissions.can(request.user, "opportunities.decide_consortium", consortium),
            "member_form": MemberAddForm(organisations=candidates),
            "document_form": DocumentForm(),
            "milestone_form": MilestoneForm(),
            "transition_form": TransitionForm(),
            "Status": ConsortiumStatus,
            "required": [(cap, cap in offered) for cap in required],
        },
    )


def _back(pk):
    return redirect("opportunities:consortium", pk=pk)


@login_required
@require_POST
def consortium_member(request, pk):
    if request.POST.get("remove"):
        services.remove_consortium_member(
            actor=request.user, consortium_id=pk, organisation_id=request.POST["remove"]
        )
        messages.success(request, _("The organisation was removed from the consortium."))
        return _back(pk)
    org_id = request.POST.get("organisation")
    services.add_consortium_member(actor=request.user, consortium_id=pk, organisation_id=org_id)
    messages.success(request, _("The organisation was added to the consortium."))
    return _back(pk)


@login_required
@require_POST
def consortium_document(request, pk):
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Give the document a title and choose a file."))
        return _back(pk)
    services.add_consortium_document(
        actor=request.user,
        consortium_id=pk,
        title=form.cleaned_data["title"],
        uploaded_file=form.cleaned_data["file"],
    )
    messages.success(request, _("The document was uploaded."))
    return _back(pk)


@login_required
def consortium_document_download(request, doc_id):
    doc = ConsortiumDocument.objects.select_related("consortium").filter(pk=doc_id).first()
    if doc is None:
        raise NotFound()
    selectors.get_consortium(request.user, doc.consortium_id)  # permission-checked
    return uploads.file_response(doc.file)


def attachment_download(request, attachment_id):
    """A file attached to an opportunity, served as a download while the opportunity may be seen."""
    attachment = Attachment.objects.filter(pk=attachment_id).exclude(file="").first()
    if attachment is None:
        raise NotFound()
    selectors.get_opportunity(request.user, attachment.opportunity_id)  # its visibility applies to its files
    return uploads.file_response(attachment.file)


@login_required
@require_POST
def consortium_milestone(request, pk):
    if request.POST.get("done"):
        milestone = Milestone.objects.filter(pk=request.POST["done"], consortium_id=pk).first()
        if milestone is None:
            raise NotFound()
        services.complete_milestone(actor=request.user, milestone_id=milestone.pk)
        messages.success(request, _("The milestone was marked done."))
        return _back(pk)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the milestone a title and a due date."))
        return _back(pk)
    services.add_milestone(actor=request.user, consortium_id=pk, **form.cleaned_data)
    messages.success(request, _("The milestone was added."))
    return _back(pk)


TRANSITIONS = {
    "submit": lambda a, pk, d: services.submit_consortium(actor=a, consortium_id=pk, on=d["on"]),
    "select": lambda a, pk, d: services.decide_consortium(
        actor=a, consortium_id=pk, selected=True, funding_won=d["funding_won"], on=d["on"]
    ),
    "reject": lambda a, pk, d: services.decide_consortium(
        actor=a, consortium_id=pk, selected=False, on=d["on"]
    ),
    "start": lambda a, pk, d: services.start_consortium(
        actor=a, consortium_id=pk, funding_won=d["funding_won"], on=d["on"]
    ),
    "complete": lambda a, pk, d: services.complete_consortium(
        actor=a, consortium_id=pk, jobs_created=d["jobs_created"], on=d["on"]
    ),
}


@login_required
@require_POST
def consortium_transition(request, pk, action):
    if action not in TRANSITIONS:
        raise NotFound()
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Check the date and amounts: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return _back(pk)
    try:
        consortium = TRANSITIONS[action](request.user, pk, form.cleaned_data)
    except DongneError as exc:
        if exc.status in (400, 409):
            messages.error(request, exc.render())
            return _back(pk)
        raise
    messages.success(
        request, _("The consortium is now %(status)s.") % {"status": consortium.get_status_display()}
    )
    return _back(pk)


@login_required
def feed_runs(request):
    """The secretariat's view of feed imports, with each run's per-record report; "pull now" queues one."""
    permissions.require(request.user, "opportunities.import_feed", None)
    if request.method == "POST":
        from . import tasks

        feed = request.POST.get("feed")
        if feed not in services.FEEDS:
            raise NotFound()
        tasks.pull_feed(feed)
        messages.success(request, _("The import was started; reload to see its report."))
        return redirect("opportunities:feeds")
    runs = FeedRun.objects.all()[:20]
    return render(request, "opportunities/feeds.html", {"runs": runs, "feeds": list(services.FEEDS)})


@login_required
@require_POST
def attachment_add(request, pk):
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Give the attachment a title and a link or a file."))
        return redirect("opportunities:detail", pk=pk)
    try:
        services.add_attachment(
            actor=request.user,
            opportunity_id=pk,
            title=form.cleaned_data["title"],
            url=form.cleaned_data["url"],
            uploaded_file=form.cleaned_data["file"],
        )
    except ValidationError as exc:
        messages.error(request, exc.render())
    else:
        messages.success(request, _("The attachment was added."))
    return redirect("opportunities:detail", pk=pk)


@login_required
def notification_settings(request):
    setting = services.notification_settings_for(request.user)
    form = NotificationForm(
        request.POST or None, initial={"digest": setting.digest, "reminders": setting.reminders}
    )
    if request.method == "POST" and form.is_valid():
        services.update_notification_settings(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("opportunities:notifications")
    return render(request, "opportunities/notifications.html", {"form": form})


# --- business model canvas ------------------------------------------------------------------------
def _canvas_form(request, initial=None):
    from dongne.datahub.selectors import visible_datasets

    return CanvasForm(
        request.POST or None,
        initial=initial,
        opportunities=selectors.visible_opportunities(request.user).order_by("title"),
        datasets=visible_datasets(request.user).order_by("title"),
    )


@login_required
def canvas_list(request):
    return render(
        request,
        "opportunities/canvases.html",
        {
            "canvases": selectors.visible_canvases(request.user),
            "can_create": permissions.can(request.user, "opportunities.manage_canvas", None),
        },
    )


@login_required
def canvas_create(request):
    permissions.require(request.user, "opportunities.manage_canvas", None)
    form = _canvas_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            canvas = services.create_canvas(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("opportunities:canvas", pk=canvas.pk)
    return render(request, "opportunities/canvas_form.html", {"form": form})


@login_required
def canvas_detail(request, pk):
    canvas = selectors.get_canvas(request.user, pk)
    pages = [(p, InsightsPage(p).label) for p in canvas.insights_pages if p in InsightsPage.values]
    return render(
        request,
        "opportunities/canvas.html",
        {
            "canvas": canvas,
            "pages": pages,
            "can_edit": permissions.can(request.user, "opportunities.manage_canvas", canvas),
        },
    )


@login_required
def canvas_edit(request, pk):
    canvas = selectors.get_canvas(request.user, pk)
    permissions.require(request.user, "opportunities.manage_canvas", canvas)
    initial = {block: getattr(canvas, block) for block in canvas.BLOCKS}
    initial.update(
        title=canvas.title,
        opportunity=canvas.opportunity_id or "",
        datasets=[d.pk for d in canvas.datasets.all()],
        insights_pages=canvas.insights_pages,
    )
    form = _canvas_form(request, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_canvas(actor=request.user, canvas_id=canvas.pk, data=form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return redirect("opportunities:canvas", pk=canvas.pk)
    return render(request, "opportunities/canvas_form.html", {"form": form, "canvas": canvas})
