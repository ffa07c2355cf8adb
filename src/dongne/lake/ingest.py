"""A file or a stream of records in, a new dataset version out: typed Parquet with schema, profile and preview.

CSV/TSV take the fast path, built so a 1 GB file stays under 1 GB of memory and close to DuckDB's own speed:

1. one streaming pass checks every byte's encoding (naming the line of a bad one) and counts lines; CP949 is
   transcoded to a UTF-8 copy in the staging directory, in pieces cut at newlines that the C library's iconv
   converts on threads (UTF-16 through an incremental decoder) — DuckDB reads only UTF-8 without extensions
   that download; UTF-8 files are read where they are;
2. DuckDB reads the text with the dialect we detected, decides types on the first SAMPLE_ROWS rows, and writes
   zstd Parquet in one ``COPY`` whose casts are strict: a later value that does not fit the sampled type stops
   the copy, and the types are then decided over the whole column and the copy runs again — so a column is
   typed only if every value fits, and no value is silently nulled. Plain columns ("123", "2024-05-01") are
   parsed by DuckDB's CSV reader itself and checked (normalize.NATIVE), the rest by SQL casts;
3. profile and preview are computed from the Parquet, and the staging directory is published atomically.

XLSX, JSON, JSON Lines and connector records are written as raw Parquet parts first, then typed the same way
over the whole column. Parquet keeps its declared types.
"""

import csv
import os
import re
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from . import normalize
from .errors import ReadError
from .io.detect import (
    CHUNK_BYTES,
    TextDecoder,
    detect_format,
    encoding_error,
    sniff_text,
    unique_names,
)
from .io.iconv import cp949_to_utf8
from .io.readers import as_text, open_reader, ragged_error, split_lines
from .profile import preview, profile
from .sqlutil import connect, ident, literal, path_list
from .store import Store, Version

SAMPLE_ROWS = 50_000
ROW_GROUP_SIZE = 122_880
PREVIEW_ROWS = 50
MEMORY_LIMIT = "512MB"
PART = "part-00000.parquet"
Progress = Callable[[int, int, int], None]
# Share of the work (for progress) taken by each phase of a CSV ingest; others spend the scan share on reading.
SCAN, WRITE = 0.35, 0.55


class _Progress:
    """One monotone report over several phases: ``callback(done_bytes, total_bytes, rows_so_far)``, where
    done_bytes is the estimated work done expressed in source bytes (it reaches total_bytes at the end).
    Calls come at most every 0.2 s or 1 % (and always at the end), on the caller's thread."""

    def __init__(self, callback: Progress | None, total: int):
        self.callback, self.total = callback, max(total, 1)
        self.fraction, self.rows, self.last = 0.0, 0, 0.0

    def __call__(self, fraction: float, rows: int | None = None, *, force: bool = False):
        if self.callback is None:
            return
        # Rows only grow, except at the end (force), when the exact count replaces the estimates.
        fraction, rows = (
            max(self.fraction, min(fraction, 1.0)),
            (rows if force else max(self.rows, rows or 0)),
        )
        now = time.monotonic()
        if force or fraction - self.fraction >= 0.01 or now - self.last >= 0.2:
            self.fraction, self.rows, self.last = fraction, rows, now
            self.callback(int(self.total * fraction), self.total, rows)


