"""The CKAN-compatible Action API: the real ckanapi client against a live server, then the envelope, parameters,
visibility, errors and rate limits through the Django test client."""

import json

import ckanapi
import pytest

from dongne.datahub.models import DatasetUsage

from . import ckan_fixtures
from .ckan_fixtures import token_for

# Fixtures shared with test_dcat (no conftest.py in tests/datahub).
ckan_catalog = ckan_fixtures.ckan_catalog
lake_in_tmp = ckan_fixtures.lake_in_tmp

API = "/api/3/action/"


def call(client, name, token=None, method="get", prefix=API, **params):
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    if method == "get":
        params = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in params.items()}
        return client.get(prefix + name, params, **headers)
    return client.post(prefix + name, params, content_type="application/json", **headers)


def result(response):
    body = response.json()
    assert response.status_code == 200, body
    assert body["success"] is True
    return body["result"]


def error(response, status, type_):
    body = response.json()
    assert response.status_code == status, body
    assert body["success"] is False
    assert body["error"]["__type"] == type_
    return body["error"]


# --- the real client ------------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_ckanapi_client_works_unchanged(live_server, ckan_catalog, rep):
    tourism = ckan_catalog.tourism
    member = ckanapi.RemoteCKAN(live_server.url, apikey=token_for(rep), user_agent="dongne-test")
    public = ckanapi.RemoteCKAN(live_server.url, user_agent="dongne-test")

    assert member.action.package_list() == [
        "chuncheon-tourism",
        "empty-plan",
        "members-commerce",
        "org-survey",
    ]
    assert public.action.package_list() == ["chuncheon-tourism", "empty-plan"]

    found = member.action.package_search(q="관광")
    assert found["count"] == 1
    assert found["results"][0]["name"] == "chuncheon-tourism"
    assert found["facets"]["groups"] == {"leisure": 1, "tourism": 1}

    package = member.action.package_show(id="chuncheon-tourism")
    assert package["title"] == "춘천 관광지 방문객 현황"
    assert package["organization"]["title"] == "봄내데이터랩"
    resource = package["resources"][0]
    assert resource["id"] == str(tourism.resource_id)
    assert resource["datastore_active"] is True

    assert member.action.organization_list() == [f"org-{tourism.publisher_id}"]
    assert member.action.resource_show(id=resource["id"])["package_id"] == package["id"]

    rows = member.action.datastore_search(resource_id=resource["id"], filters={"시군구": "춘천시"}, limit=2)
    assert rows["total"] == 6
    assert len(rows["records"]) == 2
    assert {r["시군구"] for r in rows["records"]} == {"춘천시"}
    assert {"id": "방문객수", "type": "int"} in rows["fields"]

    sql = member.action.datastore_search_sql(
        sql=f'SELECT 시군구, sum(방문객수) AS 합계 FROM "{resource["id"]}" GROUP BY 시군구 ORDER BY 합계 DESC'
    )
    assert sql["records"][0] == {"시군구": "춘천시", "합계": 13195}
    assert [f["id"] for f in sql["fields"]] == ["시군구", "합계"]

    # A members-only dataset does not exist for the public; a missing column is the caller's mistake.
    with pytest.raises(ckanapi.NotFound):
        public.action.package_show(id="members-commerce")
    with pytest.raises(ckanapi.NotFound):
        public.action.datastore_search(resource_id=str(ckan_catalog.members.resource_id))
    with pytest.raises(ckanapi.ValidationError) as exc:
        member.action.datastore_search(resource_id=resource["id"], filters={"없는열": "x"})
    assert exc.value.error_dict["info"]["column"] == "없는열"
    assert "없는열" in " ".join(exc.value.error_dict["filters"])


# --- envelope, paths and request forms ---------------------------------------------------------------------
def test_both_paths_answer_with_ckans_envelope(client, ckan_catalog):
    versioned = client.get("/api/3/action/package_show", {"id": "chuncheon-tourism"}).json()
    bare = client.get("/api/action/package_show", {"id": "chuncheon-tourism"}).json()
    assert versioned == bare
    assert versioned["help"] == "https://data.dongne.test/api/3/action/help_show?name=package_show"
    assert versioned["success"] is True
    assert versioned["result"]["name"] == "chuncheon-tourism"


