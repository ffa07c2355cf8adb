"""Read queries of the datahub app; visibility is applied here for every list, page, API and download."""

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from dongne.core import permissions, search
from dongne.core.errors import NotFound
from dongne.network.models import Affiliation

from .choices import Frequency, SourceKind, Visibility
from .models import Dataset, DatasetVersion


def visible_datasets(actor):
    qs = Dataset.objects.select_related("publisher", "current_version")
    if not permissions.is_authenticated(actor):
        return qs.filter(visibility=Visibility.PUBLIC)
    if permissions.is_officer(actor):
        return qs
    represented = Affiliation.objects.filter(person__user=actor, is_representative=True).values(
        "organisation_id"
    )
    return qs.filter(
        Q(visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS])
        | Q(publisher_id__in=represented)
        | Q(created_by=actor)
    )


def catalog(actor, *, q="", theme="", publisher="", licence="", fmt="", region=""):
    qs = visible_datasets(actor).prefetch_related("themes")
    if theme:
        qs = qs.filter(themes__code=theme)
    if publisher:
        try:
            qs = qs.filter(publisher_id=int(publisher))
        except (TypeError, ValueError):
            qs = qs.none()  # ?publisher= takes an organisation id; no organisation has another one
    if licence:
        qs = qs.filter(licence=licence)
    if fmt:
        qs = qs.filter(current_version__source_format=fmt)
    if region:
        # JSON containment differs between SQLite and PostgreSQL; spatial lists are short, so match the text.
        qs = qs.filter(spatial__icontains=f'"{region}')
    qs = qs.distinct()
    if q:
        ids = search.search_ids("datahub.dataset", q, public_only=not permissions.is_authenticated(actor))
        return search.Ranked(qs, ids)
    return qs.order_by("title", "id")


def facets(actor):
    """Counts per theme, publisher, licence and format over the datasets ``actor`` can see."""
    visible = visible_datasets(actor)
    ids = visible.values("pk")
    return {
        "theme": list(
            Dataset.themes.through.objects.filter(dataset_id__in=ids)
            .values("theme__code", "theme__name", "theme__name_en")
            .annotate(n=Count("dataset_id"))
            .order_by("-n", "theme__code")
        ),
        "publisher": list(
            visible.exclude(publisher=None)
            .values("publisher_id", "publisher__name")
            .annotate(n=Count("pk"))
            .order_by("-n", "publisher__name")
        ),
        "licence": list(visible.values("licence").annotate(n=Count("pk")).order_by("-n", "licence")),
        "format": list(
            visible.exclude(current_version=None)
            .values("current_version__source_format")
            .annotate(n=Count("pk"))
            .order_by("-n")
        ),
    }


def get_dataset(actor, slug):
    dataset = Dataset.objects.select_related("publisher", "current_version").filter(slug=slug).first()
    if dataset is None or not permissions.can(actor, "datahub.view_dataset", dataset):
        # Not visible is reported as not found, so private datasets do not reveal that they exist.
        raise NotFound(_("Dataset %(slug)s does not exist."), params={"slug": slug})
    return dataset


def get_version(dataset, number=None):
    if number is None:
        if dataset.current_version is None:
            raise NotFound(_("This dataset has no data yet."), code="no_version")
        return dataset.current_version
    version = DatasetVersion.objects.filter(dataset=dataset, number=number).first()
    if version is None:
        raise NotFound(_("Version %(number)s does not exist."), params={"number": number})
    return version


def lake_version(dataset, number=None):
    """The lake's record of a version (paths of its Parquet files)."""
    from .services import lake_store

    record = get_version(dataset, number)
    return lake_store().get(dataset.slug, record.number)


PERIOD = {
    Frequency.DAILY: dt.timedelta(days=1),
    Frequency.WEEKLY: dt.timedelta(days=7),
    Frequency.MONTHLY: dt.timedelta(days=30),
    Frequency.QUARTERLY: dt.timedelta(days=91),
    Frequency.YEARLY: dt.timedelta(days=365),
}


def datasets_due_for_refresh(now=None):
    from django.utils import timezone

    now = now or timezone.now()
    due = []
    for dataset in Dataset.objects.filter(source_kind=SourceKind.TOURAPI).select_related("current_version"):
        period = PERIOD.get(dataset.frequency)
        last = dataset.current_version.created_at if dataset.current_version else None
        if period and (last is None or now - last >= period - dt.timedelta(hours=1)):
            due.append(dataset)
    return due


def table_name(slug):
    return slug.replace("-", "_")


def sql_tables(actor, sql):
    """The current versions of the visible datasets a SQL statement may name: {table: [parquet paths]}.
    Only datasets whose table name appears in the text are opened."""
    import re

    from .services import lake_store

    words = set(re.findall(r"[A-Za-z0-9_]+", sql.lower()))
    tables, used = {}, []
    store = lake_store()
    for dataset in visible_datasets(actor).exclude(current_version=None):
        name = table_name(dataset.slug)
        if name in words:
            tables[name] = [str(p) for p in store.get(dataset.slug, dataset.current_version.number).files]
            used.append(dataset)
    return tables, used