def ingest_file(
    store: Store,
    dataset: str,
    path,
    *,
    progress: Progress | None = None,
    note: str = "",
    source: dict | None = None,
    format: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    sheet: str | None = None,
) -> Version:
    """Add a version to ``dataset`` from the file at ``path`` and return it.

    Raises ReadError (code, row/column) for a file that cannot be read; the dataset's existing versions are
    untouched by any failure. ``format``/``encoding``/``delimiter``/``header``/``sheet`` override detection.
    """
    path = Path(path)
    total = path.stat().st_size
    if total == 0:
        raise ReadError("The file is empty (0 bytes).", code="empty_file")
    fmt = format or detect_format(path)
    prog = _Progress(progress, total)
    store.dataset_dir(dataset)  # a bad name fails before any work
    with store.stage(dataset) as st:
        if fmt in ("csv", "tsv"):
            # Detection and the byte scan need no DuckDB: its memory is not held while the file is transcoded.
            dialect = sniff_text(
                path, encoding=encoding, delimiter=delimiter, header=header, tsv=fmt == "tsv"
            )
            scanned = _scan(path, dialect.encoding, st.path / "_source.csv", prog, int(dialect.header))
        with closing(connect(temp_dir=st.path / "_tmp", memory_limit=MEMORY_LIMIT)) as con:
            if fmt in ("csv", "tsv"):
                meta = _csv(con, st.path, path, dialect, *scanned, prog)
            elif fmt == "parquet":
                meta = _parquet(con, st.path, path, prog)
            else:
                with open_reader(
                    path, format=fmt, encoding=encoding, delimiter=delimiter, header=header, sheet=sheet
                ) as r:
                    raw = _write_raw(
                        st.path, r.batches(), lambda: prog(SCAN * r.bytes_read / total, r.rows_read)
                    )
                    meta = _typed_from_raw(con, st.path, raw, prog, normalize_text=True)
                    meta.update(encoding=r.encoding, notes=r.notes + meta["notes"])
            meta.update(format=fmt, note=note, source=source or {"file": path.name, "bytes": total})
            _finish(con, st.path, meta, prog)
        version = st.publish(meta)
    prog(1.0, version.rows, force=True)
    return version


def ingest_batches(
    store: Store,
    dataset: str,
    batches_or_rows: Iterable,
    *,
    progress: Progress | None = None,
    note: str = "",
    source: dict | None = None,
    normalize_text: bool = True,
) -> Version:
    """Add a version from records: an iterable of ``pyarrow.RecordBatch``/``Table``, of pages (``list[dict]``),
    or of single ``dict`` rows — what API connectors produce. Keys may differ from page to page (columns are
    their union, in order of first appearance); nested values are kept as JSON text. Text columns are typed
    like a CSV's unless ``normalize_text`` is false. ``progress`` gets (0, 0, rows_so_far) while reading."""
    store.dataset_dir(dataset)
    prog = _Progress(None, 0)  # the total is unknown: only rows are reported
    rows_seen = [0]

    def report():
        if progress:
            progress(0, 0, rows_seen[0])

    with store.stage(dataset) as st:
        with closing(connect(temp_dir=st.path / "_tmp", memory_limit=MEMORY_LIMIT)) as con:
            raw = _write_raw(st.path, _as_batches(batches_or_rows, rows_seen), report)
            meta = _typed_from_raw(con, st.path, raw, prog, normalize_text=normalize_text)
            meta.update(format="records", note=note, source=source or {}, encoding=None)
            _finish(con, st.path, meta, prog)
        version = st.publish(meta)
    if progress:
        progress(0, 0, version.rows)
    return version


# --- CSV / TSV ------------------------------------------------------------------------------------------


