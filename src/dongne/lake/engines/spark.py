"""Spark engine: the same Ibis expressions on pyspark (local mode by default).

The SparkSession is created on first use (startup takes seconds) and shared by every query of this engine.
Paging is applied here rather than by Ibis: Ibis 12 compiles an offset on PySpark as a ``ROW_NUMBER() OVER
(ORDER BY NULL)`` over an ordered subquery, which neither keeps the order nor drops its helper column. Spark
≥ 3.4 understands ``LIMIT n OFFSET m`` on the ordered query itself, so the compiled SQL gets that instead.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Mapping, Sequence

import ibis
import pyarrow as pa

from . import Engine

DEFAULT_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


class SparkEngine(Engine):
    """``master`` defaults to ``local[2]``; ``conf`` adds to or overrides :data:`DEFAULT_CONF`; pass ``session``
    to use an existing SparkSession (it is then not stopped by :meth:`close`)."""

    name = "spark"

    def __init__(self, *, master: str = "local[2]", conf: Mapping[str, str] | None = None, session=None):
        self.master = master
        self.conf = {**DEFAULT_CONF, **(conf or {})}
        self._session = session
        self._owns_session = session is None
        self._backend = None
        self._lock = threading.Lock()

    @property
    def session(self):
        with self._lock:
            if self._session is None:
                from pyspark.sql import SparkSession

                builder = SparkSession.builder.master(self.master).appName("dongne-lake")
                for key, value in self.conf.items():
                    builder = builder.config(key, value)
                self._session = builder.getOrCreate()
                self._session.sparkContext.setLogLevel("ERROR")
            return self._session

    @property
    def backend(self):
        session = self.session
        with self._lock:
            if self._backend is None:
                self._backend = ibis.pyspark.connect(session)
            return self._backend

    @contextlib.contextmanager
    def open(self, paths: Sequence[str]):
        backend = self.backend
        view = f"dongne_{uuid.uuid4().hex}"
        self.session.read.parquet(*[str(p) for p in paths]).createOrReplaceTempView(view)
        try:
            yield self._table(backend, view, paths)
        finally:
            self.session.catalog.dropTempView(view)

    @staticmethod
    def _table(backend, view, paths):
        """The view as an Ibis table typed from the Parquet schema rather than from Spark's reading of it, so that
        types match the DuckDB engine's: Spark has one timestamp type and would drop a column's UTC time zone."""
        import ibis.expr.operations as ops
        import pyarrow.parquet as pq

        spark_schema = backend.get_schema(view)
        try:
            parquet_schema = ibis.Schema.from_pyarrow(pq.read_schema(paths[0]))
        except Exception:  # a type Ibis does not map: keep Spark's view of it
            return backend.table(view)
        if list(parquet_schema.names) != list(spark_schema.names):
            return backend.table(view)
        schema = ibis.schema(
            {
                name: parquet_schema[name] if parquet_schema[name].is_timestamp() else spark_schema[name]
                for name in spark_schema.names
            }
        )
        return ops.DatabaseTable(view, schema=schema, source=backend, namespace=ops.Namespace()).to_expr()

    def fetch(self, expr, *, limit=None, offset=0) -> pa.Table:
        sql = self.backend.compile(expr)
        if limit is not None or offset:
            sql = _with_paging(sql, limit, offset or 0)
        result = self.session.sql(sql).toArrow()
        schema = expr.schema()
        target = schema.to_pyarrow()
        result = result.rename_columns(list(schema.names))
        return result.cast(target) if result.schema != target else result

    def close(self) -> None:
        with self._lock:
            if self._session is not None and self._owns_session:
                self._session.stop()
                self._session = None
            self._backend = None


def _with_paging(sql: str, limit: int | None, offset: int) -> str:
    """``LIMIT``/``OFFSET`` on the outermost SELECT (where Ibis put the ORDER BY), so Spark pages the sorted
    result (TakeOrderedAndProject) rather than an unordered subquery."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="spark")
    if not isinstance(tree, exp.Select) or tree.args.get("limit") or tree.args.get("offset"):
        tree = exp.select("*").from_(tree.subquery("paged"))
    if limit is not None:
        tree = tree.limit(limit, copy=False)
    if offset:
        tree = tree.offset(offset, copy=False)
    return tree.sql(dialect="spark")
