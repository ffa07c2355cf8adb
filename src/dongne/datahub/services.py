"""State changes of the datahub app: datasets, versions (ingests and API pulls), usage."""

import os
import re
import shutil
import socket
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core import audit, permissions, search
from dongne.core.errors import Conflict, NotFound, ValidationError, from_django_validation
from dongne.core.korean import parse_korean_date
from dongne.core.regions import emd, sigungu
from dongne.lake.errors import LakeError
from dongne.lake.ingest import ingest_batches, ingest_file
from dongne.lake.store import Store
from dongne.network.models import Organisation

from . import lake_errors
from .choices import Frequency, JobStatus, Licence, SourceKind, Visibility
from .models import Dataset, DatasetUsage, DatasetVersion, IngestJob, Theme

SEARCH_KIND = "datahub.dataset"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
DATASET_FIELDS = (
    "slug",
    "title",
    "title_en",
    "description",
    "description_en",
    "publisher",
    "themes",
    "keywords",
    "licence",
    "spatial",
    "temporal_start",
    "temporal_end",
    "frequency",
    "contact_name",
    "contact_email",
    "visibility",
    "source_kind",
    "source_config",
)


def lake_store():
    """The lake under settings.LAKE_ROOT (read at call time, so tests can point it elsewhere)."""
    return Store(settings.LAKE_ROOT)


def _clean(data, instance=None):
    """Validate dataset metadata; every field error at once."""
    errors = {}
    out = {k: data[k] for k in DATASET_FIELDS if k in data}

    def err(field, message):
        errors.setdefault(field, []).append(str(message))

    if "slug" in out or instance is None:
        out["slug"] = str(out.get("slug") or "").strip().lower()
        if not SLUG_RE.match(out["slug"]):
            err(
                "slug", _("Use 2–80 lower-case letters, digits and hyphens, starting with a letter or digit.")
            )
        elif Dataset.objects.filter(slug=out["slug"]).exclude(pk=getattr(instance, "pk", None)).exists():
            err("slug", _("Another dataset already uses this identifier."))
        elif instance is not None and out["slug"] != instance.slug and instance.versions.exists():
            # The lake keeps the data under the identifier, and API URLs and SQL table names use it.
            err("slug", _("The identifier cannot change once data has been published under it."))
    if "title" in out or instance is None:
        out["title"] = str(out.get("title") or "").strip()
        if not out["title"]:
            err("title", _("Enter a title."))
    for field, choices in (
        ("licence", Licence),
        ("frequency", Frequency),
        ("visibility", Visibility),
        ("source_kind", SourceKind),
    ):
        if field in out and out[field] not in choices.values:
            err(field, _("Choose one of the listed values."))
    if "publisher" in out and out["publisher"] is not None and not isinstance(out["publisher"], Organisation):
        publisher = Organisation.objects.filter(pk=out["publisher"]).first()
        if publisher is None:
            err("publisher", _("Unknown publisher."))
        out["publisher"] = publisher
    if "themes" in out:
        Theme.ensure_seeded()
        codes = [getattr(t, "code", t) for t in (out["themes"] or [])]
        themes = list(Theme.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {t.code for t in themes})
        if unknown:
            err("themes", _("Unknown theme: %(codes)s") % {"codes": ", ".join(unknown)})
        out["themes"] = themes
    if "keywords" in out:
        words = out["keywords"]
        if isinstance(words, str):
            words = words.replace(";", ",").split(",")
        out["keywords"] = list(dict.fromkeys(str(w).strip() for w in words if str(w).strip()))[:30]
    if "spatial" in out:
        codes = out["spatial"]
        if isinstance(codes, str):
            codes = codes.replace(";", ",").split(",")
        codes = [str(c).strip() for c in codes if str(c).strip()]
        bad = [c for c in codes if c not in sigungu() and c not in emd()]
        if bad:
            err("spatial", _("Unknown region code: %(codes)s") % {"codes": ", ".join(bad)})
        out["spatial"] = codes
    for field in ("temporal_start", "temporal_end"):
        if field in out:
            if out[field] in (None, ""):
                out[field] = None
            else:
                try:
                    out[field] = parse_korean_date(out[field])
                except ValueError as exc:
                    err(field, exc)
    start = out.get("temporal_start", getattr(instance, "temporal_start", None))
    end = out.get("temporal_end", getattr(instance, "temporal_end", None))
    if start and end and end < start:
        err("temporal_end", _("The coverage cannot end before it starts."))
    if "source_config" in out and not isinstance(out["source_config"], dict):
        err("source_config", _("Source settings must be an object."))
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], errors=errors)
    return out


