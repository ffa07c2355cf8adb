"""CKAN-compatible Action API at /api/action/<name> and /api/3/action/<name> (mounted twice, as CKAN serves it).

Clients written for CKAN — the ``ckanapi`` Python client, CKAN harvesters, R/JS CKAN libraries — read the Dongne
catalog unchanged: the same action names and parameters, the same envelope (``{"help", "success", "result"}``)
and the same error shapes (``{"__type": "Not Found Error" | "Validation Error" | "Authorization Error",
"message", <field>: [messages]}`` with status 404 / 409 / 403). Every action is read-only and goes through the
datahub selectors, so visibility (public / members / private) is the same as in the UI and /api/v1/.

Authentication is the personal API token (dn_…), sent as CKAN clients send it — ``Authorization: <token>``,
``Authorization: Bearer <token>`` or ``X-CKAN-API-Key: <token>`` — or the browser session.

Where Dongne differs from CKAN 2.10 (on purpose):
- Read-only: the catalog is edited through the platform (services), so no *_create/*_update/*_delete actions.
- package_list and package_search list every dataset the caller may see (``include_private`` defaults to true;
  CKAN's package_list shows public ones only). ``private`` is true for members-only and private datasets.
- An unknown or revoked token is a 403 Authorization Error (CKAN silently treats it as anonymous); past the
  per-token rate limit the answer is 429 with ``__type`` "Rate Limit Error" (CKAN has no rate limit).
- Organisations have no URL name: ``name`` is ``org-<id>``; organization_show also takes the id or the Korean name.
  Groups are our themes (``name`` = theme code).
- One resource per dataset (the current version); its ``url`` is the CSV download, ``format`` the uploaded format.
- package_search: ``q`` is the Korean full-text search (no Solr syntax beyond ``field:value`` terms and ``*:*``);
  fq supports organization, tags, groups, res_format, license_id, name, id and private, ANDed, ``-`` negates.
- datastore_search: no ``_id`` column, no ``distinct``/``plain``/``language``; ``q`` matches substrings
  case-insensitively (Korean words inside compounds included) rather than PostgreSQL full-text.
- Validation errors carry the lake's description in ``info`` ({code, message, detail, row, column, param}).
"""

import contextlib
import csv
import datetime as dt
import decimal
import io
import json
import re
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from dongne.core import errors as core_errors
from dongne.core.services import user_for_token
from dongne.core.textguard import contains_nul
from dongne.lake.errors import LakeError, QueryError

from . import lake_errors, selectors, services
from .choices import FREQUENCY_DCAT, LICENCE_URLS, Licence, Visibility
from .models import Dataset, Theme

CKAN_VERSION = "2.10.0"
SEARCH_ROWS_MAX = 1000  # CKAN's ckan.search.rows_max default
OPEN_LICENCES = {"KOGL-1", "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0"}  # Open Definition conformant
FORMAT_NAMES = {
    "csv": "CSV",
    "tsv": "TSV",
    "xlsx": "XLSX",
    "json": "JSON",
    "jsonl": "JSONL",
    "parquet": "Parquet",
    "records": "API",
}
# Ibis type names (lake.query.Result.columns) → CKAN DataStore type names.
CKAN_TYPES = (
    ("string", "text"),
    ("int", "int"),
    ("uint", "int"),
    ("float", "float"),
    ("decimal", "numeric"),
    ("date", "date"),
    ("timestamp", "timestamp"),
    ("time", "time"),
    ("boolean", "bool"),
)

ACTIONS = {}


def action(func):
    ACTIONS[func.__name__] = func
    return func


class CkanError(Exception):
    """An error in CKAN's shape: ``__type``, HTTP status, message and field errors ``{field: [messages]}``."""

    def __init__(self, type_, status, message, fields=None, extra=None):
        super().__init__(str(message))
        self.type = type_
        self.status = status
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}


def not_found(message):
    return CkanError("Not Found Error", 404, message)


def invalid(field, message):
    return CkanError("Validation Error", 409, message, {field: [str(message)]})


# --- request handling ---------------------------------------------------------------------------------------
def help_url(name):
    return f"{settings.SITE_URL}/api/3/action/help_show?{urlencode({'name': name})}"


def _envelope(name, **body):
    return {"help": help_url(name), **body}


def _json(payload, status=200):
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def _error_response(name, exc):
    error = {"__type": exc.type, "message": str(exc.message)}
    error.update(
        {k: [str(m) for m in v] if isinstance(v, list | tuple) else v for k, v in exc.fields.items()}
    )
    error.update(exc.extra)
    return _json(_envelope(name, success=False, error=error), status=exc.status)


