"""DCAT-AP style catalog of the public datasets as JSON-LD, at /catalog.jsonld.

One ``dcat:Catalog`` with a ``dcat:Dataset`` per public dataset: titles and descriptions with language tags
(ko, en), publisher (``foaf:Organization``), themes (our own ``skos:Concept`` and the EU data theme), keywords,
licence, spatial coverage (시군구/읍면동 as ``dct:Location``), temporal coverage (``dct:PeriodOfTime``),
update frequency (EU frequency vocabulary), contact point (vCard), issue and modification dates and one
``dcat:Distribution`` per download format. URIs are absolute, built from DONGNE_SITE_URL. Members-only and
private datasets are never listed. Harvesters (ckanext-dcat, data.europa.eu, rdflib) read it as RDF.
"""

import datetime as dt

from django.conf import settings
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone, translation

from dongne.core.regions import emd, sigungu

from .choices import FREQUENCY_DCAT, LICENCE_URLS, Licence, Visibility
from .models import Dataset

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
    "owl": "http://www.w3.org/2002/07/owl#",
}
EU_THEME = "http://publications.europa.eu/resource/authority/data-theme/"
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "http://www.iana.org/assignments/media-types/"
# Our themes on the EU data-theme vocabulary (DCAT-AP asks for it), next to our own concepts.
THEME_EU = {
    "tourism": "ECON",
    "culture": "EDUC",
    "leisure": "EDUC",
    "transport": "TRAN",
    "population": "SOCI",
    "commerce": "ECON",
    "environment": "ENVI",
    "economy": "ECON",
    "administration": "GOVE",
    "education": "EDUC",
}
DOWNLOADS = (
    ("csv", "CSV", "text/csv"),
    ("json", "JSON", "application/json"),
    ("parquet", "PARQUET", "application/vnd.apache.parquet"),
)


def _uri(path):
    return f"{settings.SITE_URL}{path}"


def _texts(ko, en):
    """A language-tagged value per language that has text."""
    values = [{"@value": ko, "@language": "ko"}] if ko else []
    if en:
        values.append({"@value": en, "@language": "en"})
    return values


def _datetime(value):
    return {"@value": timezone.localtime(value, dt.UTC).isoformat(), "@type": "xsd:dateTime"}


def _date(value):
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _label(code, language):
    if code not in Licence.values:
        return code
    with translation.override(language):
        return str(Licence(code).label)


def _licence(code):
    url = LICENCE_URLS.get(code)
    label = _texts(_label(code, "ko"), _label(code, "en"))
    if url:
        return {"@id": url, "@type": "dct:LicenseDocument", "rdfs:label": label}
    return {"@type": "dct:LicenseDocument", "rdfs:label": label}


def theme_uri(code):
    """A theme is a concept whose page is the catalog filtered by it."""
    return _uri(f"/data/?theme={code}")


def _location(code):
    if code in sigungu():
        name = sigungu()[code]
    elif code in emd():
        sgg, emd_name = emd()[code]
        name = f"{sigungu().get(sgg, '')} {emd_name}".strip()
    else:
        name = code
    return {
        "@type": "dct:Location",
        "dct:identifier": code,
        "skos:prefLabel": {"@value": name, "@language": "ko"},
    }


def _publisher(org):
    return {
        "@id": _uri(f"/network/organisations/{org.pk}/"),
        "@type": "foaf:Organization",
        "foaf:name": _texts(org.name, org.name_en),
    }


def _distributions(dataset):
    version = dataset.current_version
    if version is None:
        return []
    out = []
    for ext, file_type, media_type in DOWNLOADS:
        url = _uri(f"/data/{dataset.slug}/download.{ext}")
        dist = {
            "@id": url,
            "@type": "dcat:Distribution",
            "dct:title": _texts(
                f"{dataset.title} ({file_type})",
                f"{dataset.title_en} ({file_type})" if dataset.title_en else "",
            ),
            "dcat:downloadURL": {"@id": url},
            "dcat:accessURL": {"@id": url},
            "dcat:mediaType": {"@id": IANA + media_type},
            "dct:format": {"@id": EU_FILE_TYPE + file_type},
            "dct:license": _licence(dataset.licence),
            "dct:modified": _datetime(version.created_at),
        }
        if ext == "parquet" and version.bytes:
            # The stored Parquet files are what is served; the other formats are written on request.
            dist["dcat:byteSize"] = {"@value": str(version.bytes), "@type": "xsd:nonNegativeInteger"}
        out.append(dist)
    return out


