"""DuckDB engine: in-process, over the version's Parquet files."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence

import ibis
import ibis.expr.operations as ops
import pyarrow as pa

from . import Engine


class DuckDBEngine(Engine):
    """Runs Ibis expressions on DuckDB in this process.

    One in-memory DuckDB database per engine, created on first use (opening a database costs ~20 ms, more than a
    small query), and one connection (cursor) per thread, so the engine is safe to share between threads. Each
    query reads its files through ``read_parquet`` with the schema known in advance (cached per file set). ``threads`` and ``memory_limit`` are
    DuckDB settings (None: DuckDB's defaults — all cores, 80 % of RAM). After a fork (gunicorn with preload) the
    child opens its own database.

    Compiling an expression to SQL (Ibis and sqlglot) costs a few milliseconds, as much as a small query, and the
    same expressions come back again and again (a dashboard's queries, a page of an API query). Each thread
    therefore keeps the SQL of its last ``SQL_CACHE_SIZE`` expressions, keyed by the expression's operation tree
    (immutable, hashed once when built, equal for equal trees — the tree includes the file list and schema), and
    runs it directly; the result goes through the same conversion to the expression's schema as
    ``expr.to_pyarrow()``. Expressions over in-memory or catalogue tables, UDFs or spatial functions, whose
    execution depends on more than their SQL, are never cached."""

    name = "duckdb"
    SCHEMA_CACHE_SIZE = 512
    SQL_CACHE_SIZE = 256
    # Operations whose execution needs Ibis' pre-execute hooks (registration in the database, extensions).
    _UNCACHEABLE = (ops.PhysicalTable, ops.ScalarUDF, ops.AggUDF, ops.GeoSpatialUnOp, ops.GeoSpatialBinOp)

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None):
        self.threads = threads
        self.memory_limit = memory_limit
        self._lock = threading.Lock()
        self._local = threading.local()
        self._db = None
        self._pid = None
        self._schemas: dict[tuple, ibis.Schema] = {}

    def _database(self):
        import duckdb

        with self._lock:
            if self._db is None or self._pid != os.getpid():
                config = {}
                if self.threads:
                    config["threads"] = int(self.threads)
                if self.memory_limit:
                    config["memory_limit"] = str(self.memory_limit)
                self._db = duckdb.connect(":memory:", config=config)
                self._pid = os.getpid()
            return self._db

    def _backend(self):
        db = self._database()
        local = self._local
        if getattr(local, "db", None) is not db:
            with self._lock:
                cursor = db.cursor()
            local.backend = ibis.duckdb.from_connection(cursor)
            local.sql_cache = OrderedDict()
            local.db = db
        return local.backend

    @contextlib.contextmanager
    def open(self, paths: Sequence[str]):
        backend = self._backend()
        # Explicit file list; never guess hive partitions from directory names.
        files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
        source = f"SELECT * FROM read_parquet([{files}], hive_partitioning = false)"
        yield backend.sql(source, schema=self._schema(backend, paths, source))

    def _schema(self, backend, paths, source):
        """The files' schema as DuckDB reads it, cached by (path, size, mtime): a version's files never change,
        and asking DuckDB again would cost two more round trips per query."""
        key = tuple((str(p), st.st_size, st.st_mtime_ns) for p in paths for st in [os.stat(p)])
        with self._lock:
            schema = self._schemas.get(key)
        if schema is None:
            relation = backend.con.sql(source)
            mapper = backend.compiler.type_mapper
            schema = ibis.schema(
                {
                    name: mapper.from_string(str(t))
                    for name, t in zip(relation.columns, relation.types, strict=True)
                }
            )
            with self._lock:
                if len(self._schemas) >= self.SCHEMA_CACHE_SIZE:
                    self._schemas.pop(next(iter(self._schemas)))
                self._schemas[key] = schema
        return schema

    def fetch(self, expr, *, limit=None, offset=0) -> pa.Table:
        if limit is not None or offset:
            expr = expr.limit(limit, offset=offset or 0)
        backend = self._backend()
        sql = self._cached_sql(backend, expr.op(), expr)
        if sql is None:
            return expr.to_pyarrow()
        return self._run(backend, sql, expr)

    def fetch_built(self, paths, build, key=None) -> pa.Table:
        """As Engine.fetch_built; with a ``key``, the SQL compiled for it is reused without building the
        expression again (building an Ibis expression costs ~2 ms, a sizeable part of a dashboard's small
        queries). The key covers the files (``paths``) besides what the caller says about ``build``."""
        if key is None:
            return super().fetch_built(paths, build)
        backend = self._backend()
        cache = self._local.sql_cache
        key = ("built", tuple(str(p) for p in paths), key)
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            sql, expr = hit
            return self._run(backend, sql, expr)
        with self.open(paths) as table:
            expr = build(table)
        sql = self._cached_sql(backend, expr.op(), expr)
        if sql is None:
            return expr.to_pyarrow()
        self._remember(cache, key, (sql, expr))
        return self._run(backend, sql, expr)

    def _cached_sql(self, backend, op, expr) -> str | None:
        """The SQL of ``expr`` (from the per-thread cache when seen before), or None when it must not be cached."""
        cache = self._local.sql_cache
        sql = cache.get(op)
        if sql is not None:
            cache.move_to_end(op)
            return sql
        try:
            own = expr._find_backend(use_default=False) is backend
        except Exception:  # no backend or several: Ibis decides (and raises) as before
            own = False
        if not own or op.find(self._UNCACHEABLE):
            return None
        sql = backend.compile(expr.as_table())
        self._remember(cache, op, sql)
        return sql

    def _remember(self, cache, key, value):
        cache[key] = value
        if len(cache) > self.SQL_CACHE_SIZE:
            cache.popitem(last=False)

    @staticmethod
    def _run(backend, sql, expr) -> pa.Table:
        # What DuckDB's Backend.to_pyarrow does after compiling.
        from ibis.backends.duckdb.converter import DuckDBPyArrowData

        table = backend.con.sql(sql).to_arrow_table()
        return expr.__pyarrow_result__(table, data_mapper=DuckDBPyArrowData)

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
            self._db = None
            self._local = threading.local()
