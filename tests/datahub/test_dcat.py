"""The DCAT-AP style JSON-LD catalog: rdflib reads it, and graph queries find what a harvester needs."""

import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib import namespace as ns

from . import ckan_fixtures

# Fixtures shared with test_ckan (no conftest.py in tests/datahub).
ckan_catalog = ckan_fixtures.ckan_catalog
lake_in_tmp = ckan_fixtures.lake_in_tmp

# rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SITE = "https://data.dongne.test"
VCARD = ns.Namespace("http://www.w3.org/2006/vcard/ns#")
SKOS = ns.Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.fixture
def graph(client, ckan_catalog):
    response = client.get("/catalog.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    return rdflib.Graph().parse(data=response.content.decode("utf-8"), format="json-ld")


def dataset_uri(slug):
    return URIRef(f"{SITE}/data/{slug}/")


def test_catalog_lists_only_public_datasets(graph):
    [catalog] = graph.subjects(ns.RDF.type, ns.DCAT.Catalog)
    assert catalog == URIRef(f"{SITE}/catalog.jsonld")
    listed = set(graph.objects(catalog, ns.DCAT.dataset))
    assert listed == {dataset_uri("chuncheon-tourism"), dataset_uri("empty-plan")}
    assert set(graph.subjects(ns.RDF.type, ns.DCAT.Dataset)) == listed
    # Members-only and private datasets leave no trace, not even a title.
    text = graph.serialize(format="nt")
    for hidden in ("members-commerce", "org-survey", "soyang-survey", "소양 관광 내부 조사"):
        assert hidden not in text


def test_sparql_finds_korean_titles_with_language_tags_and_licences(graph):
    rows = graph.query(
        """
        SELECT ?dataset ?title ?licence WHERE {
            ?catalog a dcat:Catalog ; dcat:dataset ?dataset .
            ?dataset dct:title ?title ; dct:license ?licence .
            FILTER (lang(?title) = "ko")
        } ORDER BY ?dataset
        """,
        initNs={"dcat": ns.DCAT, "dct": ns.DCTERMS},
    )
    assert [(str(r.dataset), r.title.language, str(r.title), str(r.licence)) for r in rows] == [
        (
            f"{SITE}/data/chuncheon-tourism/",
            "ko",
            "춘천 관광지 방문객 현황",
            "https://www.kogl.or.kr/info/licenseType1.do",
        ),
        (
            f"{SITE}/data/empty-plan/",
            "ko",
            "준비 중인 교통 데이터",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
    ]
    tourism = dataset_uri("chuncheon-tourism")
    licence = graph.value(tourism, ns.DCTERMS.license)
    assert (licence, ns.RDF.type, ns.DCTERMS.LicenseDocument) in graph
    labels = {(label.language, str(label)) for label in graph.objects(licence, ns.RDFS.label)}
    assert labels == {("ko", "공공누리 제1유형(출처표시)"), ("en", "KOGL Type 1 (attribution)")}
    assert Literal("Chuncheon tourist attraction visitors", lang="en") in set(
        graph.objects(tourism, ns.DCTERMS.title)
    )
    assert Literal("강원 관광지별 일 방문객 수", lang="ko") in set(
        graph.objects(tourism, ns.DCTERMS.description)
    )


def test_dataset_metadata_follows_dcat_ap(graph):
    tourism = dataset_uri("chuncheon-tourism")
    publisher = graph.value(tourism, ns.DCTERMS.publisher)
    assert (publisher, ns.RDF.type, ns.FOAF.Organization) in graph
    assert Literal("봄내데이터랩", lang="ko") in set(graph.objects(publisher, ns.FOAF.name))

    assert {str(k) for k in graph.objects(tourism, ns.DCAT.keyword)} == {"관광", "방문객"}
    themes = set(graph.objects(tourism, ns.DCAT.theme))
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON") in themes
    labels = {str(label) for t in themes for label in graph.objects(t, SKOS.prefLabel)}
    assert {"관광", "Tourism", "레저"} <= labels

    period = graph.value(tourism, ns.DCTERMS.temporal)
    assert (period, ns.RDF.type, ns.DCTERMS.PeriodOfTime) in graph
    assert graph.value(period, ns.DCAT.startDate) == Literal("2024-05-01", datatype=ns.XSD.date)
    assert graph.value(period, ns.DCAT.endDate) == Literal("2024-05-31", datatype=ns.XSD.date)
    assert graph.value(tourism, ns.DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    )
    place = graph.value(tourism, ns.DCTERMS.spatial)
    assert graph.value(place, SKOS.prefLabel) == Literal("춘천시", lang="ko")
    assert str(graph.value(place, ns.DCTERMS.identifier)) == "32010"

    contact = graph.value(tourism, ns.DCAT.contactPoint)
    assert str(graph.value(contact, VCARD.fn)) == "박데이터"
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:data@bomnae.test")
    issued = graph.value(tourism, ns.DCTERMS.issued)
    assert issued.datatype == ns.XSD.dateTime
    assert graph.value(tourism, ns.DCTERMS.modified).toPython() >= issued.toPython()


def test_distributions_give_download_urls_media_types_and_size(graph, ckan_catalog):
    rows = graph.query(
        """
        SELECT ?url ?media WHERE {
            ?dataset dcat:distribution ?dist .
            ?dist a dcat:Distribution ; dcat:downloadURL ?url ; dcat:mediaType ?media .
        } ORDER BY ?url
        """,
        initNs={"dcat": ns.DCAT},
        initBindings={"dataset": dataset_uri("chuncheon-tourism")},
    )
    assert [(str(r.url), str(r.media).rsplit("/", 2)[-2:]) for r in rows] == [
        (f"{SITE}/data/chuncheon-tourism/download.csv", ["text", "csv"]),
        (f"{SITE}/data/chuncheon-tourism/download.json", ["application", "json"]),
        (f"{SITE}/data/chuncheon-tourism/download.parquet", ["application", "vnd.apache.parquet"]),
    ]
    parquet = URIRef(f"{SITE}/data/chuncheon-tourism/download.parquet")
    size = graph.value(parquet, ns.DCAT.byteSize)
    assert size.toPython() == ckan_catalog.tourism.current_version.bytes > 0
    # A dataset without data yet has no distribution to offer.
    assert list(graph.objects(dataset_uri("empty-plan"), ns.DCAT.distribution)) == []


def test_every_uri_is_absolute_on_the_site_url(graph):
    uris = {str(node) for triple in graph for node in triple if isinstance(node, URIRef)}
    ours = {u for u in uris if "data.dongne.test" in u}
    assert ours
    assert all(u.startswith(SITE + "/") for u in ours)
    assert all(u.startswith(("http://", "https://", "mailto:")) for u in uris)