def _raw_token(request):
    """The API token as CKAN clients send it: ``Authorization: <token>`` (CKAN 2.10), ``Bearer <token>``
    or ``X-CKAN-API-Key``. ckanapi sends the first and the last with the same value."""
    header = request.headers.get("Authorization", "").strip()
    if header:
        scheme, _sep, rest = header.partition(" ")
        if scheme.lower() == "bearer":
            return rest.strip()
        if not rest:
            return header
        # Another scheme (Basic from a proxy, …) is not ours.
    return request.headers.get("X-CKAN-API-Key", "").strip() or None


def _actor(request):
    raw = _raw_token(request)
    if raw:
        user = user_for_token(raw)  # counts the request against the token's rate limit
        if user is None:
            raise CkanError("Authorization Error", 403, _("The API token is missing, unknown or revoked."))
        return user
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user  # every action is read-only, so a session needs no CSRF token here
    return AnonymousUser()


def _request_data(request):
    """Parameters: the query string for GET; for POST a JSON body (what ckanapi sends) or a form."""
    if request.method == "GET":
        return {k: v[-1] if len(v) == 1 else v for k, v in request.GET.lists()}
    content_type = (request.content_type or "").lower()
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {k: v[-1] if len(v) == 1 else v for k, v in request.POST.lists()}
    body = request.body
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CkanError("Bad request", 400, f"Bad request - JSON Error: {exc}")
    if not isinstance(data, dict):
        raise CkanError(
            "Bad request", 400, "Bad request - JSON Error: Request data JSON decoded to a non-dict"
        )
    if contains_nul(data):  # PostgreSQL text cannot hold U+0000 (core.textguard)
        raise CkanError("Bad request", 400, "Bad request - JSON Error: NUL character in a string")
    return data


def _from_domain(exc):
    if isinstance(exc, core_errors.NotFound):
        return CkanError("Not Found Error", 404, exc.render())
    if isinstance(exc, core_errors.PermissionDenied | core_errors.NotAuthenticated):
        return CkanError("Authorization Error", 403, exc.render())
    if isinstance(exc, core_errors.RateLimited):
        return CkanError("Rate Limit Error", 429, exc.render())
    if isinstance(exc, core_errors.ValidationError | core_errors.Conflict):
        fields = exc.errors if isinstance(exc.errors, dict) else {}
        return CkanError("Validation Error", 409, exc.render(), fields)
    return CkanError("Internal Server Error", exc.status, exc.render())


def _from_lake(exc, default_field):
    """A lake error as a CKAN Validation Error under the parameter at fault, with the lake's own description
    (naming the row, column or parameter) in ``info``."""
    info = lake_errors.as_dict(exc)
    field = {"columns": "fields", "query": default_field}.get(exc.param, exc.param)
    if field not in ("filters", "q", "fields", "sort", "limit", "offset", "sql", "resource_id"):
        field = default_field
    messages = [info["message"]]
    if info["detail"] and info["detail"] != info["message"]:
        messages.append(info["detail"])
    if exc.code in ("not_found", "no_such_dataset", "no_such_version", "no_data"):
        return CkanError("Not Found Error", 404, info["message"])
    return CkanError("Validation Error", 409, exc.describe(), {field: messages}, {"info": info})


@csrf_exempt
def action_view(request, name):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    func = ACTIONS.get(name)
    if func is None:
        # CKAN answers an unknown action with 400 "Bad request - Action name not known".
        exc = CkanError("Bad request", 400, f"Bad request - Action name not known: {name}")
        return _error_response(name, exc)
    try:
        actor = _actor(request)
        data = _request_data(request)
        result = func(actor, data, request)
    except CkanError as exc:
        return _error_response(name, exc)
    except core_errors.DongneError as exc:
        return _error_response(name, _from_domain(exc))
    except LakeError as exc:
        return _error_response(name, _from_lake(exc, "sql" if name == "datastore_search_sql" else "filters"))
    return _json(_envelope(name, success=True, result=result))


urlpatterns = [path("<str:name>", action_view)]


# --- parameters ---------------------------------------------------------------------------------------------
def _int(data, key, default, *, minimum=0, maximum=None):
    value = data.get(key, default)
    if value in (None, ""):
        return default
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(value)
    except (TypeError, ValueError):
        raise invalid(key, _("Enter a whole number."))
    if number < minimum:
        raise invalid(key, _("Must be %(minimum)s or more.") % {"minimum": minimum})
    return min(number, maximum) if maximum is not None else number


def _bool(data, key, default):
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes", "on", "t", "y")
    return bool(value)