def reindex_dataset(dataset):
    """Refresh the dataset's search document (title weighs more than the rest)."""
    columns = " ".join(
        c["name"] for c in (dataset.current_version.columns if dataset.current_version else [])
    )
    search.index_object(
        SEARCH_KIND,
        dataset.pk,
        name=f"{dataset.title} {dataset.title_en}",
        body=" ".join(
            [
                dataset.description,
                dataset.description_en,
                " ".join(dataset.keywords),
                " ".join(t.name for t in dataset.themes.all()),
                columns,
                dataset.publisher.name if dataset.publisher else "",
            ]
        ),
        is_public=dataset.visibility == Visibility.PUBLIC,
    )


def _save(obj):
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise from_django_validation(exc)
    obj.save()


def create_dataset(*, actor, data):
    """Register a dataset in the catalog (secretariat, or a representative for their own organisation)."""
    cleaned = _clean(data)
    permissions.require(actor, "datahub.create_dataset", cleaned.get("publisher"))
    themes = cleaned.pop("themes", [])
    try:
        with transaction.atomic():
            dataset = Dataset(**cleaned, created_by=actor if permissions.is_authenticated(actor) else None)
            _save(dataset)
            dataset.themes.set(themes)
            reindex_dataset(dataset)
            audit.record(actor, "datahub.dataset.created", dataset, {"slug": dataset.slug})
    except IntegrityError:
        raise Conflict(_("Another dataset already uses this identifier."), code="duplicate_dataset")
    return dataset


def update_dataset(*, actor, dataset_id, data):
    """Edit a dataset's metadata (secretariat or the publisher's representative)."""
    with transaction.atomic():
        dataset = _dataset_for_update(dataset_id)
        permissions.require(actor, "datahub.change_dataset", dataset)
        cleaned = _clean(data, instance=dataset)
        if "publisher" in cleaned and cleaned["publisher"] != dataset.publisher:
            permissions.require(actor, "datahub.create_dataset", cleaned["publisher"])
        themes = cleaned.pop("themes", None)
        changes = {}
        for field, value in cleaned.items():
            if getattr(dataset, field) != value:
                changes[field] = [str(getattr(dataset, field)), str(value)]
                setattr(dataset, field, value)
        _save(dataset)
        if themes is not None:
            dataset.themes.set(themes)
        reindex_dataset(dataset)
        audit.record(actor, "datahub.dataset.updated", dataset, {"changes": changes})
    return dataset


def delete_dataset(*, actor, dataset_id):
    """Remove a dataset from the catalog with its versions, jobs, usage and search entry, and — once the
    database change is committed — its Parquet files and cached downloads (secretariat only)."""
    with transaction.atomic():
        dataset = _dataset_for_update(dataset_id)
        permissions.require(actor, "datahub.delete_dataset", dataset)
        slug, pk = dataset.slug, dataset.pk
        audit.record(
            actor,
            "datahub.dataset.deleted",
            dataset,
            {"slug": slug, "title": dataset.title, "versions": dataset.versions.count()},
        )
        search.remove_object(SEARCH_KIND, pk)
        dataset.delete()

        def remove_files():
            lake_store().remove(slug)
            shutil.rmtree(settings.DATA_DIR / "exports" / slug, ignore_errors=True)

        transaction.on_commit(remove_files)
    return slug


def _dataset_for_update(dataset_id):
    try:
        return Dataset.objects.select_for_update().get(pk=dataset_id)
    except (Dataset.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Dataset %(id)s does not exist."), params={"id": dataset_id})


# --- versions ---------------------------------------------------------------------------------------------
def start_ingest(*, actor, dataset_id, uploaded_file, note=""):
    """Accept an uploaded file for a new version; the ingest itself runs as a background job."""
    dataset = _dataset_for_update_outside(dataset_id)
    permissions.require(actor, "datahub.add_version", dataset)
    if uploaded_file is None or not getattr(uploaded_file, "size", 0):
        raise ValidationError(
            _("The file is empty (0 bytes)."),
            code="empty_file",
            errors={"file": [str(_("The file is empty (0 bytes)."))]},
        )
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    name = Path(uploaded_file.name).name
    target = settings.UPLOAD_DIR / f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:10]}"
    with open(target, "wb") as out:
        for chunk in uploaded_file.chunks():
            out.write(chunk)
    with transaction.atomic():
        job = IngestJob.objects.create(
            dataset=dataset,
            source_name=name,
            upload_path=str(target),
            note=note,
            bytes_total=target.stat().st_size,
            created_by=actor if permissions.is_authenticated(actor) else None,
        )
        audit.record(actor, "datahub.ingest.queued", dataset, {"job": job.pk, "file": name})
        from .tasks import ingest_job

        transaction.on_commit(lambda: ingest_job(job.pk))
    return job