def _csv(con, staging: Path, path: Path, dialect, src: str, enc: str, lines: int, prog) -> dict:
    columns, rows_hint = dialect.columns, lines - dialect.header

    def reader(native: dict[str, str]) -> str:
        spec = ", ".join(f"{literal(c)}: {literal(native.get(c, 'VARCHAR'))}" for c in columns)
        return (
            f"read_csv({literal(src)}, delim={literal(dialect.delimiter)}, quote='\"', escape='\"', "
            f"header={str(dialect.header).lower()}, auto_detect=false, strict_mode=true, null_padding=false, "
            f"nullstr=['', ' '], columns={{{spec}}})"
        )

    rel = reader({})
    with _csv_errors(src, dialect):
        inferred = normalize.infer_types(con, f"(SELECT * FROM {rel} LIMIT {SAMPLE_ROWS})", columns)
        types, notes = inferred.types, inferred.notes
        unknown = [c for c, t in types.items() if t is None]
        if unknown and lines > SAMPLE_ROWS:  # empty throughout the sample: look at the whole column
            types.update(normalize.infer_types(con, rel, unknown).types)
        # Columns whose sample is plain ("123", "36.5", "2024-05-01") are parsed by the CSV reader itself.
        native = {c: normalize.NATIVE[types[c]] for c in inferred.plain}
        out = staging / PART
        try:
            rows = _copy(con, reader(native), columns, types, out, prog, rows_hint, native)
        except duckdb.Error as e:
            if normalize.cast_failure(e) is None and not normalize.conversion_failure(e):
                raise
            # A value after the sample does not fit its column's sampled type: decide over whole columns,
            # then copy again with the SQL casts only.
            typed = [c for c in columns if types[c] not in ("text", None)]
            whole = normalize.infer_types(con, rel, typed)
            changed = [c for c in typed if whole.types[c] != types[c]]
            notes += [
                f"'{c}' is {whole.types[c] or 'text'}: a value after row {SAMPLE_ROWS} is not {types[c]}."
                for c in changed
            ]
            types.update(whole.types)
            rows = _copy(con, rel, columns, types, out, prog, rows_hint, {})
    if src != path:
        Path(src).unlink()
    return {
        "rows": rows,
        "columns": _columns(con, out, {c: "VARCHAR" for c in columns}),
        "encoding": enc,
        "delimiter": dialect.delimiter,
        "header": dialect.header,
        "notes": dialect.notes + notes,
    }


def _scan(path: Path, encoding: str, copy_to: Path, prog, header_lines: int) -> tuple[str, str, int]:
    """Check every byte decodes, counting lines; transcode to UTF-8 unless the file already is UTF-8.
    Returns (path DuckDB should read, encoding found, newline count)."""
    if encoding == "cp949":
        return str(copy_to), encoding, _transcode_cp949(path, copy_to, prog, header_lines)
    total = max(path.stat().st_size, 1)
    decoder, out = TextDecoder(path, encoding, chunk_bytes=CHUNK_BYTES), None
    try:
        for text in decoder:
            if out is None and decoder.encoding not in ("ascii", "utf-8", "utf-8-sig"):
                out = open(copy_to, "wb")
                if decoder.chunk_start:  # settled on CP949 after an all-ASCII start: those bytes are UTF-8
                    with open(path, "rb") as f:
                        shutil.copyfileobj(_limited(f, decoder.chunk_start), out)
            if out is not None:
                out.write(text.encode("utf-8"))
            prog(SCAN * decoder.pos / total, decoder.lines - header_lines)
    finally:
        if out is not None:
            out.close()
    enc = "utf-8" if decoder.encoding == "ascii" else decoder.encoding
    return (str(copy_to) if out is not None else str(path)), enc, decoder.lines


def _transcode_cp949(path: Path, copy_to: Path, prog, header_lines: int) -> int:
    """CP949 → UTF-8 in pieces of about CHUNK_BYTES cut at newlines, converted on threads (iconv releases the
    GIL) and written back in order. At most 2 × workers pieces are in flight, which bounds memory to a few tens
    of MB. Returns the newline count; a bad byte raises bad_encoding naming its line."""
    total, lines, pos = max(path.stat().st_size, 1), 0, 0
    workers = min(os.cpu_count() or 1, 4)
    window: deque = deque()

    def drain():
        nonlocal lines, pos
        future, piece = window.popleft()
        data, n = future.result()
        if data is None:
            raise encoding_error(lines + piece[:n].count(b"\n") + 1, "cp949", byte=pos + n)
        out.write(data)
        lines, pos = lines + n, pos + len(piece)
        prog(SCAN * pos / total, lines - header_lines)

    with ThreadPoolExecutor(workers) as pool, open(path, "rb") as f, open(copy_to, "wb") as out:
        carry = b""
        while True:
            chunk = f.read(CHUNK_BYTES)
            if chunk:
                cut = chunk.rfind(b"\n") + 1
                if not cut:  # a line longer than a chunk: keep reading
                    carry += chunk
                    continue
                piece, carry = carry + chunk[:cut], chunk[cut:]
            else:
                piece, carry = carry, b""
            if piece:
                window.append((pool.submit(cp949_to_utf8, piece), piece))
            while len(window) > 2 * workers or (window and not chunk):
                drain()
            if not chunk:
                return lines


