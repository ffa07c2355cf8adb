from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dongne.core import permissions
from dongne.core.errors import NotFound, ValidationError
from dongne.core.pagination import paginate
from dongne.core.views import _form_errors
from dongne.lake.export import FORMATS, export_path
from dongne.network.models import Organisation
from dongne.network.selectors import represented_organisations

from . import selectors, services
from .choices import JobStatus, SourceKind
from .forms import CatalogFilterForm, DatasetForm, UploadForm
from .models import IngestJob


def catalog(request):
    form = CatalogFilterForm(request.GET or None)
    filters = {k: v for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    if "format" in filters:
        filters["fmt"] = filters.pop("format")
    page = paginate(request, selectors.catalog(request.user, **filters))
    return render(
        request,
        "datahub/catalog.html",
        {
            "form": form,
            "page": page,
            "facets": selectors.facets(request.user),
            "active": request.GET,
            "can_create": permissions.is_secretariat(request.user)
            or represented_organisations(request.user).exists(),
        },
    )


def _publishers(user):
    if permissions.is_secretariat(user):
        return Organisation.objects.order_by("name")
    return represented_organisations(user)


@login_required
def dataset_create(request):
    publishers = _publishers(request.user)
    if not permissions.is_secretariat(request.user) and not publishers.exists():
        raise permissions.PermissionDenied()
    form = DatasetForm(request.POST or None, publishers=publishers)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.create_dataset(actor=request.user, data=form.service_data())
        except ValidationError as exc:  # field problems go back onto the form
            _form_errors(form, exc)
        else:
            messages.success(request, _("The dataset was registered; upload its data now."))
            return redirect("datahub:dataset_detail", slug=dataset.slug)
    return render(request, "datahub/dataset_form.html", {"form": form})


@login_required
def dataset_edit(request, slug):
    dataset = selectors.get_dataset(request.user, slug)
    permissions.require(request.user, "datahub.change_dataset", dataset)
    form = DatasetForm(
        request.POST or None, initial=DatasetForm.initial_for(dataset), publishers=_publishers(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_dataset(actor=request.user, dataset_id=dataset.pk, data=form.service_data())
        except ValidationError as exc:  # field problems go back onto the form
            _form_errors(form, exc)
        else:
            messages.success(request, _("The dataset was saved."))
            return redirect("datahub:dataset_detail", slug=form.cleaned_data["slug"])
    return render(request, "datahub/dataset_form.html", {"form": form, "dataset": dataset})


def dataset_detail(request, slug):
    dataset = selectors.get_dataset(request.user, slug)
    version = dataset.current_version
    can_upload = permissions.can(request.user, "datahub.add_version", dataset)
    profile = {p.get("name"): p for p in (version.profile if version else [])} if version else {}
    names = [c["name"] for c in (version.columns if version else [])]
    return render(
        request,
        "datahub/dataset_detail.html",
        {
            "dataset": dataset,
            "version": version,
            "columns": [(c, profile.get(c["name"], {})) for c in (version.columns if version else [])],
            "preview_columns": names,
            # Cells in column order: PostgreSQL's jsonb does not keep the key order of the stored rows.
            "preview_rows": [
                [row.get(name) for name in names] for row in (version.preview if version else [])
            ],
            "versions": dataset.versions.all()[:20],
            "can_edit": permissions.can(request.user, "datahub.change_dataset", dataset),
            "can_upload": can_upload,
            "upload_form": UploadForm(),
            "jobs": dataset.jobs.all()[:5] if can_upload else [],
            "is_api": dataset.source_kind == SourceKind.TOURAPI,
            "table_name": selectors.table_name(dataset.slug),
        },
    )


@login_required
@require_POST
def upload_version(request, slug):
    dataset = selectors.get_dataset(request.user, slug)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("datahub:dataset_detail", slug=slug)
    job = services.start_ingest(
        actor=request.user,
        dataset_id=dataset.pk,
        uploaded_file=form.cleaned_data["file"],
        note=form.cleaned_data["note"],
    )
    return redirect("datahub:job_detail", job_id=job.pk)


@login_required
@require_POST
def pull(request, slug):
    dataset = selectors.get_dataset(request.user, slug)
    job = services.pull_dataset(actor=request.user, dataset_id=dataset.pk)
    return redirect("datahub:job_detail", job_id=job.pk)


@login_required
def job_detail(request, job_id):
    job = IngestJob.objects.select_related("dataset", "version").filter(pk=job_id).first()
    if job is None or not permissions.can(request.user, "datahub.add_version", job.dataset):
        raise NotFound()
    done = job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
    template = "datahub/_job.html" if request.htmx else "datahub/job.html"
    return render(request, template, {"job": job, "done": done, "Status": JobStatus})


def download(request, slug, fmt):
    if fmt not in FORMATS:
        raise Http404
    dataset = selectors.get_dataset(request.user, slug)
    number = request.GET.get("version")
    try:
        number = int(number) if number else None
    except ValueError:
        raise NotFound()
    version = selectors.lake_version(dataset, number)
    path = export_path(settings.DATA_DIR / "exports", version, fmt)
    services.count_usage(dataset, downloads=1)
    response = FileResponse(
        open(path, "rb"),
        as_attachment=True,
        filename=f"{dataset.slug}-v{version.number}.{fmt}",
        content_type=FORMATS[fmt],
    )
    return response