def _dataset_for_update_outside(dataset_id):
    try:
        return Dataset.objects.get(pk=dataset_id)
    except (Dataset.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Dataset %(id)s does not exist."), params={"id": dataset_id})


def run_ingest_job(*, actor, job_id, progress=None):
    """Run one queued ingest: the file becomes a new version, or the job records why not.

    Claiming the job is a conditional UPDATE (queued → running), so a job delivered twice by the
    queue runs once. The lake publishes the version atomically; only then is it recorded here."""
    job = IngestJob.objects.select_related("dataset").filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("Ingest job %(id)s does not exist."), params={"id": job_id})
    permissions.require(actor, "datahub.add_version", job.dataset)
    if not IngestJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, claimed_by=_worker_id()
    ):
        return job  # already taken by another worker

    def report(done, total, rows):
        IngestJob.objects.filter(pk=job.pk).update(bytes_done=done, rows_done=rows)
        if progress is not None:  # the caller's own display (dongne ingest prints a percentage)
            progress(done, total, rows)

    try:
        version = ingest_file(
            lake_store(),
            job.dataset.slug,
            job.upload_path,
            progress=report,
            note=job.note,
            source={
                "file": job.source_name,
                "job": job.pk,
            },  # recovery finds the version a dead run published
        )
    except LakeError as exc:
        return _fail_job(actor, job, exc)
    except Exception as exc:
        # Not the file's fault: record it so the job does not hang in "running", then let the queue see it.
        _fail_job(actor, job, LakeError(f"Internal error: {type(exc).__name__}", code="internal"))
        raise
    finally:
        Path(job.upload_path).unlink(missing_ok=True)
    try:
        return _record_version(actor, job, version)
    except Exception as exc:
        # The lake version exists but could not be recorded; say so on the job instead of leaving it running.
        _fail_job(
            actor, job, LakeError(f"Internal error while recording: {type(exc).__name__}", code="internal")
        )
        raise


def _worker_id():
    return f"{socket.gethostname()}:{os.getpid()}"


def _worker_dead(claimed_by, started, max_age_s):
    """A run is dead when its process is gone (same host), or, on another host, when it is older than
    ``max_age_s`` (the lake's staging sweep uses the same rule)."""
    host, _sep, pid = (claimed_by or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    return (timezone.now() - started).total_seconds() > max_age_s


def recover_ingests(*, actor=None, max_age_s=6 * 3600):
    """Bring ingests that a killed queue worker left behind to a final state, and make the catalog agree with
    the lake. Run when the queue consumer starts and hourly.

    - the lake's staging folders of dead ingests are removed (they were never visible);
    - a run that died after the lake published its version gets that version recorded (it was complete);
    - a run that died before is put back in the queue when its upload is still there, else marked failed;
    - a queued job is enqueued again (its message may have died with the worker; a second delivery is
      harmless because claiming a job is a conditional UPDATE).
    Returns ``{"recorded": [...], "requeued": [...], "failed": [...]}`` job ids."""
    permissions.require(actor, "datahub.recover_ingests")
    from .tasks import ingest_job

    store = lake_store()
    store.sweep()
    done = {"recorded": [], "requeued": [], "failed": []}
    running = IngestJob.objects.filter(status=JobStatus.RUNNING).select_related("dataset")
    for job in running:
        if not _worker_dead(job.claimed_by, job.created_at, max_age_s):
            continue
        # Take the job over: only one recovering process wins this conditional UPDATE.
        if not IngestJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, claimed_by=job.claimed_by
        ).update(claimed_by=_worker_id() + ":recovery"):
            continue
        recorded = set(DatasetVersion.objects.filter(dataset=job.dataset).values_list("number", flat=True))
        published = [
            v
            for v in store.versions(job.dataset.slug)
            if v.number not in recorded and (v.meta.get("source") or {}).get("job") == job.pk
        ]
        if published:
            _record_version(actor, job, published[-1])
            done["recorded"].append(job.pk)
        elif job.upload_path and Path(job.upload_path).is_file():
            IngestJob.objects.filter(pk=job.pk).update(
                status=JobStatus.QUEUED, claimed_by="", bytes_done=0, rows_done=0
            )
            audit.record(actor, "datahub.ingest.requeued", job.dataset, {"job": job.pk})
            transaction.on_commit(lambda pk=job.pk: ingest_job(pk))
            done["requeued"].append(job.pk)
        else:
            _fail_job(
                actor,
                job,
                LakeError(
                    "The ingest was interrupted and its upload is gone; upload the file again.",
                    code="interrupted",
                ),
            )
            done["failed"].append(job.pk)
    for pk in (
        IngestJob.objects.filter(status=JobStatus.QUEUED).exclude(upload_path="").values_list("pk", flat=True)
    ):
        if pk not in done["requeued"]:
            ingest_job(pk)
            done["requeued"].append(pk)
    return done


