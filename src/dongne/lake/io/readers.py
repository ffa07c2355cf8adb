"""Readers: a file in, ``pyarrow.RecordBatch`` out, in bounded memory where the format allows.

Text-like formats (CSV/TSV, XLSX, JSON, JSON Lines) yield **strings** (None for an empty cell): their types
are decided over the whole column by ``lake.normalize`` in DuckDB, one rule for every format, so "01234"
from Excel and from CSV end up the same. Parquet keeps the types its author declared.

Row numbers in errors are what the user sees: the 1-based line of a text file (header included), the Excel
row number, the JSON Lines line, or the 1-based record of a JSON array.
"""

import abc
import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from dongne.lake.errors import ReadError

from .detect import TextDecoder, detect_format, sniff_text, unique_names

BATCH_ROWS = 65536


class Reader(abc.ABC):
    """Base: ``columns`` (unique names), ``notes`` (what was changed and why), ``batches()``; a context manager."""

    format = ""
    encoding: str | None = None
    delimiter: str | None = None
    header = True

    def __init__(self, path):
        self.path = Path(path)
        self.total_bytes = self.path.stat().st_size
        self.bytes_read = 0
        self.rows_read = 0
        self.columns: list[str] = []
        self.notes: list[str] = []

    @abc.abstractmethod
    def batches(self, batch_rows: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
        """Rows as string record batches of at most ``batch_rows`` rows."""

    def _batch(self, rows: list[list]) -> pa.RecordBatch:
        self.rows_read += len(rows)
        cols = list(zip(*rows, strict=True)) if rows else [()] * len(self.columns)
        return pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in cols], names=self.columns)

    def close(self):  # noqa: B027  (readers holding a file override it; the others have nothing to release)
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_reader(path, *, format=None, encoding=None, delimiter=None, header=None, sheet=None) -> Reader:
    """A reader for ``path``; ``format`` (one of detect.FORMATS) and the CSV options override detection."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise ReadError("The file is empty (0 bytes).", code="empty_file")
    format = format or detect_format(path)
    if format in ("csv", "tsv"):
        return CsvReader(path, encoding=encoding, delimiter=delimiter, header=header, tsv=format == "tsv")
    if format == "xlsx":
        return XlsxReader(path, sheet=sheet)
    if format == "json":
        return JsonReader(path)
    if format == "jsonl":
        return JsonLinesReader(path)
    if format == "parquet":
        return ParquetReader(path)
    raise ReadError(f"Unknown format {format!r}.", code="unsupported_format", param="format")


def ragged_error(line: int, expected: int, found: int) -> ReadError:
    return ReadError(
        f"Line {line} has {found} fields where the header has {expected}; check for an unquoted delimiter "
        "or a missing field on that line.",
        code="ragged_row",
        row=line,
        detail={"expected": expected, "found": found},
    )


class CsvReader(Reader):
    """CSV/TSV through Python's csv module over :class:`TextDecoder` (streams; every byte checked)."""

    def __init__(self, path, *, encoding=None, delimiter=None, header=None, tsv=False):
        super().__init__(path)
        self.format = "tsv" if tsv else "csv"
        self.dialect = sniff_text(path, encoding=encoding, delimiter=delimiter, header=header, tsv=tsv)
        self.encoding, self.delimiter, self.header = (
            self.dialect.encoding,
            self.dialect.delimiter,
            self.dialect.header,
        )
        self.columns, self.notes = self.dialect.columns, list(self.dialect.notes)

    def batches(self, batch_rows=BATCH_ROWS):
        decoder = TextDecoder(self.path, self.dialect.encoding)
        reader = csv.reader(split_lines(decoder), delimiter=self.delimiter)
        width, rows, line_end, skip_header = len(self.columns), [], 0, self.header
        for row in reader:
            line, line_end = (
                line_end + 1,
                reader.line_num,
            )  # a quoted field may span lines: report where it starts
            if not row:
                continue  # blank line, skipped like DuckDB does
            if skip_header:
                skip_header = False
                continue
            if len(row) != width:
                raise ragged_error(line, width, len(row))
            rows.append([v if v != "" else None for v in row])
            if len(rows) >= batch_rows:
                self.bytes_read = decoder.pos
                yield self._batch(rows)
                rows = []
        self.encoding = decoder.encoding
        self.bytes_read = self.total_bytes
        if rows:
            yield self._batch(rows)
        if not self.rows_read:
            raise ReadError(
                "The file has a header but no rows of data.", code="no_rows", row=2 if self.header else 1
            )


def split_lines(decoder: TextDecoder) -> Iterator[str]:
    """Lines ending in "\\n" (a "\\r\\n" stays whole; csv handles it), across chunk boundaries."""
    tail = ""
    for text in decoder:
        parts = io.StringIO(tail + text, newline="").readlines()
        tail = parts.pop() if parts and not parts[-1].endswith("\n") else ""
        yield from parts
    if tail:
        yield tail


