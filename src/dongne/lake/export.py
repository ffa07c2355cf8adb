"""Downloads of a version: CSV (UTF-8 with BOM, so Korean Excel opens it), JSON and Parquet.

Exports are written once per version into a cache folder next to (not inside) the published
version, through a temporary name and an atomic rename, so concurrent downloads never see half a file.
"""

import os
import uuid
from contextlib import closing
from pathlib import Path

from .sqlutil import connect, literal, path_list
from .store import Version

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "parquet": "application/vnd.apache.parquet",
}
BOM = b"\xef\xbb\xbf"


def export_path(cache_root, version: Version, fmt: str) -> Path:
    """The cached export of ``version`` in ``fmt``, written on first use."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    # The publication time is part of the name: a lake replaced by a restore never serves an old export.
    stamp = "".join(ch for ch in str(version.meta.get("created_at", "")) if ch.isdigit())[:14]
    target = Path(cache_root) / version.dataset / f"v{version.number:06d}-{stamp}.{fmt}"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    files = path_list(version.files)
    try:
        with closing(connect(temp_dir=target.parent / ".tmp")) as con:
            source = f"SELECT * FROM read_parquet({files})"
            if fmt == "parquet":
                con.execute(f"COPY ({source}) TO {literal(tmp)} (FORMAT parquet, COMPRESSION zstd)")
            elif fmt == "json":
                con.execute(f"COPY ({source}) TO {literal(tmp)} (FORMAT json, ARRAY true)")
            else:
                body = tmp.with_suffix(".body")
                con.execute(f"COPY ({source}) TO {literal(body)} (FORMAT csv, HEADER true)")
                with open(tmp, "wb") as out, open(body, "rb") as src:
                    out.write(BOM)
                    while chunk := src.read(8 << 20):
                        out.write(chunk)
                body.unlink()
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, tmp.with_suffix(".body")):
            if leftover.exists():
                leftover.unlink()
    return target