def _json_value(data, key, *, kinds):
    """A parameter that may come JSON-encoded (GET, forms) or as a JSON value (POST body)."""
    value = data.get(key)
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            value = json.loads(value)
        except ValueError:
            raise invalid(key, _("Not valid JSON."))
    if value is not None and not isinstance(value, kinds):
        raise invalid(key, _("This parameter has the wrong form."))
    return value


def _names(data, key):
    """A list parameter: a JSON list, a list, or a comma-separated string."""
    value = _json_value(data, key, kinds=(list, str))
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    return [str(v).strip() for v in (value or []) if str(v).strip()]


def _need(data, key):
    value = data.get(key)
    if value in (None, "", []):
        raise invalid(key, _("Missing value"))
    return value


def _timestamp(value):
    """CKAN's timestamp form: ISO 8601 in UTC without a zone."""
    if value is None:
        return None
    return timezone.localtime(value, dt.UTC).replace(tzinfo=None).isoformat()


# --- package, resource and organisation dicts ---------------------------------------------------------------
def org_name(org):
    """The CKAN ``name`` (URL identifier) of a publisher: organisations have no slug, so org-<id>."""
    return f"org-{org.pk}"


def organization_dict(org, package_count=None):
    out = {
        "id": str(org.pk),
        "name": org_name(org),
        "title": org.name,
        "display_name": org.name,
        "title_translated": {"ko": org.name, "en": org.name_en or org.name},
        "description": org.description,
        "image_url": "",
        "created": _timestamp(org.created_at),
        "is_organization": True,
        "type": "organization",
        "state": "active",
        "approval_status": "approved",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_dict(theme, package_count=None):
    out = {
        "id": theme.code,
        "name": theme.code,
        "title": theme.name,
        "display_name": theme.name,
        "title_translated": {"ko": theme.name, "en": theme.name_en},
        "description": "",
        "image_display_url": "",
        "is_organization": False,
        "type": "group",
        "state": "active",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def resource_format(dataset):
    version = dataset.current_version
    if version is None:
        return "CSV"
    fmt = version.source_format or "csv"
    return FORMAT_NAMES.get(fmt, fmt.upper())


def resource_dict(dataset):
    version = dataset.current_version
    return {
        "id": str(dataset.resource_id),
        "package_id": str(dataset.package_id),
        "name": dataset.title,
        "description": version.note if version else "",
        "format": resource_format(dataset),
        "mimetype": "text/csv",
        "url": f"{settings.SITE_URL}/data/{dataset.slug}/download.csv",
        "url_type": None,
        "size": None,  # the CSV is written on request; its size is not known in advance
        "created": _timestamp(dataset.created_at),
        "last_modified": _timestamp(version.created_at) if version else None,
        "metadata_modified": _timestamp(dataset.updated_at),
        "datastore_active": version is not None,
        "position": 0,
        "state": "active",
        "hash": "",
        "resource_type": None,
        "version": version.number if version else None,
        "rows": version.rows if version else None,
    }


def _licence_title(code):
    try:
        return str(Licence(code).label)
    except ValueError:
        return code


def _region_names(codes):
    from dongne.core.regions import emd, sigungu

    names = []
    for code in codes:
        if code in sigungu():
            names.append(sigungu()[code])
        elif code in emd():
            sgg, name = emd()[code]
            names.append(f"{sigungu().get(sgg, '')} {name}".strip())
        else:
            names.append(code)
    return names


def package_dict(dataset):
    themes = list(dataset.themes.all())
    extras = []
    if dataset.spatial:
        extras.append({"key": "spatial_text", "value": ", ".join(_region_names(dataset.spatial))})
        extras.append({"key": "spatial_codes", "value": ",".join(dataset.spatial)})
    if dataset.temporal_start:
        extras.append({"key": "temporal_start", "value": dataset.temporal_start.isoformat()})
    if dataset.temporal_end:
        extras.append({"key": "temporal_end", "value": dataset.temporal_end.isoformat()})
    if dataset.frequency:
        extras.append({"key": "frequency", "value": FREQUENCY_DCAT.get(dataset.frequency, dataset.frequency)})
    publisher = dataset.publisher
    return {
        "id": str(dataset.package_id),
        "name": dataset.slug,
        "title": dataset.title,
        "title_translated": {"ko": dataset.title, "en": dataset.title_en or dataset.title},
        "notes": dataset.description,
        "notes_translated": {"ko": dataset.description, "en": dataset.description_en or dataset.description},
        "type": "dataset",
        "state": "active",
        "private": dataset.visibility != Visibility.PUBLIC,
        "visibility": dataset.visibility,
        "license_id": dataset.licence,
        "license_title": _licence_title(dataset.licence),
        "license_url": LICENCE_URLS.get(dataset.licence, ""),
        "isopen": dataset.licence in OPEN_LICENCES,
        "author": publisher.name if publisher else None,
        "author_email": None,
        "maintainer": dataset.contact_name or None,
        "maintainer_email": dataset.contact_email or None,
        "url": f"{settings.SITE_URL}/data/{dataset.slug}/",
        "version": str(dataset.current_version.number) if dataset.current_version else None,
        "metadata_created": _timestamp(dataset.created_at),
        "metadata_modified": _timestamp(dataset.updated_at),
        "owner_org": str(publisher.pk) if publisher else None,
        "organization": organization_dict(publisher) if publisher else None,
        "tags": [
            {"id": kw, "name": kw, "display_name": kw, "state": "active", "vocabulary_id": None}
            for kw in dataset.keywords
        ],
        "num_tags": len(dataset.keywords),
        "groups": [group_dict(theme) for theme in themes],
        "extras": extras,
        "num_resources": 1,
        "resources": [resource_dict(dataset)],
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def _visible(actor):
    return selectors.visible_datasets(actor).prefetch_related("themes")


def _dataset(actor, ident):
    """A visible dataset by slug or package id; otherwise Not Found (private datasets do not reveal that they
    exist)."""
    ident = str(ident).strip()
    try:
        slug = Dataset.objects.filter(package_id=uuid.UUID(ident)).values_list("slug", flat=True).first()
    except ValueError:
        slug = None
    return selectors.get_dataset(actor, slug or ident)


def _dataset_by_resource(actor, ident):
    try:
        resource_id = uuid.UUID(str(ident).strip())
    except ValueError:
        resource_id = None
    dataset = _visible(actor).filter(resource_id=resource_id).first() if resource_id else None
    if dataset is None:
        raise not_found(_("Resource %(id)s was not found.") % {"id": ident})
    return dataset


# --- catalog actions ----------------------------------------------------------------------------------------
@action
def package_list(actor, data, request):
    """Return the names (identifiers) of the datasets you can see, sorted by name.

    :param limit: how many names to return (optional)
    :param offset: how many to skip (optional)
    """
    limit = _int(data, "limit", None)
    offset = _int(data, "offset", 0)
    names = list(selectors.visible_datasets(actor).order_by("slug").values_list("slug", flat=True))
    return names[offset : offset + limit if limit is not None else None]


FQ_TERM = re.compile(r'([+-]?)([A-Za-z_]+):("(?:[^"\\]|\\.)*"|\S+)')
FQ_FIELDS = (
    "organization",
    "owner_org",
    "tags",
    "groups",
    "res_format",
    "license_id",
    "name",
    "id",
    "private",
)
SORT_FIELDS = {
    "score": lambda d, rank: -rank.get(d.pk, 0),
    "relevance": lambda d, rank: -rank.get(d.pk, 0),
    "metadata_modified": lambda d, rank: d.updated_at,
    "metadata_created": lambda d, rank: d.created_at,
    "title_string": lambda d, rank: d.title.casefold(),
    "title": lambda d, rank: d.title.casefold(),
    "name": lambda d, rank: d.slug,
}
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")


def _fq_terms(text, param):
    """``field:value`` conditions (all must hold; ``-field:value`` negates), as Solr's fq does for these."""
    terms = []
    rest = FQ_TERM.sub(" ", text or "")
    for sign, field, value in FQ_TERM.findall(text or ""):
        if field not in FQ_FIELDS:
            raise invalid(
                param,
                _("Cannot filter on %(field)s; use one of: %(fields)s.")
                % {"field": field, "fields": ", ".join(FQ_FIELDS)},
            )
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = value[1:-1].replace('\\"', '"')
        terms.append((field, value, sign == "-"))
    leftover = [w for w in rest.replace("*:*", " ").split() if w.upper() not in ("AND", "+")]
    if leftover:
        raise invalid(param, _("Write each condition as field:value (for example tags:관광)."))
    return terms


def _matches(dataset, field, value, themes):
    value_cf = value.casefold()
    if field in ("organization", "owner_org"):
        org = dataset.publisher
        return org is not None and value_cf in {
            org_name(org),
            str(org.pk),
            org.name.casefold(),
            (org.name_en or "").casefold(),
        }
    if field == "tags":
        return value_cf in {kw.casefold() for kw in dataset.keywords}
    if field == "groups":
        return any(value_cf in {t.code, t.name.casefold(), t.name_en.casefold()} for t in themes)
    if field == "res_format":
        return dataset.current_version is not None and value_cf in {
            resource_format(dataset).casefold(),
            (dataset.current_version.source_format or "").casefold(),
        }
    if field == "license_id":
        return dataset.licence.casefold() == value_cf
    if field == "name":
        return dataset.slug == value
    if field == "id":
        return str(dataset.package_id) == value_cf
    if field == "private":
        return (dataset.visibility != Visibility.PUBLIC) == (value_cf == "true")
    return False


def _sort_keys(text):
    keys = []
    for part in (text or "").split(","):
        words = part.split()
        if not words:
            continue
        field, direction = words[0], (words[1].lower() if len(words) > 1 else "asc")
        if field not in SORT_FIELDS or direction not in ("asc", "desc") or len(words) > 2:
            raise invalid(
                "sort",
                _("Sort by one of %(fields)s, followed by asc or desc.") % {"fields": ", ".join(SORT_FIELDS)},
            )
        keys.append((field, direction))
    return keys


def _facets(datasets, fields, limit):
    counts = {field: {} for field in fields}
    titles = {field: {} for field in fields}

    def add(field, name, title):
        if field in counts:
            counts[field][name] = counts[field].get(name, 0) + 1
            titles[field][name] = title

    for d in datasets:
        if d.publisher:
            add("organization", org_name(d.publisher), d.publisher.name)
        for theme in d.themes.all():
            add("groups", theme.code, theme.name)
        for kw in d.keywords:
            add("tags", kw, kw)
        if d.current_version:
            add("res_format", resource_format(d), resource_format(d))
        add("license_id", d.licence, _licence_title(d.licence))
    facets, search_facets = {}, {}
    for field in fields:
        items = sorted(counts[field].items(), key=lambda kv: (-kv[1], kv[0]))
        if limit >= 0:
            items = items[:limit]
        facets[field] = dict(items)
        search_facets[field] = {
            "title": field,
            "items": [{"name": name, "display_name": titles[field][name], "count": n} for name, n in items],
        }
    return facets, search_facets


@action
def package_search(actor, data, request):
    """Search the datasets you can see.

    :param q: Korean full-text search (title, description, keywords, themes, columns, publisher); ``field:value``
        terms are conditions like fq
    :param fq: conditions ``organization:<name>``, ``tags:<keyword>``, ``groups:<theme>``, ``res_format:<format>``,
        ``license_id:<id>``, ``name:<name>``, ``private:true|false``; all must hold, ``-field:value`` negates
    :param sort: e.g. ``metadata_modified desc`` or ``title_string asc`` (default ``score desc, metadata_modified
        desc``)
    :param rows: results per page (default 10, at most 1000)
    :param start: results to skip
    :param facet.field: JSON list of facet fields (default all of organization, groups, tags, res_format,
        license_id)
    :param facet.limit: values per facet (default 50; -1 for all)
    :param include_private: include members-only and private datasets you may see (default true)
    """
    rows = _int(data, "rows", 10, maximum=SEARCH_ROWS_MAX)
    start = _int(data, "start", 0)
    q = str(data.get("q") or "").strip()
    fq = [data.get("fq") or "", *_names(data, "fq_list")]
    if isinstance(fq[0], list):  # fq repeated in a query string
        fq = [*fq[0], *fq[1:]]
    if not all(isinstance(f, str) for f in fq):
        raise invalid("fq", _("This parameter has the wrong form."))
    terms = _fq_terms(" ".join(fq), "fq")
    # Fielded terms in q (tags:관광) are conditions too; the rest is the text to search.
    q_terms = [m for m in FQ_TERM.finditer(q) if m.group(2) in FQ_FIELDS]
    if q_terms:
        terms += _fq_terms(" ".join(m.group(0) for m in q_terms), "q")
        q = FQ_TERM.sub(lambda m: " " if m.group(2) in FQ_FIELDS else m.group(0), q).strip()
    if q in ("*:*", "*"):
        q = ""
    sort_text = str(data.get("sort") or "").strip() or (
        "score desc, metadata_modified desc" if q else "metadata_modified desc"
    )
    sort = _sort_keys(sort_text)
    fields = _names(data, "facet.field") if "facet.field" in data else list(FACET_FIELDS)
    unknown = [f for f in fields if f not in FACET_FIELDS]
    if unknown:
        raise invalid(
            "facet.field", _("Facets are available for: %(fields)s.") % {"fields": ", ".join(FACET_FIELDS)}
        )
    facet_limit = _int(data, "facet.limit", 50, minimum=-1)

    found = list(selectors.catalog(actor, q=q).prefetch_related("themes"))
    rank = {d.pk: position for position, d in enumerate(found)} if q else {}
    if not _bool(data, "include_private", True):
        found = [d for d in found if d.visibility == Visibility.PUBLIC]
    matched = []
    for d in found:
        themes = list(d.themes.all())
        if all(_matches(d, f, v, themes) != negate for f, v, negate in terms):
            matched.append(d)
    for field, direction in reversed(sort):
        matched.sort(key=lambda d, f=field: SORT_FIELDS[f](d, rank), reverse=direction == "desc")
    facets, search_facets = _facets(matched, fields, facet_limit)
    return {
        "count": len(matched),
        "sort": sort_text,
        "results": [package_dict(d) for d in matched[start : start + rows]],
        "facets": facets,
        "search_facets": search_facets,
    }


@action
def package_show(actor, data, request):
    """Return one dataset with its resource.

    :param id: the dataset's name (identifier, e.g. ``chuncheon-visitors``) or id (UUID)
    """
    return package_dict(_dataset(actor, _need(data, "id")))


@action
def resource_show(actor, data, request):
    """Return one resource (the data of a dataset's current version).

    :param id: the resource id (UUID)
    """
    dataset = _dataset_by_resource(actor, _need(data, "id"))
    return {**resource_dict(dataset), "package_name": dataset.slug}


def _publishers(actor):
    """{organisation: number of visible datasets} for the publishers of the datasets ``actor`` can see."""
    counts = {}
    for d in selectors.visible_datasets(actor).exclude(publisher=None):
        counts[d.publisher] = counts.get(d.publisher, 0) + 1
    return counts


@action
def organization_list(actor, data, request):
    """Return the publishers of the datasets you can see.

    :param all_fields: return dicts instead of names (default false)
    :param sort: ``name asc`` (default), ``title asc`` or ``package_count desc``
    :param limit: how many (optional)
    :param offset: how many to skip (optional)
    :param organizations: only these names (optional list)
    """
    counts = _publishers(actor)
    wanted = set(_names(data, "organizations"))
    orgs = [o for o in counts if not wanted or org_name(o) in wanted]
    sort = str(data.get("sort") or "name asc").split()
    field, direction = sort[0], (sort[1].lower() if len(sort) > 1 else "asc")
    keys = {"name": lambda o: o.pk, "title": lambda o: o.name, "package_count": lambda o: counts[o]}
    if field not in keys or direction not in ("asc", "desc"):
        raise invalid("sort", _("Sort by name, title or package_count, followed by asc or desc."))
    orgs.sort(key=keys[field], reverse=direction == "desc")
    offset = _int(data, "offset", 0)
    limit = _int(data, "limit", None)
    orgs = orgs[offset : offset + limit if limit is not None else None]
    if _bool(data, "all_fields", False):
        return [organization_dict(o, counts[o]) for o in orgs]
    return [org_name(o) for o in orgs]


@action
def organization_show(actor, data, request):
    """Return one publisher.

    :param id: its name (``org-<n>``), id or Korean name
    :param include_datasets: include its datasets you can see (default false, at most 1000)
    """
    ident = str(_need(data, "id")).strip()
    counts = _publishers(actor)
    for org, n in counts.items():
        if ident in (org_name(org), str(org.pk), org.name):
            out = organization_dict(org, n)
            if _bool(data, "include_datasets", False):
                datasets = _visible(actor).filter(publisher=org).order_by("slug")[:SEARCH_ROWS_MAX]
                out["packages"] = [package_dict(d) for d in datasets]
            return out
    raise not_found(_("Organization %(id)s was not found.") % {"id": ident})


@action
def group_list(actor, data, request):
    """Return the themes (CKAN groups) of the datasets you can see.

    :param all_fields: return dicts instead of names (default false)
    """
    visible = selectors.visible_datasets(actor).values("pk")
    counts = {}
    for theme_id in Dataset.themes.through.objects.filter(dataset_id__in=visible).values_list(
        "theme_id", flat=True
    ):
        counts[theme_id] = counts.get(theme_id, 0) + 1
    themes = list(Theme.objects.filter(pk__in=counts).order_by("code"))
    if _bool(data, "all_fields", False):
        return [group_dict(t, counts[t.pk]) for t in themes]
    return [t.code for t in themes]


@action
def license_list(actor, data, request):
    """Return the licences datasets can carry."""
    return [
        {
            "id": value,
            "title": str(label),
            "url": LICENCE_URLS.get(value, ""),
            "od_conformance": "approved" if value in OPEN_LICENCES else "not reviewed",
            "status": "active",
        }
        for value, label in Licence.choices
    ]


# --- DataStore ----------------------------------------------------------------------------------------------
def ckan_type(ibis_type):
    for prefix, name in CKAN_TYPES:
        if ibis_type.startswith(prefix):
            return name
    return "text"


def _text_predicate(table, query):
    """Rows where every word of ``query`` occurs (case-insensitively) in one of the columns searched."""
    import ibis

    schema = table.schema()
    if isinstance(query, dict):
        conditions = []
        for column, text in query.items():
            if column not in schema:
                raise QueryError(
                    f"There is no column {column!r} to search; the columns are: {', '.join(schema.names[:20])}.",
                    code="unknown_column",
                    column=column,
                    param="q",
                )
            col = table[column] if schema[column].is_string() else table[column].cast("string")
            conditions += [col.lower().contains(w.lower()) for w in str(text).split()]
        return conditions
    columns = [table[name] for name in schema.names if schema[name].is_string()]
    conditions = []
    for word in str(query).split():
        if not columns:
            return [ibis.literal(False)]
        conditions.append(ibis.or_(*[col.lower().contains(word.lower()) for col in columns]))
    return conditions


def _searching(engine, query):
    """An engine that runs the query layer on the rows matching ``query`` — CKAN's ``q`` — and otherwise
    delegates to ``engine`` (the lake's backend interface)."""
    from dongne.lake.engines import Engine

    class TextSearch(Engine):
        name = engine.name

        @contextlib.contextmanager
        def open(self, paths):
            with engine.open(paths) as table:
                conditions = _text_predicate(table, query)
                yield table.filter(*conditions) if conditions else table

        def fetch(self, expr, *, limit=None, offset=0):
            return engine.fetch(expr, limit=limit, offset=offset)

        def count(self, expr):
            return engine.count(expr)

    return TextSearch()


def _text_query(value):
    """CKAN's ``q``: ``{"column": "text"}`` (possibly JSON-encoded), else plain text — text that merely looks
    like JSON stays text, as in CKAN."""
    if isinstance(value, str) and value.strip().startswith("{"):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()} or None
    if isinstance(value, list | int | float):
        raise invalid("q", _("This parameter has the wrong form."))
    return str(value or "").strip() or None


def _sort_param(value):
    """CKAN's sort: ``"col desc, \\"other col\\""`` or a list of such strings → [[column, direction]]."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    pairs = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        direction = "asc"
        match = re.fullmatch(r"(.*?)\s+(asc|desc)", text, flags=re.IGNORECASE)
        if match:
            text, direction = match.group(1).strip(), match.group(2).lower()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        pairs.append([text, direction])
    return pairs


def _value(value):
    """A JSON value as CKAN gives it: numeric (decimal) values as numbers, dates as ISO 8601."""
    from dongne.lake.query import json_safe

    if isinstance(value, decimal.Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    return json_safe(value)


def _rows(result):
    return [{k: _value(v) for k, v in row.items()} for row in result.rows]


def _records(result, records_format):
    names = [c["name"] for c in result.columns]
    rows = _rows(result)
    if records_format == "lists":
        return [[row.get(n) for n in names] for row in rows]
    if records_format in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if records_format == "csv" else "\t", lineterminator="\n")
        for row in rows:
            writer.writerow(["" if row.get(n) is None else row.get(n) for n in names])
        return out.getvalue()
    return rows


def _links(request, data, offset, limit):
    params = {}
    for key, value in data.items():
        if key == "offset":
            continue
        params[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    start = f"{request.path}?{urlencode(params)}"
    return {"start": start, "next": f"{request.path}?{urlencode({**params, 'offset': offset + limit})}"}


@action
def datastore_search(actor, data, request):
    """Rows of a resource (the current version of a dataset).

    :param resource_id: the resource id (``id`` is accepted too)
    :param filters: ``{"column": value}`` or ``{"column": [values]}`` (equality; a list means any of them)
    :param q: full-text: a string searched in every text column, or ``{"column": "text"}``
    :param fields: columns to return (list or comma-separated)
    :param sort: ``"column desc, other"``
    :param limit: rows (default 100, at most DONGNE_DATAHUB_MAX_ROWS)
    :param offset: rows to skip
    :param records_format: ``objects`` (default), ``lists``, ``csv`` or ``tsv``
    """
    from dongne.lake.engines import get_engine
    from dongne.lake.query import QuerySpec, run_query

    resource_id = data.get("resource_id") or data.get("id")
    if not resource_id:
        raise invalid("resource_id", _("Missing value"))
    dataset = _dataset_by_resource(actor, resource_id)
    if dataset.current_version is None:
        raise not_found(_("Resource %(id)s has no data yet.") % {"id": resource_id})
    filters = _json_value(data, "filters", kinds=dict) or {}
    q = _text_query(data.get("q"))
    records_format = str(data.get("records_format") or "objects")
    if records_format not in ("objects", "lists", "csv", "tsv"):
        raise invalid("records_format", _("Use objects, lists, csv or tsv."))
    spec = {
        "filters": filters,
        "sort": _sort_param(_json_value(data, "sort", kinds=(list, str))),
        "limit": _int(data, "limit", 100),
        "offset": _int(data, "offset", 0),
    }
    fields = _names(data, "fields")
    if fields:
        spec["columns"] = fields
    paths = [str(p) for p in selectors.lake_version(dataset).files]
    engine = _searching(get_engine(), q) if q else None
    result = run_query(paths, QuerySpec.from_dict(spec), engine, max_limit=settings.DATAHUB_MAX_ROWS)
    services.count_usage(dataset, api_calls=1, rows=len(result.rows))
    body = {
        "include_total": True,
        "resource_id": str(dataset.resource_id),
        "fields": [{"id": c["name"], "type": ckan_type(c["type"])} for c in result.columns],
        "records_format": records_format,
        "records": _records(result, records_format),
        "total": result.total,
        "total_was_estimated": False,
        "limit": result.limit,
        "offset": result.offset,
        "_links": _links(request, data, result.offset, result.limit),
    }
    for key in ("filters", "q", "sort"):
        if data.get(key):
            body[key] = data[key]
    return body


def _rewrite_resource_ids(actor, sql):
    """Replace ``"<resource_id>"`` table references (CKAN's way of naming DataStore tables) by our table names.
    Only visible datasets with data are rewritten; anything else stays as written and is refused as an unknown
    table."""
    from sqlglot.dialects.duckdb import DuckDB
    from sqlglot.errors import TokenError
    from sqlglot.tokens import TokenType

    try:
        tokens = DuckDB().tokenize(sql)
    except TokenError:
        return sql  # run_sql reports the syntax error
    found = []
    for tok in tokens:
        if tok.token_type == TokenType.IDENTIFIER:
            try:
                found.append((tok, uuid.UUID(tok.text)))
            except ValueError:
                continue
    if not found:
        return sql
    names = {
        d.resource_id: selectors.table_name(d.slug)
        for d in selectors.visible_datasets(actor)
        .exclude(current_version=None)
        .filter(resource_id__in=[u for _t, u in found])
    }
    for tok, rid in sorted(found, key=lambda item: item[0].start, reverse=True):
        if rid in names:
            sql = f'{sql[: tok.start]}"{names[rid]}"{sql[tok.end + 1 :]}'
    return sql


@action
def datastore_search_sql(actor, data, request):
    """Run one read-only SELECT; tables are named by resource id in double quotes (``SELECT * FROM
    "<resource_id>"``), as in CKAN, or by the dataset's table name (its identifier with _ for -).

    :param sql: the statement (at most DONGNE_DATAHUB_MAX_ROWS rows come back; ``records_truncated`` says when
        there were more)
    """
    from dongne.lake.query import run_sql

    sql = _need(data, "sql")
    if not isinstance(sql, str):
        raise invalid("sql", _("This parameter has the wrong form."))
    rewritten = _rewrite_resource_ids(actor, sql)
    tables, used = selectors.sql_tables(actor, rewritten)
    result = run_sql(
        tables, rewritten, max_rows=settings.DATAHUB_MAX_ROWS, timeout_s=settings.DATAHUB_SQL_TIMEOUT
    )
    for dataset in used:
        services.count_usage(dataset, api_calls=1, rows=len(result.rows))
    body = {
        "sql": sql,
        "records": _rows(result),
        "fields": [{"id": c["name"], "type": ckan_type(c["type"])} for c in result.columns],
    }
    if result.truncated:
        body["records_truncated"] = True
    return body


# --- site ---------------------------------------------------------------------------------------------------
@action
def status_show(actor, data, request):
    """Return the site's description and the CKAN API version it follows."""
    return {
        "site_title": str(_("Dongne data catalog")),
        "site_description": str(_("Regional data of Gangwon's ICT social cooperative")),
        "site_url": settings.SITE_URL,
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": settings.LANGUAGE_CODE,
        "extensions": ["datastore"],
    }


@action
def site_read(actor, data, request):
    """Return true: the site can be read."""
    return True


@action
def help_show(actor, data, request):
    """Return the help text of an action.

    :param name: the action's name
    """
    name = str(_need(data, "name"))
    func = ACTIONS.get(name)
    if func is None:
        raise not_found(_("Action %(name)s does not exist.") % {"name": name})
    return func.__doc__
