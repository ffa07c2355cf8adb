"""Korean full-text search on the database's own index.

Objects are indexed as kiwi-normalised tokens in ``SearchDocument``; SQLite searches them with
FTS5 (bm25), PostgreSQL with a weighted tsvector and a GIN index (ts_rank). Each query token is
a prefix match, so "관광" finds "관광객을" (indexed as 관광객). Results put documents whose
*name* matches ahead of those matching only in the body.
"""

import re

from django.db import connection

from .korean.tokenize import token_text, tokens
from .models import SearchDocument

_SAFE = re.compile(r"[^\w]", re.UNICODE)


def index_object(kind, object_id, *, name, body="", is_public=False):
    SearchDocument.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={"name_tokens": token_text(name), "body_tokens": token_text(body), "is_public": is_public},
    )


def remove_object(kind, object_id):
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def query_terms(query):
    terms = []
    for token in tokens(query):
        token = _SAFE.sub("", token)
        if token and token not in terms:
            terms.append(token)
    return terms


def search_ids(kind, query, *, public_only=False, limit=1000):
    """Object ids of ``kind`` matching every term of ``query``, best first."""
    terms = query_terms(query)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        return _search_postgres(kind, terms, public_only, limit)
    return _search_sqlite(kind, terms, public_only, limit)


def _search_sqlite(kind, terms, public_only, limit):
    expr = " AND ".join(f'"{t}"*' for t in terms)
    public = "AND d.is_public" if public_only else ""
    sql = f"""
        SELECT d.object_id, bm25(core_searchdocument_fts, 10.0, 1.0) AS rank
        FROM core_searchdocument_fts JOIN core_searchdocument d ON d.id = core_searchdocument_fts.rowid
        WHERE core_searchdocument_fts MATCH %s AND d.kind = %s {public}
        ORDER BY rank LIMIT %s
    """
    with connection.cursor() as cur:
        cur.execute(sql, [f"name_tokens : ({expr})", kind, limit])
        name_hits = [row[0] for row in cur.fetchall()]
        cur.execute(sql, [expr, kind, limit])
        all_hits = [row[0] for row in cur.fetchall()]
    seen = set(name_hits)
    return (name_hits + [i for i in all_hits if i not in seen])[:limit]


def _search_postgres(kind, terms, public_only, limit):
    query = " & ".join(f"'{t}':*" for t in terms)
    name_query = " & ".join(f"'{t}':*A" for t in terms)
    public = "AND d.is_public" if public_only else ""
    sql = f"""
        SELECT d.object_id
        FROM core_searchdocument d, to_tsquery('simple', %s) q, to_tsquery('simple', %s) qa
        WHERE d.tsv @@ q AND d.kind = %s {public}
        ORDER BY (d.tsv @@ qa) DESC, ts_rank('{{0.1, 0.2, 0.4, 1.0}}', d.tsv, q) DESC, d.object_id
        LIMIT %s
    """
    with connection.cursor() as cur:
        cur.execute(sql, [query, name_query, kind, limit])
        return [row[0] for row in cur.fetchall()]


class Ranked:
    """The rows of ``queryset`` whose ids are in ``ids``, in the order of ``ids`` (best first), fetched a page
    at a time: a slice loads only its rows, so a search matching a thousand organisations costs one query of
    ids for the count and one (plus prefetches) for the page shown — not every matched row. Works with
    Django's Paginator and ninja's pagination (count(), all(), slicing), and can be iterated."""

    CHUNK = 500

    def __init__(self, queryset, ids):
        self._queryset = queryset
        self._ids = list(ids)
        self._order = None

    def _ordered_ids(self):
        if self._order is None:
            # The queryset's own filters (visibility, kind, tag, …) decide which of the matches remain.
            kept = set(self._queryset.filter(pk__in=self._ids).values_list("pk", flat=True))
            self._order = [i for i in self._ids if i in kept]
        return self._order

    def _rows(self, ids):
        if not ids:
            return []
        rows = {row.pk: row for row in self._queryset.filter(pk__in=ids)}
        return [rows[i] for i in ids if i in rows]

    def __len__(self):
        return len(self._ordered_ids())

    def count(self):
        return len(self)

    def all(self):
        return self

    def prefetch_related(self, *lookups):
        ranked = Ranked(self._queryset.prefetch_related(*lookups), self._ids)
        ranked._order = self._order
        return ranked

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._rows(self._ordered_ids()[index])
        return self._rows([self._ordered_ids()[index]])[0]

    def __iter__(self):
        ids = self._ordered_ids()
        for start in range(0, len(ids), self.CHUNK):
            yield from self._rows(ids[start : start + self.CHUNK])

    def __bool__(self):
        return bool(self._ordered_ids())