def test_package_show_maps_our_metadata_to_ckan_fields(client, ckan_catalog):
    tourism = ckan_catalog.tourism
    by_uuid = result(call(client, "package_show", id=str(tourism.package_id)))
    package = result(call(client, "package_show", id="chuncheon-tourism"))
    assert by_uuid == package
    assert package["id"] == str(tourism.package_id)
    assert package["notes"] == "강원 관광지별 일 방문객 수"
    assert package["title_translated"]["en"] == "Chuncheon tourist attraction visitors"
    assert package["license_id"] == "KOGL-1"
    assert package["license_url"] == "https://www.kogl.or.kr/info/licenseType1.do"
    assert package["isopen"] is True
    assert package["private"] is False
    assert package["organization"]["name"] == f"org-{tourism.publisher_id}"
    assert [t["name"] for t in package["tags"]] == ["관광", "방문객"]
    assert [g["name"] for g in package["groups"]] == ["tourism", "leisure"]
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert extras["spatial_text"] == "춘천시"
    assert extras["temporal_start"] == "2024-05-01"
    assert extras["frequency"].endswith("/MONTHLY")
    assert package["maintainer_email"] == "data@bomnae.test"
    assert package["num_resources"] == 1
    resource = package["resources"][0]
    assert resource["url"] == "https://data.dongne.test/data/chuncheon-tourism/download.csv"
    assert resource["format"] == "CSV"
    assert resource["package_id"] == package["id"]
    assert resource["last_modified"]

    empty = result(call(client, "package_show", id="empty-plan"))
    assert empty["resources"][0]["datastore_active"] is False
    assert empty["organization"] is None
    error(
        call(client, "datastore_search", resource_id=str(ckan_catalog.empty.resource_id)),
        404,
        "Not Found Error",
    )


def test_get_with_json_parameters_post_json_and_post_form_agree(client, ckan_catalog):
    rid = str(ckan_catalog.tourism.resource_id)
    params = {
        "resource_id": rid,
        "filters": {"분류": ["해수욕장", "섬"]},
        "sort": "방문객수 desc",
        "limit": 5,
    }
    by_get = result(call(client, "datastore_search", **params))
    by_post = result(call(client, "datastore_search", method="post", **params))
    form = {**params, "filters": json.dumps(params["filters"])}
    by_form = result(client.post(API + "datastore_search", form))
    assert [r["관광지명"] for r in by_get["records"]] == ["경포해변", "남이섬", "속초해수욕장"]
    assert by_post["records"] == by_get["records"] == by_form["records"]


def test_bad_json_and_unknown_actions_are_bad_requests(client, ckan_catalog):
    response = client.post(API + "package_show", "{not json", content_type="application/json")
    assert error(response, 400, "Bad request")["message"].startswith("Bad request - JSON Error")
    response = client.get(API + "package_create")
    assert "Action name not known" in error(response, 400, "Bad request")["message"]


def test_status_show_and_help_show_answer_client_probes(client, db):
    status = result(client.get(API + "status_show"))
    assert status["ckan_version"].startswith("2.10")
    assert status["extensions"] == ["datastore"]
    assert "resource_id" in result(client.get(API + "help_show", {"name": "datastore_search"}))
    error(client.get(API + "help_show", {"name": "nope"}), 404, "Not Found Error")
    assert result(client.get(API + "site_read")) is True


# --- authentication ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["raw", "bearer", "x-ckan-api-key"])
def test_token_is_accepted_the_ways_ckan_clients_send_it(client, ckan_catalog, rep, form):
    token = token_for(rep)
    headers = {
        "raw": {"HTTP_AUTHORIZATION": token},
        "bearer": {"HTTP_AUTHORIZATION": f"Bearer {token}"},
        "x-ckan-api-key": {"HTTP_X_CKAN_API_KEY": token},
    }[form]
    package = result(client.get(API + "package_show", {"id": "members-commerce"}, **headers))
    assert package["private"] is True


def test_browser_session_counts_as_the_logged_in_user(client, ckan_catalog, rep):
    client.force_login(rep)
    assert "members-commerce" in result(client.get(API + "package_list"))
    # No CSRF token needed: every action only reads.
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(rep)
    response = csrf_client.post(
        API + "package_show", {"id": "members-commerce"}, content_type="application/json"
    )
    assert result(response)["name"] == "members-commerce"


def test_unknown_token_is_an_authorization_error(client, ckan_catalog):
    response = client.get(API + "package_list", HTTP_AUTHORIZATION="dn_not-a-real-token")
    error(response, 403, "Authorization Error")