def dataset_node(dataset):
    uri = _uri(f"/data/{dataset.slug}/")
    node = {
        "@id": uri,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.slug,
        "adms:identifier": {"@type": "adms:Identifier", "skos:notation": str(dataset.package_id)},
        "dct:title": _texts(dataset.title, dataset.title_en),
        "dct:description": _texts(dataset.description, dataset.description_en),
        "dcat:landingPage": {"@id": uri},
        "dct:issued": _datetime(dataset.created_at),
        "dct:modified": _datetime(dataset.updated_at),
        "dct:license": _licence(dataset.licence),
        "dcat:keyword": [{"@value": kw, "@language": "ko"} for kw in dataset.keywords],
        "dcat:theme": [],
        "dcat:distribution": _distributions(dataset),
    }
    for theme in dataset.themes.all():
        node["dcat:theme"].append(
            {
                "@id": theme_uri(theme.code),
                "@type": "skos:Concept",
                "skos:prefLabel": _texts(theme.name, theme.name_en),
                "skos:inScheme": {"@id": _uri("/data/#themes")},
            }
        )
        if theme.code in THEME_EU:
            node["dcat:theme"].append({"@id": EU_THEME + THEME_EU[theme.code]})
    if dataset.publisher:
        node["dct:publisher"] = _publisher(dataset.publisher)
    if dataset.spatial:
        node["dct:spatial"] = [_location(code) for code in dataset.spatial]
    if dataset.temporal_start or dataset.temporal_end:
        period = {"@type": "dct:PeriodOfTime"}
        if dataset.temporal_start:
            period["dcat:startDate"] = _date(dataset.temporal_start)
        if dataset.temporal_end:
            period["dcat:endDate"] = _date(dataset.temporal_end)
        node["dct:temporal"] = period
    if dataset.frequency in FREQUENCY_DCAT:
        node["dct:accrualPeriodicity"] = {"@id": FREQUENCY_DCAT[dataset.frequency]}
    if dataset.contact_name or dataset.contact_email:
        contact = {"@type": "vcard:Kind"}
        if dataset.contact_name:
            contact["vcard:fn"] = dataset.contact_name
        if dataset.contact_email:
            contact["vcard:hasEmail"] = {"@id": f"mailto:{dataset.contact_email}"}
        node["dcat:contactPoint"] = contact
    return node


def catalog_document():
    """The whole catalog as a JSON-LD dict (public datasets only)."""
    datasets = (
        Dataset.objects.filter(visibility=Visibility.PUBLIC)
        .select_related("publisher", "current_version")
        .prefetch_related("themes")
        .order_by("slug")
    )
    nodes = [dataset_node(d) for d in datasets]
    modified = max((d.updated_at for d in datasets), default=None)
    catalog = {
        "@context": CONTEXT,
        "@id": _uri("/catalog.jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": _texts("동네 데이터 카탈로그", "Dongne data catalog"),
        "dct:description": _texts(
            "강원 지역 ICT 사회적협동조합의 지역 데이터 카탈로그",
            "Regional data catalog of a Gangwon ICT social cooperative",
        ),
        "dct:publisher": {
            "@id": _uri("/"),
            "@type": "foaf:Organization",
            "foaf:name": _texts("동네", "Dongne"),
        },
        "foaf:homepage": {"@id": _uri("/")},
        "dct:language": {"@id": "http://publications.europa.eu/resource/authority/language/KOR"},
        "dcat:themeTaxonomy": {
            "@id": _uri("/data/#themes"),
            "@type": "skos:ConceptScheme",
            "dct:title": _texts("주제", "Themes"),
        },
        "dcat:dataset": nodes,
    }
    if modified:
        catalog["dct:modified"] = _datetime(modified)
    return catalog


def catalog_jsonld(request):
    return JsonResponse(
        catalog_document(),
        content_type="application/ld+json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


urlpatterns = [path("", catalog_jsonld, name="dcat_catalog")]
