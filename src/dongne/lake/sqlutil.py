"""Small DuckDB helpers shared by ingest, normalize and profile: quoting and a bounded connection."""

import os
from pathlib import Path

import duckdb


def ident(name: str) -> str:
    """A column or table name as a DuckDB identifier (Korean names need no escaping beyond quotes)."""
    return '"' + str(name).replace('"', '""') + '"'


def literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def path_list(paths) -> str:
    return "[" + ", ".join(literal(str(p)) for p in paths) + "]"


def connect(
    *, temp_dir=None, memory_limit: str = "512MB", threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose memory stays bounded: work beyond ``memory_limit`` spills to ``temp_dir``
    (inside the staging directory of an ingest, so it vanishes with it). Two threads keep peak memory low
    and are what a small server has; DuckDB's CSV reader and Parquet writer scale with more."""
    config = {
        "memory_limit": memory_limit,
        "threads": threads or min(os.cpu_count() or 2, 4),
        "preserve_insertion_order": True,  # rows keep file order: previews show the file's first rows
    }
    if temp_dir:
        Path(temp_dir).mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(temp_dir)
    return duckdb.connect(config=config)