def test_rate_limit_per_token_gives_429(client, ckan_catalog, rep, settings):
    settings.API_RATE_LIMIT = 2
    token = token_for(rep)
    # ckanapi sends the token twice (Authorization and X-CKAN-API-Key): one request counts once.
    headers = {"HTTP_AUTHORIZATION": token, "HTTP_X_CKAN_API_KEY": token}
    statuses = [client.get(API + "package_list", **headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    body = client.get(API + "package_list", **headers).json()
    assert body["success"] is False
    assert body["error"]["__type"] == "Rate Limit Error"


# --- visibility --------------------------------------------------------------------------------------------------
@pytest.fixture
def users(anonymous, rep, secretariat):
    return {"anonymous": None, "rep": token_for(rep), "secretariat": token_for(secretariat)}


SEES = {
    "anonymous": ["chuncheon-tourism", "empty-plan"],
    "rep": ["chuncheon-tourism", "empty-plan", "members-commerce", "org-survey"],
    "secretariat": ["chuncheon-tourism", "empty-plan", "members-commerce", "org-survey", "soyang-survey"],
}


@pytest.mark.parametrize("who", list(SEES))
def test_package_list_and_search_show_what_the_caller_may_see(client, ckan_catalog, users, who):
    token = users[who]
    assert result(call(client, "package_list", token)) == SEES[who]
    search = result(call(client, "package_search", token, rows=100, sort="name asc"))
    assert [p["name"] for p in search["results"]] == SEES[who]
    assert search["count"] == len(SEES[who])
    # The Korean full-text search is filtered the same way: 소양's private 관광 survey only for the secretariat.
    found = result(call(client, "package_search", token, q="관광", sort="name asc"))
    expected = [n for n in ["chuncheon-tourism", "soyang-survey"] if n in SEES[who]]
    assert [p["name"] for p in found["results"]] == expected


@pytest.mark.parametrize("who", list(SEES))
def test_datastore_and_show_actions_enforce_visibility(client, ckan_catalog, users, who):
    token = users[who]
    for dataset in [
        ckan_catalog.tourism,
        ckan_catalog.members,
        ckan_catalog.org_private,
        ckan_catalog.other_private,
    ]:
        visible = dataset.slug in SEES[who]
        rid = str(dataset.resource_id)
        responses = [
            call(client, "datastore_search", token, resource_id=rid),
            call(client, "resource_show", token, id=rid),
            call(client, "package_show", token, id=dataset.slug),
            call(client, "package_show", token, id=str(dataset.package_id)),
        ]
        for response in responses:
            if visible:
                result(response)
            else:
                error(response, 404, "Not Found Error")
        sql = call(client, "datastore_search_sql", token, sql=f'SELECT count(*) AS n FROM "{rid}"')
        if visible:
            assert result(sql)["records"] == [{"n": dataset.current_version.rows}]
        else:
            # Not rewritten to a table: refused as unknown, without saying that the resource exists.
            err = error(sql, 409, "Validation Error")
            assert err["info"]["code"] == "unknown_table"


def test_include_private_false_limits_search_to_public_datasets(client, ckan_catalog, users):
    search = result(
        call(client, "package_search", users["secretariat"], include_private="false", sort="name asc")
    )
    assert [p["name"] for p in search["results"]] == SEES["anonymous"]


def test_organization_list_and_show_count_visible_datasets(client, ckan_catalog, users, org, other_org):
    assert result(call(client, "organization_list")) == [f"org-{org.pk}"]
    orgs = result(
        call(client, "organization_list", users["secretariat"], all_fields="true", sort="package_count desc")
    )
    assert [(o["name"], o["title"], o["package_count"]) for o in orgs] == [
        (f"org-{org.pk}", "봄내데이터랩", 3),
        (f"org-{other_org.pk}", "소양소프트", 1),
    ]
    shown = result(call(client, "organization_show", users["rep"], id=f"org-{org.pk}", include_datasets=True))
    assert shown["package_count"] == 3
    assert sorted(p["name"] for p in shown["packages"]) == [
        "chuncheon-tourism",
        "members-commerce",
        "org-survey",
    ]
    assert result(call(client, "organization_show", id="봄내데이터랩"))["package_count"] == 1
    # 소양소프트 publishes only a private dataset: for the public it is not a catalog organisation.
    error(call(client, "organization_show", id=f"org-{other_org.pk}"), 404, "Not Found Error")
    groups = result(call(client, "group_list", all_fields=True))
    assert {(g["name"], g["package_count"]) for g in groups} == {
        ("tourism", 1),
        ("leisure", 1),
        ("transport", 1),
    }


# --- package_search parameters ----------------------------------------------------------------------------------
def names(response):
    return [p["name"] for p in result(response)["results"]]


def test_package_search_fq_conditions(client, ckan_catalog, users, org):
    token = users["secretariat"]

    def search(**params):
        return names(call(client, "package_search", token, sort="name asc", **params))

    assert search(fq=f"organization:org-{org.pk}") == ["chuncheon-tourism", "members-commerce", "org-survey"]
    assert search(fq="organization:소양소프트") == ["soyang-survey"]
    assert search(fq="tags:관광") == ["chuncheon-tourism", "soyang-survey"]
    assert search(fq="groups:tourism") == ["chuncheon-tourism", "soyang-survey"]
    assert search(fq="groups:commerce res_format:CSV") == ["members-commerce"]
    assert search(fq="license_id:CC0-1.0") == ["empty-plan"]
    assert search(fq='tags:"관광" AND -name:soyang-survey') == ["chuncheon-tourism"]
    assert search(fq="res_format:csv", q="관광") == ["chuncheon-tourism", "soyang-survey"]
    assert search(q="tags:상권") == ["members-commerce"]
    assert search(q="*:*", fq_list=["private:false"]) == ["chuncheon-tourism", "empty-plan"]
    err = error(call(client, "package_search", token, fq="colour:red"), 409, "Validation Error")
    assert "colour" in err["fq"][0]


def test_package_search_sort_paging_and_facets(client, ckan_catalog, users):
    token = users["secretariat"]
    everything = names(call(client, "package_search", token, sort="title_string asc", rows=100))
    # 봄내 < 상권 < 소양 < 준비 < 춘천
    assert everything == [
        "org-survey",
        "members-commerce",
        "soyang-survey",
        "empty-plan",
        "chuncheon-tourism",
    ]
    page = call(client, "package_search", token, sort="title_string asc", rows=2, start=1)
    assert names(page) == everything[1:3]
    assert result(page)["count"] == 5
    newest = names(call(client, "package_search", token, sort="metadata_modified desc", rows=1))
    assert newest == ["soyang-survey"]  # its version was published last
    facets = result(
        call(client, "package_search", token, **{"facet.field": ["license_id"], "facet.limit": 1})
    )
    assert list(facets["facets"]) == ["license_id"]
    assert facets["facets"] == {"license_id": {"KOGL-1": 2}}
    [item] = facets["search_facets"]["license_id"]["items"]
    assert (item["name"], item["count"]) == ("KOGL-1", 2)
    assert item["display_name"] == "공공누리 제1유형(출처표시)"
    error(call(client, "package_search", token, sort="colour asc"), 409, "Validation Error")
    error(call(client, "package_search", token, rows="many"), 409, "Validation Error")


# --- DataStore ---------------------------------------------------------------------------------------------------
def test_datastore_search_q_fields_sort_and_paging(client, ckan_catalog):
    rid = str(ckan_catalog.tourism.resource_id)

    def search(**params):
        return result(call(client, "datastore_search", resource_id=rid, **params))

    # q: every word somewhere in the text columns (a word may be part of a Korean compound).
    assert [r["관광지명"] for r in search(q="해수욕장", sort="관광지명")["records"]] == [
        "경포해변",
        "속초해수욕장",
    ]
    assert search(q="춘천 스카이")["total"] == 1
    assert search(q={"분류": "해수욕"}, fields="관광지명", sort="방문객수 desc")["records"] == [
        {"관광지명": "경포해변"},
        {"관광지명": "속초해수욕장"},
    ]
    assert search(q="없는말")["total"] == 0
    assert search(q="[공지] {")["total"] == 0  # text that looks like JSON is still text

    page = search(
        filters={"시군구": "춘천시"},
        sort="방문객수 desc, 관광지명",
        fields=["관광지명", "방문객수"],
        limit=2,
        offset=2,
    )
    assert page["records"] == [
        {"관광지명": "소양강스카이워크", "방문객수": 1234},
        {"관광지명": "강촌레일파크", "방문객수": 987},
    ]
    assert page["total"] == 6
    assert (page["limit"], page["offset"]) == (2, 2)
    assert [f["id"] for f in page["fields"]] == ["관광지명", "방문객수"]
    assert "offset=4" in page["_links"]["next"]
    assert page["_links"]["start"].startswith("/api/3/action/datastore_search?resource_id=")
    assert "offset" not in page["_links"]["start"]

    lists = search(
        filters={"기준일": "2024-05-03"},
        sort='"관광지명" asc',
        records_format="lists",
        fields="관광지명,기준일",
    )
    assert lists["records"] == [["강촌레일파크", "2024-05-03"], ["공지천유원지", "2024-05-03"]]
    assert (
        search(filters={"방문객수": 8765}, records_format="csv", fields="관광지명")["records"]
        == "설악산국립공원\n"
    )


def test_datastore_fields_carry_ckan_type_names(client, ckan_catalog):
    fields = result(
        call(client, "datastore_search", resource_id=str(ckan_catalog.tourism.resource_id), limit=0)
    )
    assert fields["fields"] == [
        {"id": "관광지명", "type": "text"},
        {"id": "시군구", "type": "text"},
        {"id": "분류", "type": "text"},
        {"id": "방문객수", "type": "int"},
        {"id": "기준일", "type": "date"},
    ]
    assert fields["records"] == []
    assert fields["total"] == 10


def test_datastore_limit_is_capped_by_the_platform_setting(client, ckan_catalog, settings):
    settings.DATAHUB_MAX_ROWS = 3
    page = result(
        call(client, "datastore_search", resource_id=str(ckan_catalog.tourism.resource_id), limit=500)
    )
    assert (len(page["records"]), page["limit"], page["total"]) == (3, 3, 10)
    rid = ckan_catalog.tourism.resource_id
    sql = result(call(client, "datastore_search_sql", sql=f'SELECT 관광지명 FROM "{rid}"'))
    assert len(sql["records"]) == 3
    assert sql["records_truncated"] is True


@pytest.mark.parametrize(
    "params, field, column",
    [
        ({"filters": {"없는열": "x"}}, "filters", "없는열"),
        ({"sort": "없는열 desc"}, "sort", "없는열"),
        ({"fields": "관광지명,없는열"}, "fields", "없는열"),
        ({"q": {"없는열": "x"}}, "q", "없는열"),
        ({"filters": {"방문객수": "많음"}}, "filters", "방문객수"),
        ({"limit": "-1"}, "limit", None),
    ],
)
def test_datastore_errors_name_the_parameter_and_column(client, ckan_catalog, params, field, column):
    response = call(client, "datastore_search", resource_id=str(ckan_catalog.tourism.resource_id), **params)
    err = error(response, 409, "Validation Error")
    assert err[field]
    if column:
        assert err["info"]["column"] == column
        assert column in err["message"]


@pytest.mark.parametrize(
    "sql, code",
    [
        ("DELETE FROM chuncheon_tourism", "not_select"),
        ("SELECT * FROM read_csv('/etc/passwd')", "forbidden_function"),
        ("SELECT 1; SELECT 2", "multiple_statements"),
        ('SELECT * FROM "00000000-0000-0000-0000-000000000000"', "unknown_table"),
    ],
)
def test_datastore_search_sql_refusals_are_validation_errors(client, ckan_catalog, sql, code):
    err = error(call(client, "datastore_search_sql", method="post", sql=sql), 409, "Validation Error")
    assert err["info"]["code"] == code
    assert err["sql"]


def test_datastore_search_sql_joins_resources_and_our_table_names(client, ckan_catalog, users):
    tourism, members = ckan_catalog.tourism.resource_id, ckan_catalog.members.resource_id
    sql = (
        f'SELECT (SELECT count(*) FROM "{tourism}") AS 관광, (SELECT sum(점포수) FROM "{members}") AS 점포, '
        "(SELECT count(*) FROM chuncheon_tourism WHERE 시군구 = '강릉시') AS 강릉"
    )
    out = result(call(client, "datastore_search_sql", users["rep"], method="post", sql=sql))
    assert out["records"] == [{"관광": 10, "점포": 67, "강릉": 2}]
    assert out["sql"] == sql
    # A resource id inside a string literal is text, not a table.
    text = result(
        call(client, "datastore_search_sql", sql=f'SELECT \'"{tourism}"\' AS s FROM "{tourism}" LIMIT 1')
    )
    assert text["records"] == [{"s": f'"{tourism}"'}]


def test_datastore_calls_are_counted_as_dataset_usage(client, ckan_catalog):
    dataset = ckan_catalog.tourism
    call(client, "datastore_search", resource_id=str(dataset.resource_id), limit=4)
    call(client, "datastore_search_sql", sql=f'SELECT * FROM "{dataset.resource_id}"')
    call(client, "package_show", id=dataset.slug)
    usage = DatasetUsage.objects.get(dataset=dataset)
    assert (usage.api_calls, usage.rows_served) == (2, 14)