def as_text(value) -> str | None:
    """A cell or JSON value as the string normalize will type: numbers plainly, midnight datetimes as dates."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class XlsxReader(Reader):
    """The first (or the named) sheet, via openpyxl in read-only mode (rows stream from the zip).

    The header is the first row holding at least half as many cells as the widest of the first 20 rows, so
    title rows above it ("2024년 관광객 현황", often merged across the table) are skipped with a note.
    Merged cells in the header are refused with the cells named: a two-row header ("인구" over "남"/"여")
    has no single right flattening, and a wrong one would silently mislabel data.
    """

    format = "xlsx"

    def __init__(self, path, *, sheet=None):
        import openpyxl

        super().__init__(path)
        try:
            self.book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
            raise ReadError(f"The file is not a readable .xlsx workbook ({e}).", code="bad_xlsx")
        names = self.book.sheetnames
        if sheet is not None and sheet not in names:
            raise ReadError(
                f"The workbook has no sheet {sheet!r}; it has {', '.join(names)}.",
                code="bad_xlsx",
                param="sheet",
            )
        self.sheet = self.book[sheet or names[0]]
        if len(names) > 1:
            self.notes.append(
                f"Read sheet '{self.sheet.title}'; the workbook also has {', '.join(n for n in names if n != self.sheet.title)}."
            )
        head = [(i, r) for i, r in enumerate(self.sheet.iter_rows(max_row=20, values_only=True), 1)]
        counts = [(i, sum(v not in (None, "") for v in r)) for i, r in head]
        widest = max((c for _, c in counts), default=0)
        if not widest:
            raise ReadError("The sheet is empty.", code="empty_file")
        self.header_row, header = next(
            (i, r) for (i, r), (_, c) in zip(head, counts, strict=True) if c * 2 >= widest
        )
        if self.header_row > 1:
            self.notes.append(f"Rows 1–{self.header_row - 1} above the header were skipped (title rows).")
        self._check_merged_header(path)
        header = list(header)
        while header and header[-1] in (None, ""):
            header.pop()
        self.columns, notes = unique_names([as_text(v) or "" for v in header])
        self.notes += notes

    def _check_merged_header(self, path):
        merged = _merged_ranges(path, self.sheet)
        bad = [ref for ref, (r1, r2) in merged if r1 <= self.header_row <= r2]
        if bad:
            raise ReadError(
                f"Header cells are merged ({', '.join(bad)}). Unmerge them so that every column has its own "
                f"name in one header row (row {self.header_row}), then upload again.",
                code="merged_header",
                row=self.header_row,
                column=bad[0],
                detail={"cells": bad},
            )
        if merged:
            self.notes.append(
                f"Merged cells below the header ({', '.join(ref for ref, _ in merged[:5])}) hold their value only in the first cell."
            )

    def batches(self, batch_rows=BATCH_ROWS):
        width, rows = len(self.columns), []
        for r, values in enumerate(
            self.sheet.iter_rows(min_row=self.header_row + 1, values_only=True), self.header_row + 1
        ):
            cells = [as_text(v) for v in values]
            while cells and cells[-1] is None:
                cells.pop()
            if not cells:
                continue  # empty (often just formatted) rows
            if len(cells) > width:
                raise ragged_error(r, width, len(cells))
            rows.append(cells + [None] * (width - len(cells)))
            if len(rows) >= batch_rows:
                yield self._batch(rows)
                rows = []
        self.bytes_read = self.total_bytes
        if rows:
            yield self._batch(rows)
        if not self.rows_read:
            raise ReadError(
                "The sheet has a header but no rows of data.", code="no_rows", row=self.header_row + 1
            )

    def close(self):
        self.book.close()


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")


def _merged_ranges(path, sheet) -> list[tuple[str, tuple[int, int]]]:
    """Merged ranges of a sheet as ("B1:C1", (first_row, last_row)). Read-only openpyxl does not parse
    them, so the sheet's XML is scanned for <mergeCell> as bytes, in chunks (they follow the cell data)."""
    found, tail = [], b""
    with zipfile.ZipFile(path) as z, z.open(sheet._worksheet_path) as f:
        while chunk := f.read(1 << 20):
            buf = tail + chunk
            found += _MERGE.findall(buf[: len(buf) - 256] if len(chunk) == 1 << 20 else buf)
            tail = buf[len(buf) - 256 :] if len(chunk) == 1 << 20 else b""
    out = []
    for c1, r1, c2, r2 in dict.fromkeys(found):
        ref = f"{c1.decode()}{r1.decode()}" + (f":{c2.decode()}{r2.decode()}" if c2 else "")
        out.append((ref, (int(r1), int(r2 or r1))))
    return out


