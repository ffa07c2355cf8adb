"""A file or a stream of records in, a new dataset version out: typed Parquet with schema, profile and preview.

CSV/TSV take the fast path, built so a 1 GB file stays under 1 GB of memory and close to DuckDB's own speed:

1. CP949 (what Korean public data mostly is) is streamed (_StreamText): the head of the file is converted into
   a small UTF-8 file for the sample, and the whole file is converted on the fly, part by part, into named pipes
   that DuckDB reads at once (_Feed) — no UTF-8 copy is written. Whatever the stream cannot finish (a byte
   that is not CP949, a CSV error, a quoted field cut between parts) sends the file down the file path
   instead (_FileText), which names errors exactly: one streaming pass checks every byte's encoding (naming
   the line of a bad one) and counts lines, transcoding CP949 and UTF-16 to a UTF-8 copy in the staging
   directory; UTF-8 files are read where they are;
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
import errno
import os
import re
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

try:
    import fcntl
except ImportError:  # not POSIX: no pipes either (see _Feed.possible)
    fcntl = None

from . import normalize
from .errors import ReadError
from .io import iconv
from .io.detect import (
    CHUNK_BYTES,
    TextDecoder,
    detect_format,
    encoding_error,
    sniff_text,
    unique_names,
)
from .io.readers import as_text, open_reader, ragged_error, split_lines
from .profile import preview, profile
from .sqlutil import connect, ident, literal, path_list
from .store import Store, Version

SAMPLE_ROWS = 50_000
HEAD_BYTES = 64 << 20  # at most this much of a streamed file is read for the sample
ROW_GROUP_SIZE = 122_880
# zstd (as fast as snappy here, and 6× smaller), DuckDB's row groups, and a dictionary only for columns of at
# most 1,000 distinct values per row group: the others are written plainly — zstd packs those smaller still,
# and DuckDB's default (dictionaries of ten thousand entries and more, wider ones started and given up) cost
# 10 % more time in the copy (measured; see bench/README.md).
DICTIONARY_SIZE_LIMIT = 1_000
PARQUET_OPTIONS = (
    f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_SIZE}, "
    f"DICTIONARY_SIZE_LIMIT {DICTIONARY_SIZE_LIMIT})"
)
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
            dialect = sniff_text(
                path, encoding=encoding, delimiter=delimiter, header=header, tsv=fmt == "tsv"
            )
        with closing(connect(temp_dir=st.path / "_tmp", memory_limit=MEMORY_LIMIT)) as con:
            if fmt in ("csv", "tsv"):
                meta = _csv_file(con, st.path, path, dialect, prog)
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


def _csv_file(con, staging: Path, path: Path, dialect, prog) -> dict:
    """A CSV/TSV file: CP949 streamed through pipes when it can be (see _Feed), else read from a UTF-8 file."""
    if dialect.encoding == "cp949" and _Feed.possible():
        try:
            return _csv(con, staging, _StreamText(path, staging, dialect, con), dialect, prog, "cp949")
        except _Fallback:
            pass  # the file path below meets the same problem and names it exactly (or gets past it)
    scanned = _scan(path, dialect.encoding, staging / "_source.csv", prog, int(dialect.header))
    src, enc, lines = scanned
    try:
        return _csv(con, staging, _FileText(src, dialect, lines), dialect, prog, enc)
    finally:
        if src != str(path):
            Path(src).unlink(missing_ok=True)


def _csv(con, staging: Path, text, dialect, prog, enc: str) -> dict:
    """Type and write the CSV text DuckDB reads through ``text`` (a _FileText or a _StreamText)."""
    columns = dialect.columns

    def reader(paths, native: dict[str, str]) -> str:
        spec = ", ".join(f"{literal(c)}: {literal(native.get(c, 'VARCHAR'))}" for c in columns)
        return (
            f"read_csv({path_list(paths)}, delim={literal(dialect.delimiter)}, quote='\"', escape='\"', "
            f"header={str(dialect.header).lower()}, auto_detect=false, strict_mode=true, null_padding=false, "
            f"nullstr=['', ' '], columns={{{spec}}})"
        )

    out = staging / PART
    with text.errors():
        # The sample is read once into a table (not TEMP: the cursors that infer in parallel see it).
        with text.head() as (paths, whole_file):
            con.execute(
                f"CREATE OR REPLACE TABLE lake_sample AS SELECT * FROM {reader(paths, {})} LIMIT {SAMPLE_ROWS}"
            )
        try:
            sampled = con.execute("SELECT count(*) FROM lake_sample").fetchone()[0]
            whole_file = whole_file and sampled < SAMPLE_ROWS
            threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
            inferred = normalize.infer_types(con, "lake_sample", columns, split=threads)
        finally:
            con.execute("DROP TABLE lake_sample")
        types, notes = inferred.types, inferred.notes
        unknown = [c for c, t in types.items() if t is None]
        if unknown and not whole_file:  # empty throughout the sample: look at the whole column
            with text.open() as paths:
                types.update(normalize.infer_types(con, reader(paths, {}), unknown, shapes=False).types)
        # Columns whose sample is plain ("123", "36.5", "2024-05-01") are parsed by the CSV reader itself.
        native = {c: normalize.NATIVE[types[c]] for c in inferred.plain}
        try:
            with text.open() as paths:
                rows = _copy(
                    con, reader(paths, native), columns, types, out, text, prog, native, inferred.shapes
                )
        except duckdb.Error as e:
            if normalize.cast_failure(e) is None and not normalize.conversion_failure(e):
                raise
            # A value after the sample does not fit its column's sampled type: decide over whole columns,
            # then copy again with the SQL casts only.
            typed = [c for c in columns if types[c] not in ("text", None)]
            with text.open() as paths:
                whole = normalize.infer_types(con, reader(paths, {}), typed, shapes=False)
            changed = [c for c in typed if whole.types[c] != types[c]]
            notes += [
                f"'{c}' is {whole.types[c] or 'text'}: a value after row {SAMPLE_ROWS} is not {types[c]}."
                for c in changed
            ]
            types.update(whole.types)
            with text.open() as paths:
                rows = _copy(con, reader(paths, {}), columns, types, out, text, prog, {}, whole.shapes)
    return {
        "rows": rows,
        "columns": _columns(con, out, {c: "VARCHAR" for c in columns}),
        "encoding": enc,
        "delimiter": dialect.delimiter,
        "header": dialect.header,
        "notes": dialect.notes + notes,
    }


class _FileText:
    """CSV text in a UTF-8 file (the original, or the copy _scan made). DuckDB reports progress itself."""

    share = (SCAN, WRITE)  # of the progress: the scan came first

    def __init__(self, src: str, dialect, lines: int):
        self.src, self.dialect, self.rows_hint = src, dialect, lines - dialect.header

    @contextmanager
    def open(self):
        yield [self.src]

    @contextmanager
    def head(self):
        """(paths holding the first SAMPLE_ROWS rows, whether they may be the whole file)"""
        yield [self.src], True

    def errors(self):
        return _csv_errors(self.src, self.dialect)

    watch = None


class _Fallback(Exception):
    """The streamed path cannot finish this file; the file path (which names every error exactly) takes over."""


class _StreamText:
    """CSV text streamed from a CP949 file through named pipes (see _Feed): each ``open()`` starts a feed
    for one query. Any failure but a strict cast's — a bad byte, a CSV error, a record cut between two
    pipes — raises _Fallback: the file path then reports it with the exact line, or gets past it."""

    share = (0.0, SCAN + WRITE)  # transcoding and writing happen at once

    def __init__(self, path: Path, staging: Path, dialect, con):
        self.path, self.staging, self.dialect, self.con = path, staging, dialect, con
        self.feed: _Feed | None = None
        self.rows_hint = 0

    @contextmanager
    def open(self):
        threads = self.con.execute("SELECT current_setting('threads')").fetchone()[0]
        with _Feed(self.path, self.staging, threads, self.dialect.header) as feed:
            self.feed = feed
            try:
                yield feed.pipes
            finally:
                self.feed = None

    @contextmanager
    def head(self):
        """The first lines (enough for SAMPLE_ROWS rows, unless quoted fields span lines) transcoded into a
        small file: DuckDB reads a file in parallel, and reads ahead in a pipe far beyond a LIMIT."""
        want, lines, end = SAMPLE_ROWS + 1 + int(self.dialect.header), 0, 0
        with open(self.path, "rb") as f:
            while lines < want and end < HEAD_BYTES and (block := f.read(1 << 20)):
                count = block.count(b"\n")
                if lines + count >= want:
                    at = -1
                    for _ in range(want - lines):
                        at = block.index(b"\n", at + 1)
                    end += at + 1
                    break
                lines, end = lines + count, end + len(block)
            else:
                if end >= HEAD_BYTES:  # long lines: fewer rows, up to the last whole line
                    f.seek(0)
                    end = f.read(end).rfind(b"\n") + 1
            f.seek(0)
            raw = bytearray(f.read(end))
        out = bytearray(iconv.room(len(raw)))
        n, _ = iconv.convert_into(raw, out)
        if n is None:
            raise _Fallback("a byte of the head is not CP949")
        head = self.staging / "_head.csv"
        with open(head, "wb") as f:
            f.write(memoryview(out)[:n])
        try:
            yield [str(head)], end >= self.path.stat().st_size
        finally:
            head.unlink(missing_ok=True)

    @contextmanager
    def errors(self):
        try:
            yield
        except duckdb.Error as e:
            if normalize.cast_failure(e) is not None or normalize.conversion_failure(e):
                raise
            raise _Fallback(str(e)) from e

    def watch(self, timeout: float):
        """(fraction of the file transcoded, rows so far, failed) for _run_with_progress, once the feed has
        moved on or ``timeout`` has passed."""
        feed = self.feed
        if feed is None:
            return None
        feed.moved.wait(timeout)
        feed.moved.clear()
        return feed.status()


class _Feed:
    """UTF-8 for DuckDB's CSV reader, transcoded from a CP949 file on the fly into named pipes — no UTF-8 copy
    of the file is written (on this project's machines, writing a 1.6 GB file costs seconds of kernel time).

    DuckDB reads a pipe sequentially, with one thread, but reads several files at once. So the file is split
    into ``parts`` byte ranges at newlines, each fed into its own pipe by its own thread (the header line is
    repeated at the start of every pipe), and DuckDB reads them all, in order, as one file list: it parses
    on all its threads while the parts are converted. A newline inside a quoted field is not a record's end:
    the converter counts double quotes, and a part that starts after an odd number of them (a record cut
    in two) fails the feed, as does a byte that is not CP949 — the caller then takes the file path. Memory:
    two buffers of CHUNK_BYTES per part and a 1 MB pipe buffer.
    """

    MIN_PART = 4 << 20  # smaller files are fed through one pipe

    @staticmethod
    def possible() -> bool:
        return hasattr(os, "mkfifo") and fcntl is not None

    def __init__(self, path: Path, staging: Path, parts: int, header: bool):
        self.path, self.size = path, path.stat().st_size
        with open(path, "rb") as f:
            first = f.readline() if header else b""
            cuts, parts = [0], max(1, min(parts, self.size // self.MIN_PART))
            for i in range(1, parts):
                f.seek(max(self.size * i // parts, len(first), cuts[-1]))
                f.readline()  # to the next newline
                if f.tell() < self.size:
                    cuts.append(f.tell())
        # A header with a quoted newline (an odd number of quotes on its line): one pipe, none repeated.
        self.header = first if first.count(b'"') % 2 == 0 else None
        self.pipe_size = min(1 << 20, max(1 << 16, self.size // 128))
        if self.header is None:
            cuts = [0]
        self.ranges = list(zip(cuts, [*cuts[1:], self.size], strict=True))
        n = len(self.ranges)
        self.pipes = [staging / f"_pipe-{os.getpid()}-{threading.get_ident()}-{i}.csv" for i in range(n)]
        self.done, self.lines, self.quotes = [0] * n, [0] * n, [0] * n
        # What went wrong in a part: (part, byte offset in the file) of a byte that is not CP949, or an error.
        self.error: tuple[int, int] | BaseException | None = None
        self.stop, self.moved = threading.Event(), threading.Event()
        self.threads: list[threading.Thread] = []

    def __enter__(self):
        iconv.converter()  # chosen (and compiled, the first time) before the threads start
        for pipe in self.pipes:
            os.mkfifo(pipe, 0o600)
        for i in range(len(self.pipes)):
            t = threading.Thread(target=self._produce, args=(i,), name=f"lake-feed-{i}", daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def __exit__(self, kind, exc, tb):
        self.stop.set()
        for pipe, t in zip(self.pipes, self.threads, strict=True):
            # A writer still running means DuckDB stopped reading early (an error): drain its pipe so that it
            # gets past its write and sees stop.
            if t.is_alive():
                fd = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
                try:
                    while t.is_alive():
                        try:
                            if not os.read(fd, 1 << 20):
                                t.join(0.001)
                        except BlockingIOError:
                            t.join(0.001)
                finally:
                    os.close(fd)
            t.join()
        for pipe in self.pipes:
            pipe.unlink(missing_ok=True)
        if kind is None:
            # Every query on a feed reads it whole: a part not fed to its end (a failed writer, a reader that
            # stopped) must never pass for the whole file; nor a part that starts inside a quoted field.
            if self.error is not None:
                raise _Fallback(f"the feed failed: {self.error!r}")
            if sum(self.done) != self.size:
                raise _Fallback(f"{sum(self.done)} of {self.size} bytes were fed")
            if any(sum(self.quotes[:i]) % 2 for i in range(1, len(self.quotes))):
                raise _Fallback("a quoted field spans two parts")
        return False

    def status(self) -> tuple[float, int, bool]:
        rows = max(sum(self.lines) - (self.header is not None and len(self.header) > 0), 0)
        return sum(self.done) / max(self.size, 1), rows, self.error is not None

    def _open(self, i: int) -> int | None:
        """The pipe's write end once DuckDB opens it for reading (never, if stop comes first)."""
        while not self.stop.is_set():
            try:
                fd = os.open(self.pipes[i], os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
                self.stop.wait(0.002)
                continue
            os.set_blocking(fd, True)
            try:  # larger pipes for larger files: fewer handovers to DuckDB, and still a hundred reports
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, self.pipe_size)
            except (OSError, AttributeError):  # above the system's pipe-max-size, or not Linux
                pass
            return fd
        return None

    def _produce(self, i: int):
        start, end = self.ranges[i]
        fd = None
        try:
            fd = self._open(i)
            if fd is None:
                return
            if i and self.header:
                out = bytearray(iconv.room(len(self.header)))
                n, _ = iconv.convert_into(bytearray(self.header), out)
                if n is None:
                    self.error = (i, 0)
                    return
                _write_all(fd, memoryview(out)[:n])
            src, dst = bytearray(CHUNK_BYTES), bytearray(iconv.room(CHUNK_BYTES))
            carry, pos = 0, start
            with open(self.path, "rb") as f:
                f.seek(start)
                while not self.stop.is_set():
                    want = min(CHUNK_BYTES, end - pos - carry)
                    if len(src) < carry + want:  # a line longer than a piece
                        src = src[:carry] + bytearray(want)
                        dst = bytearray(iconv.room(len(src)))
                    with memoryview(src) as view:
                        got = f.readinto(view[carry : carry + want]) if want > 0 else 0
                    filled = carry + got
                    last = pos + filled >= end
                    size = filled if last else src.rfind(b"\n", 0, filled) + 1
                    if not size and not last:  # no newline yet: keep reading
                        carry = filled
                        continue
                    quotes: list = []
                    with memoryview(src) as view:
                        n, lines = iconv.convert_into(view[:size], dst, quotes)
                    if n is None:
                        self.error = (i, pos + lines)
                        self.moved.set()
                        return
                    # Written in slices of the pipe's size, so that progress follows what DuckDB has taken.
                    base, sent = self.done[i], 0
                    with memoryview(dst) as view:
                        while sent < n:
                            sent += os.write(fd, view[sent : min(n, sent + self.pipe_size)])
                            self.done[i] = base + size * sent // n
                            self.moved.set()
                    self.lines[i] += lines
                    self.quotes[i] += quotes[0]
                    pos += size
                    carry = filled - size
                    src[:carry] = src[size:filled]
                    if last and not carry:
                        return
        except BrokenPipeError:
            pass  # DuckDB closed the pipe: it has read what it needs (a LIMIT) or failed (reported there)
        except BaseException as e:  # a part left short must never pass for a whole one
            self.error = e
            self.moved.set()
        finally:
            if fd is not None:
                os.close(fd)
            elif not self.stop.is_set():  # failed before opening: let a reader waiting in open() see the end
                with suppress(OSError):
                    os.close(os.open(self.pipes[i], os.O_WRONLY | os.O_NONBLOCK))


def _write_all(fd: int, data: memoryview):
    while data:
        data = data[os.write(fd, data) :]


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
    """CP949 → UTF-8 in pieces of about CHUNK_BYTES cut at newlines, converted on threads (the converters
    release the GIL) and written back in order. At most 2 × workers pieces are in flight, in buffers that are
    reused (fresh ones cost page faults), which bounds memory to about 100 MB. Returns the newline count; a bad
    byte raises bad_encoding naming its line."""
    total, lines, pos = max(path.stat().st_size, 1), 0, 0
    workers = min(os.cpu_count() or 1, 4)
    iconv.converter()  # chosen (and compiled, the first time) before the threads start
    window: deque = deque()
    free: list[tuple[bytearray, bytearray]] = []

    def drain():
        nonlocal lines, pos
        future, src, dst, size = window.popleft()
        n, found = future.result()
        if n is None:
            raise encoding_error(lines + src.count(b"\n", 0, found) + 1, "cp949", byte=pos + found)
        out.write(memoryview(dst)[:n])
        lines, pos = lines + found, pos + size
        free.append((src, dst))
        prog(SCAN * pos / total, lines - header_lines)

    with ThreadPoolExecutor(workers) as pool, open(path, "rb") as f, open(copy_to, "wb") as out:
        carry = b""
        while True:
            src, dst = free.pop() if free else (bytearray(CHUNK_BYTES), bytearray(iconv.room(CHUNK_BYTES)))
            if len(src) < len(carry) + CHUNK_BYTES:  # after a line longer than a piece
                src, dst = (
                    bytearray(len(carry) + CHUNK_BYTES),
                    bytearray(iconv.room(len(carry) + CHUNK_BYTES)),
                )
            src[: len(carry)] = carry
            with memoryview(src) as view:
                got = f.readinto(view[len(carry) : len(carry) + CHUNK_BYTES])
            end = len(carry) + got
            size = src.rfind(b"\n", 0, end) + 1 if got else end
            if got and not size:  # no newline yet: keep reading
                carry = bytes(src[:end])
                free.append((src, dst))
                continue
            carry = bytes(src[size:end])
            if size:
                with memoryview(src) as view:
                    window.append((pool.submit(iconv.convert_into, view[:size], dst), src, dst, size))
            else:
                free.append((src, dst))
            while len(window) > 2 * workers or (window and not got):
                drain()
            if not got:
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


def _copy(con, rel, columns, types, out: Path, text, prog, native: dict, shapes: dict) -> int:
    select = normalize.select_list(columns, types, native=native, shapes=shapes)
    sql = f"COPY (SELECT {select} FROM {rel}) TO {literal(out)} {PARQUET_OPTIONS}"
    start, span = text.share
    return _run_with_progress(con, sql, prog, start, span, text.rows_hint, text.watch)[0][0]


def _run_with_progress(con, sql, prog, start: float, span: float, rows_hint: int, watch=None):
    """Run ``sql`` on a worker thread (DuckDB releases the GIL) while this thread reports progress — DuckDB's,
    or ``watch(timeout)``'s (fraction done, rows so far, failed) when it gives one after waiting up to timeout
    for news; a failure interrupts the query — so the caller's callback always runs on the caller's thread."""
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
            seen = watch(0.25) if watch else None
            if seen is not None:
                fraction, rows, failed = seen
                if failed:
                    con.interrupt()
                prog(start + span * fraction, rows)
                continue
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
    sql = f"COPY (SELECT {select} FROM read_parquet({literal(path)})) TO {literal(out)} {PARQUET_OPTIONS}"
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
        f"COPY (SELECT {normalize.select_list(columns, inferred.types, passthrough=passthrough, shapes=inferred.shapes)} FROM {rel}) "
        f"TO {literal(out)} {PARQUET_OPTIONS}"
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