def _limited(f, n: int):
    class _R:
        def read(self, size=-1):
            nonlocal n
            data = f.read(min(n, size if size > 0 else n))
            n -= len(data)
            return data

    return _R()


class _csv_errors:
    """Turns DuckDB's CSV errors into ReadErrors naming the line as the user sees it. DuckDB counts records
    (a quoted field may span lines); the physical line is found by re-reading up to that record."""

    def __init__(self, src, dialect):
        self.src, self.dialect = src, dialect

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if not isinstance(exc, duckdb.Error):
            return False
        m = re.search(r"CSV Error on Line: (\d+)", str(exc))
        if not m:
            return False
        line = _physical_line(self.src, self.dialect.delimiter, int(m.group(1)))
        ragged = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", str(exc))
        if ragged:
            raise ragged_error(line, int(ragged.group(1)), int(ragged.group(2))) from None
        reason = [s for s in str(exc).split("\nPossible")[0].splitlines() if s.strip()][-1].strip()
        raise ReadError(f"Line {line} cannot be read as CSV: {reason}", code="bad_csv", row=line) from None


def _physical_line(src, delimiter: str, record: int) -> int:
    reader, line_end = csv.reader(split_lines(TextDecoder(src, "utf-8")), delimiter=delimiter), 0
    for k, _ in enumerate(reader, 1):
        if k == record:
            return line_end + 1
        line_end = reader.line_num
    return line_end + 1 if record > 0 else record


def _copy(con, rel, columns, types, out: Path, prog, rows_hint: int, native: dict) -> int:
    select = normalize.select_list(columns, types, native=native)
    sql = (
        f"COPY (SELECT {select} FROM {rel}) TO {literal(out)} "
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    )
    return _run_with_progress(con, sql, prog, SCAN, WRITE, rows_hint)[0][0]


def _run_with_progress(con, sql, prog, start: float, span: float, rows_hint: int):
    """Run ``sql`` on a worker thread (DuckDB releases the GIL) while this thread reports DuckDB's progress,
    so the caller's callback always runs on the caller's thread."""
    result = {}
    # query_progress() reports -1 unless DuckDB tracks progress; printing it is for terminals only.
    con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")

    def work():
        try:
            result["rows"] = con.execute(sql).fetchall()
        except BaseException as e:  # handed to the calling thread
            result["error"] = e

    worker = threading.Thread(target=work, name="lake-ingest", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.25)
            pct = con.query_progress() if worker.is_alive() else 100.0
            if pct >= 0:
                prog(start + span * pct / 100, int(rows_hint * pct / 100))
    except BaseException:
        con.interrupt()
        worker.join()
        raise
    if "error" in result:
        raise result["error"]
    return result["rows"]


# --- Parquet and raw parts -------------------------------------------------------------------------------


def _parquet(con, staging: Path, path: Path, prog) -> dict:
    try:
        desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(path)})").fetchall()
    except duckdb.Error as e:
        raise ReadError(f"The file is not readable Parquet ({str(e).splitlines()[0]}).", code="bad_parquet")
    names, notes = unique_names([d[0] for d in desc])
    select = ", ".join(f"{ident(d[0])} AS {ident(n)}" for d, n in zip(desc, names, strict=True))
    out = staging / PART
    sql = (
        f"COPY (SELECT {select} FROM read_parquet({literal(path)})) TO {literal(out)} "
        f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    )
    rows = _run_with_progress(con, sql, prog, 0.0, SCAN + WRITE, 0)[0][0]
    source_types = {n: d[1] for d, n in zip(desc, names, strict=True)}
    return {"rows": rows, "columns": _columns(con, out, source_types), "encoding": None, "notes": notes}