def _fail_job(actor, job, exc):
    error = lake_errors.as_dict(exc)
    IngestJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, error=error, finished_at=timezone.now()
    )
    audit.record(actor, "datahub.ingest.failed", job.dataset, {"job": job.pk, "error": error})
    job.refresh_from_db()
    return job


def _record_version(actor, job, version):
    meta = version.meta
    with transaction.atomic():
        record = DatasetVersion.objects.create(
            dataset=job.dataset,
            number=version.number,
            note=job.note,
            rows=version.rows,
            columns=version.columns,
            profile=version.profile,
            preview=version.preview,
            bytes=sum(f.stat().st_size for f in version.files),
            source_name=job.source_name,
            source_format=meta.get("format") or "",
            encoding=meta.get("encoding") or "",
            created_by=job.created_by,
        )
        Dataset.objects.filter(pk=job.dataset_id).update(current_version=record, updated_at=timezone.now())
        IngestJob.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            version=record,
            rows_done=record.rows,
            bytes_done=job.bytes_total,
            finished_at=timezone.now(),
        )
        job.dataset.refresh_from_db()
        reindex_dataset(job.dataset)
        audit.record(
            actor,
            "datahub.version.published",
            job.dataset,
            {"version": record.number, "rows": record.rows, "job": job.pk},
        )
    job.refresh_from_db()
    return job


def pull_dataset(*, actor, dataset_id):
    """Fetch an API-sourced dataset (TourAPI) again and publish it as a new version."""
    from dongne.lake.io.connectors import TourApiConnector

    dataset = _dataset_for_update_outside(dataset_id)
    permissions.require(actor, "datahub.add_version", dataset)
    if dataset.source_kind != SourceKind.TOURAPI:
        raise ValidationError(_("This dataset is not fed by an API source."), code="not_api_source")
    config = dict(dataset.source_config or {})
    operation = config.pop("operation", "areaBasedList2")
    job = IngestJob.objects.create(
        dataset=dataset,
        source_name=f"TourAPI {operation}",
        status=JobStatus.RUNNING,
        created_by=actor if permissions.is_authenticated(actor) else None,
    )
    try:
        connector = TourApiConnector.create(settings.TOURAPI_KEY, base_url=settings.TOURAPI_BASE_URL)
        records = connector.records(operation, **config)
        version = ingest_batches(
            lake_store(),
            dataset.slug,
            connector.to_batches(records, 1000),
            source={"api": "tourapi", "operation": operation},
            normalize_text=False,
        )
    except LakeError as exc:
        return _fail_job(actor, job, exc)
    return _record_version(actor, job, version)


def publish_records(*, actor, dataset_id, records, source, note=""):
    """Publish records another module built (e.g. TourAPI rows mapped into the insights schema) as a new
    version: a pyarrow Table/RecordBatches or dicts, stored with their types as given."""
    dataset = _dataset_for_update_outside(dataset_id)
    permissions.require(actor, "datahub.add_version", dataset)
    job = IngestJob.objects.create(
        dataset=dataset,
        source_name=str(source.get("name", "records"))[:300],
        status=JobStatus.RUNNING,
        note=note,
        created_by=actor if permissions.is_authenticated(actor) else None,
    )
    try:
        version = ingest_batches(
            lake_store(), dataset.slug, records, source=source, note=note, normalize_text=False
        )
    except LakeError as exc:
        return _fail_job(actor, job, exc)
    return _record_version(actor, job, version)


# --- usage -------------------------------------------------------------------------------------------------
def count_usage(dataset, *, api_calls=0, downloads=0, rows=0):
    """Add to today's usage counters of ``dataset`` (a single UPDATE, safe under concurrency).
    Not a permission-checked service: it records reads that were already allowed."""
    day = timezone.localdate()
    counter = DatasetUsage.objects.filter(dataset=dataset, day=day)
    changes = {
        "api_calls": F("api_calls") + api_calls,
        "downloads": F("downloads") + downloads,
        "rows_served": F("rows_served") + rows,
    }
    if not counter.update(**changes):
        try:
            with transaction.atomic():
                DatasetUsage.objects.create(
                    dataset=dataset, day=day, api_calls=api_calls, downloads=downloads, rows_served=rows
                )
        except IntegrityError:
            counter.update(**changes)
