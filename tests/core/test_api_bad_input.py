"""Bad input the API fuzzing found (tests/core/test_api_fuzz.py), pinned: each was a 500 and is now a
400 with the platform's error body, or an empty answer where the input matches nothing."""

import pytest

from dongne.core import services
from dongne.datahub.models import Dataset
from dongne.network.models import Organisation
from dongne.opportunities.models import Opportunity
from dongne.spaces.models import Facility
from tests.core.test_api_fuzz import platform  # noqa: F401  (the fuzz test's seeded platform)

HUGE = 10**21  # more than any database integer


@pytest.fixture
def api(client, platform):  # noqa: F811
    client.raise_request_exception = False
    token = services.create_api_token(actor=platform, name="bad input")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token.raw_token}"}
    ids = {
        "slug": Dataset.objects.get().slug,
        "opp": Opportunity.objects.get().pk,
        "org": Organisation.objects.first().pk,
        "facility": Facility.objects.get().pk,
    }

    def call(method, url, body=None):
        url = url.format(**ids)
        if body and body.get("facility_id") == "{facility}":
            body = {**body, "facility_id": ids["facility"], "organisation_id": ids["org"]}
        if method == "get":
            return client.get(url, **headers)
        return client.post(url, body, content_type="application/json", **headers)

    return call


@pytest.mark.parametrize(
    "method, url, body, param",
    [
        ("get", f"/api/v1/network/organisations?limit={HUGE}", None, "limit"),
        ("get", f"/api/v1/network/organisations?offset={HUGE}", None, "offset"),
        ("get", f"/api/v1/network/mous?expiring_within_days={HUGE}", None, "expiring_within_days"),
        ("get", "/api/v1/network/mous?expiring_within_days=99999999", None, "expiring_within_days"),
        ("get", "/api/v1/opportunities/outcomes?year=-177", None, "year"),
        ("get", "/api/v1/opportunities/opportunities/{opp}/matches?limit=-5", None, "limit"),
        ("get", "/api/v1/opportunities/matches/{org}?limit=0", None, "limit"),
        ("get", f"/api/v1/datahub/datasets/{{slug}}/rows?offset={HUGE}", None, "offset"),
        ("post", "/api/v1/datahub/datasets/{slug}/query", {"offset": HUGE}, "offset"),
        *(
            ("post", "/api/v1/spaces/bookings", {"facility_id": "{facility}", **booking}, "start")
            for booking in (
                {"start": "0001-01-01T10:00:00+14:00", "end": "0001-01-01T11:00:00+14:00"},
                {"start": "9999-12-31T10:00:00-12:00", "end": "9999-12-31T11:00:00-12:00"},
                {"start": "9999-12-25T10:00:00", "end": "9999-12-25T11:00:00", "occurrences": 3},
            )
        ),
    ],
)
def test_out_of_range_numbers_are_refused_naming_the_parameter(api, method, url, body, param):
    response = api(method, url, body)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] and error["messages"]["ko"] and error["messages"]["en"]
    assert param in str(error.get("errors"))


def test_a_publisher_that_is_not_an_organisation_id_matches_no_dataset(api, client):
    response = api("get", "/api/v1/datahub/datasets?publisher=²")
    assert (response.status_code, response.json()["items"]) == (200, [])
    assert client.get("/data/?publisher=²").status_code == 200  # the catalog page shares the filter


# --- NUL characters: PostgreSQL's text cannot hold U+0000 (a 500 there, hidden junk on SQLite) -----------------


def test_a_json_body_with_a_nul_character_is_refused_and_nothing_is_stored(api):
    before = Opportunity.objects.count()
    body = {"kind": "funding_call", "title": "공고\x00", "regions": ["춘천\x00"]}
    response = api("post", "/api/v1/opportunities/opportunities", body)
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"
    assert "NUL" in response.json()["messages"]["ko"]
    assert Opportunity.objects.count() == before


def test_a_query_string_with_a_nul_character_is_refused_on_api_and_pages(api, client):
    response = api("get", "/api/v1/opportunities/opportunities?q=%00")
    assert (response.status_code, response.json()["code"]) == (400, "nul_character")
    page = client.get("/network/?q=a%00b")
    assert page.status_code == 400
    assert "NUL" in page.content.decode()


def test_a_form_post_with_a_nul_character_is_refused_and_nothing_is_stored(client, platform):  # noqa: F811
    client.force_login(platform)
    before = Opportunity.objects.count()
    response = client.post("/opportunities/new/", {"kind": "funding_call", "title": "공고\x00"})
    assert response.status_code == 400
    assert Opportunity.objects.count() == before


def test_the_ckan_action_api_refuses_a_nul_character_in_its_json_body(client, platform):  # noqa: F811
    response = client.post("/api/3/action/package_search", {"q": "\x00"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_an_anonymous_write_is_refused_before_its_body_is_read(client, platform):  # noqa: F811
    for url, body in [
        ("/api/v1/datahub/datasets", {"title": 5}),  # a bad body: still 401, not 400
        ("/api/v1/opportunities/opportunities", "not json"),
        ("/api/v1/network/organisations", {}),
    ]:
        response = client.post(url, body, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated"), url
    # the public's read-only queries sent as POST still answer
    response = client.post("/api/v1/datahub/sql", {"sql": "select 1 as one"}, content_type="application/json")
    assert response.status_code == 200, response.content


def test_text_longer_than_its_column_is_a_field_error_on_every_database(api):
    # PostgreSQL refuses a value longer than a varchar (was a 500 there); SQLite would store it whole.
    before = Opportunity.objects.count()
    response = api(
        "post", "/api/v1/opportunities/opportunities", {"kind": "funding_call", "title": "가" * 600}
    )
    assert response.status_code == 400
    error = response.json()
    assert list(error["errors"]) == ["title"] and "600" in error["errors"]["title"][0]
    assert Opportunity.objects.count() == before


def test_a_number_beyond_its_column_is_a_field_error_on_every_database(api):
    # PostgreSQL's integer holds up to 2^31 - 1 (a 500 there before); SQLite would store 3 billion.
    before = Opportunity.objects.count()
    body = {"kind": "funding_call", "title": "인원 초과", "min_employees": 3_000_000_000}
    response = api("post", "/api/v1/opportunities/opportunities", body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["min_employees"]
    assert Opportunity.objects.count() == before