def _as_batches(items: Iterable, seen: list) -> Iterable[pa.RecordBatch]:
    """RecordBatches from what connectors yield. Dict rows are grouped up to 50,000 per batch; names are made
    unique once and kept for the whole stream, so page 7's "addr1" is the same column as page 1's."""
    names: dict[str, str] = {}
    pending: list[dict] = []

    def flush():
        keys = list(dict.fromkeys(k for r in pending for k in r))
        for k in keys:
            if k not in names:
                names[k] = unique_names([*names.values(), str(k)])[0][-1]
        arrays = [pa.array([as_text(r.get(k)) for r in pending], pa.string()) for k in keys]
        pending.clear()
        return pa.RecordBatch.from_arrays(arrays, names=[names[k] for k in keys])

    for item in items:
        if isinstance(item, pa.Table):
            yield from item.to_batches()
            seen[0] += item.num_rows
        elif isinstance(item, pa.RecordBatch):
            yield item
            seen[0] += item.num_rows
        else:
            rows = [item] if isinstance(item, dict) else list(item)
            for i, r in enumerate(rows, 1):
                if not isinstance(r, dict):
                    raise ReadError(
                        f"Record {seen[0] + i} is not an object.", code="bad_records", row=seen[0] + i
                    )
            pending += rows
            seen[0] += len(rows)
            if len(pending) >= 50_000:
                yield flush()
    if pending:
        yield flush()


def _write_raw(staging: Path, batches: Iterable[pa.RecordBatch], report) -> list[Path]:
    """Batches to raw Parquet parts (zstd level 1: written once, read once). A new part starts whenever the
    schema changes, and DuckDB unions the parts by name."""
    raw_dir = staging / "_raw"
    raw_dir.mkdir()
    parts, writer, schema = [], None, None
    try:
        for batch in batches:
            if writer is None or batch.schema != schema:
                if writer is not None:
                    writer.close()
                schema = batch.schema
                parts.append(raw_dir / f"raw-{len(parts):05d}.parquet")
                writer = pq.ParquetWriter(parts[-1], schema, compression="zstd", compression_level=1)
            writer.write_batch(batch)
            report()
    finally:
        if writer is not None:
            writer.close()
    if not parts:
        raise ReadError("There are no records to store.", code="no_rows")
    return parts


def _typed_from_raw(con, staging: Path, parts: list[Path], prog, *, normalize_text: bool) -> dict:
    rel = f"read_parquet({path_list(parts)}, union_by_name=true)"
    desc = con.execute(f"DESCRIBE SELECT * FROM {rel}").fetchall()
    columns = [d[0] for d in desc]
    source_types = {d[0]: d[1] for d in desc}
    text = [c for c in columns if source_types[c] == "VARCHAR"] if normalize_text else []
    inferred = normalize.infer_types(con, rel, text)  # raw Parquet scans fast: decide over whole columns
    passthrough = set(columns) - set(text)
    out = staging / PART
    sql = (
        f"COPY (SELECT {normalize.select_list(columns, inferred.types, passthrough=passthrough)} FROM {rel}) "
        f"TO {literal(out)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE})"
    )
    rows = _run_with_progress(con, sql, prog, SCAN, WRITE, 0)[0][0]
    shutil.rmtree(staging / "_raw")
    return {"rows": rows, "columns": _columns(con, out, source_types), "notes": inferred.notes}


# --- shared ----------------------------------------------------------------------------------------------


def _columns(con, out: Path, source_types: dict) -> list[dict]:
    desc = con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(out)})").fetchall()
    return [
        {
            "name": d[0],
            "type": normalize.logical_type(d[1]),
            "sql_type": d[1],
            "source_type": source_types.get(d[0], d[1]),
        }
        for d in desc
    ]


def _finish(con, staging: Path, meta: dict, prog):
    """Refuse an empty result, then compute profile and preview from the written Parquet."""
    if meta["rows"] == 0:
        raise ReadError("The file has a header but no rows of data.", code="no_rows", row=2)
    files = [staging / PART]
    prog(SCAN + WRITE, meta["rows"])
    meta["profile"] = profile(con, files, meta["columns"])
    meta["preview"] = preview(con, files, PREVIEW_ROWS)