class JsonReader(Reader):
    """A JSON array of objects, or a data.go.kr response envelope (response/header/body/items/item).

    The document is parsed whole (JSON has no record boundaries to stream on); big data belongs in JSON Lines.
    """

    format = "json"

    def __init__(self, path):
        super().__init__(path)
        with open(path, "rb") as f:
            raw = f.read()
        try:
            doc = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as e:
            raise ReadError("JSON must be UTF-8.", code="bad_encoding", row=raw[: e.start].count(b"\n") + 1)
        except json.JSONDecodeError as e:
            raise ReadError(f"The file is not valid JSON: {e.msg}.", code="bad_json", row=e.lineno)
        self.records = _records(doc)
        keys = {}
        for i, rec in enumerate(self.records, 1):
            if not isinstance(rec, dict):
                raise ReadError(f"Record {i} is not an object.", code="bad_json", row=i)
            keys.update(dict.fromkeys(rec))
        self.keys = list(keys)
        self.columns, self.notes = unique_names(self.keys)

    def batches(self, batch_rows=BATCH_ROWS):
        for start in range(0, len(self.records), batch_rows):
            yield self._batch(
                [[as_text(r.get(k)) for k in self.keys] for r in self.records[start : start + batch_rows]]
            )
        self.bytes_read = self.total_bytes
        if not self.records:
            raise ReadError("The JSON holds no records.", code="no_rows")


_OK_CODES = {"00", "0", "000", "0000", "INFO-000", "NORMAL_SERVICE", "NORMAL SERVICE."}


def _records(doc) -> list:
    """The list of records in a JSON document: the document itself, or the items of a data.go.kr envelope
    ({"response": {"header": {"resultCode"}, "body": {"items": {"item": [...]}}}}; one item may come as an
    object, none as ""), or a "data"/"records"/"items" list (odcloud and similar)."""
    if isinstance(doc, list):
        return doc
    if not isinstance(doc, dict):
        raise ReadError(
            "The JSON holds neither a list of records nor a data.go.kr envelope.", code="bad_json"
        )
    resp = doc.get("response", doc)
    head = resp.get("header") if isinstance(resp, dict) else None
    if isinstance(head, dict) and "resultCode" in head and str(head["resultCode"]) not in _OK_CODES:
        raise ReadError(
            f"The saved API response is an error: {head.get('resultCode')} {head.get('resultMsg', '')}".strip(),
            code="api_error",
            detail=head,
        )
    body = resp.get("body", resp) if isinstance(resp, dict) else {}
    for key in ("items", "data", "records", "item", "rows"):
        if not isinstance(body, dict) or key not in body:
            continue
        items = body[key]
        if isinstance(items, dict) and "item" in items:
            items = items["item"]
        if items in ("", None):
            return []
        if isinstance(items, dict):
            return [items]
        if isinstance(items, list):
            return items
    raise ReadError("The JSON holds neither a list of records nor a data.go.kr envelope.", code="bad_json")


class JsonLinesReader(Reader):
    """One JSON object per line; two streaming passes (keys first, so every batch has the same columns)."""

    format = "jsonl"

    def __init__(self, path):
        super().__init__(path)
        keys = {}
        for _, rec in self._objects():
            keys.update(dict.fromkeys(rec))
        self.keys = list(keys)
        self.columns, self.notes = unique_names(self.keys)

    def _objects(self):
        with open(self.path, "rb") as f:
            for line_no, line in enumerate(f, 1):
                self.bytes_read += len(line)
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line.decode("utf-8-sig" if line_no == 1 else "utf-8"))
                except UnicodeDecodeError:
                    raise ReadError("JSON Lines must be UTF-8.", code="bad_encoding", row=line_no)
                except json.JSONDecodeError as e:
                    raise ReadError(
                        f"Line {line_no} is not valid JSON: {e.msg}.", code="bad_json", row=line_no
                    )
                if not isinstance(rec, dict):
                    raise ReadError(f"Line {line_no} is not a JSON object.", code="bad_json", row=line_no)
                yield line_no, rec

    def batches(self, batch_rows=BATCH_ROWS):
        self.bytes_read, rows = 0, []
        for _, rec in self._objects():
            rows.append([as_text(rec.get(k)) for k in self.keys])
            if len(rows) >= batch_rows:
                yield self._batch(rows)
                rows = []
        if rows:
            yield self._batch(rows)
        if not self.rows_read:
            raise ReadError("The file holds no JSON records.", code="no_rows")


class ParquetReader(Reader):
    """Parquet row groups as they are stored, native types kept."""

    format = "parquet"

    def __init__(self, path):
        import pyarrow.parquet as pq

        super().__init__(path)
        try:
            self.file = pq.ParquetFile(path)
        except (pa.ArrowException, OSError) as e:
            raise ReadError(f"The file is not readable Parquet ({e}).", code="bad_parquet")
        self.columns = self.file.schema_arrow.names

    def batches(self, batch_rows=BATCH_ROWS):
        for batch in self.file.iter_batches(batch_size=batch_rows):
            self.rows_read += batch.num_rows
            yield batch
        self.bytes_read = self.total_bytes

    def close(self):
        self.file.close()
