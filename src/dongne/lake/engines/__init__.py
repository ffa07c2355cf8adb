"""Engines execute the Ibis expressions built by :mod:`dongne.lake.query`.

An engine opens a version's Parquet files as an Ibis table (``open``), runs an expression with paging
(``fetch``) and a scalar count (``count``). DuckDB (in-process) is the default; Spark (pyspark, local mode) runs
the very same expressions and is proven equivalent by ``tests/lake/test_spark.py``.
"""

from __future__ import annotations

import abc
import contextlib
import threading
from collections.abc import Sequence

import ibis
import pyarrow as pa

from dongne.lake.errors import QueryError

__all__ = ["Engine", "available_engines", "get_engine", "register_engine"]


class Engine(abc.ABC):
    """The backend interface of the query layer."""

    name: str = "engine"

    @abc.abstractmethod
    def open(self, paths: Sequence[str]) -> contextlib.AbstractContextManager[ibis.Table]:
        """A context manager yielding an Ibis table over the Parquet files ``paths``; resources are released
        on exit."""

    @abc.abstractmethod
    def fetch(self, expr: ibis.Table, *, limit: int | None = None, offset: int = 0) -> pa.Table:
        """Execute ``expr`` (ordered, not paged) and return rows ``offset`` … ``offset + limit`` as Arrow, typed
        as ``expr.schema()`` says."""

    def fetch_built(self, paths: Sequence[str], build, key=None) -> pa.Table:
        """``fetch(build(table))`` for the table over ``paths``. ``key``, when given, identifies the expression
        ``build`` makes (equal keys, equal expressions): an engine may then reuse what it prepared for that key
        instead of building and compiling the expression again (see DuckDBEngine)."""
        with self.open(paths) as table:
            return self.fetch(build(table))

    def count(self, expr: ibis.Scalar) -> int:
        """Execute a scalar count expression."""
        value = self.fetch(expr.name("n").as_table()).column(0)[0].as_py()
        return int(value or 0)

    def close(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Release long-lived resources (a Spark session)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_FACTORIES = {}
_INSTANCES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def register_engine(name: str, factory) -> None:
    """Make ``get_engine(name)`` build engines with ``factory()`` (one shared instance per name)."""
    _FACTORIES[name] = factory


def available_engines() -> list[str]:
    return sorted(_FACTORIES)


def get_engine(engine: Engine | str | None = None) -> Engine:
    """``engine`` itself when it is an Engine; otherwise the shared engine of that name (``"duckdb"`` when
    None)."""
    if isinstance(engine, Engine):
        return engine
    name = engine or "duckdb"
    with _LOCK:
        if name not in _INSTANCES:
            if name not in _FACTORIES:
                raise QueryError(
                    f"Unknown engine {name!r}; available: {', '.join(available_engines())}.",
                    code="unknown_engine",
                    param="engine",
                )
            _INSTANCES[name] = _FACTORIES[name]()
        return _INSTANCES[name]


def _duckdb():
    from .duckdb import DuckDBEngine

    return DuckDBEngine()


def _spark():
    from .spark import SparkEngine

    return SparkEngine()


register_engine("duckdb", _duckdb)
register_engine("spark", _spark)
