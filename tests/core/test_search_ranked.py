"""A search pages its ranked matches: the rows shown are fetched, not every match (core.search.Ranked)."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dongne.core import search
from dongne.network import selectors
from dongne.network.models import Organisation
from tests.factories import make_organisation


def _orgs(secretariat, n):
    return [make_organisation(secretariat, name=f"관광데이터{i:02d}", description="관광") for i in range(n)]


def test_a_page_of_matches_fetches_only_that_page_in_rank_order(secretariat, anonymous):
    _orgs(secretariat, 9)
    results = selectors.directory(anonymous, q="관광데이터")
    everything = [o.pk for o in results]  # iterating fetches in chunks, in rank order
    assert len(everything) == 9 == results.count()
    with CaptureQueriesContext(connection) as captured:
        page = results[2:4]
    assert [o.pk for o in page] == everything[2:4]
    row_queries = [q["sql"] for q in captured.captured_queries if 'FROM "network_organisation"' in q["sql"]]
    assert len(row_queries) == 1
    in_lists = re.findall(r"IN \(([^)]*)\)", row_queries[0])
    assert [sorted(int(v) for v in ids.split(",")) for ids in in_lists] == [sorted(o.pk for o in page)]


def test_filters_of_the_queryset_still_apply_to_ranked_matches(secretariat, anonymous):
    orgs = _orgs(secretariat, 3)
    ranked = search.Ranked(Organisation.objects.exclude(pk=orgs[1].pk), [orgs[2].pk, orgs[1].pk, orgs[0].pk])
    assert [o.pk for o in ranked] == [orgs[2].pk, orgs[0].pk]
    assert len(ranked) == 2 and bool(ranked)
    assert ranked[1].pk == orgs[0].pk
    assert list(search.Ranked(Organisation.objects.all(), [])) == [] and not search.Ranked(
        Organisation.objects.all(), []
    )


def test_the_directory_page_shows_the_second_page_of_a_search(client, secretariat, settings):
    settings.PAGE_SIZE = 2
    _orgs(secretariat, 5)
    response = client.get("/network/?q=관광데이터&page=2")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 5
    assert len(response.context["page"].object_list) == 2
