"""What a file is, before it is read: format, text encoding, delimiter, header and column names.

Korean public data arrives as CSV in CP949 (EUC-KR's superset, what Excel on Korean Windows writes), UTF-8
with or without a BOM, and now and then UTF-16 ("유니코드 텍스트" from Excel). Everything here looks only at
the first megabyte; :class:`TextDecoder` then checks the whole file as it streams and names the line at fault.
"""

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from dongne.lake.errors import ReadError

FORMATS = ("csv", "tsv", "xlsx", "json", "jsonl", "parquet")
SAMPLE_BYTES = 1 << 20
CHUNK_BYTES = 8 << 20
DELIMITERS = (",", "\t", ";", "|")
UTF8_EVIDENCE = 4  # non-ASCII characters; a CP949 file almost never starts with this many valid UTF-8 ones

_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
# Human names for messages; "ascii" means "no byte above 0x7F seen yet", decided later while streaming.
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (BOM)",
    "cp949": "CP949",
    "utf-16": "UTF-16",
    "ascii": "ASCII",
}


def detect_format(path, head: bytes | None = None) -> str:
    """One of FORMATS, from magic bytes first (a renamed file is still what its bytes say), then the extension."""
    path = Path(path)
    if head is None:
        with open(path, "rb") as f:
            head = f.read(64 * 1024)
    if not head:
        raise ReadError("The file is empty (0 bytes).", code="empty_file")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            "This is an old Excel .xls file; save it as .xlsx or CSV and upload again.",
            code="unsupported_format",
        )
    ext = _EXTENSIONS.get(path.suffix.lower())
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if ext in ("json", "jsonl", None) and text[:1] in (b"[", b"{"):
        return _json_or_lines(text)
    if ext in ("parquet", "xlsx"):
        raise ReadError(
            f"The file is named {path.suffix} but its content is not {ext}.", code="unsupported_format"
        )
    return ext or "csv"


def _json_or_lines(text: bytes) -> str:
    """JSON Lines when the first line is a complete object and another object follows on the next line."""
    if text[:1] == b"[":
        return "json"
    first, _, rest = text.partition(b"\n")
    try:
        json.loads(first)
    except ValueError:
        return "json"  # one object spread over lines: a JSON document (e.g. the data.go.kr envelope)
    return "jsonl" if rest.lstrip()[:1] == b"{" else "json"


def detect_encoding(sample: bytes, *, complete: bool = False) -> str:
    """Python codec name for ``sample`` (the head of a file; ``complete`` when it is the whole file).

    UTF-8 is tried strictly before CP949 because valid UTF-8 Hangul is almost never valid CP949 text and vice
    versa. A sample of pure ASCII returns "ascii": the stream decides at its first non-ASCII byte.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if sample.isascii():
        return "ascii"
    reached = {}
    for enc in ("utf-8", "cp949"):
        try:
            codecs.getincrementaldecoder(enc)().decode(sample, complete)
            return enc
        except UnicodeDecodeError as e:
            reached[enc] = e.start
        if enc == "utf-8":
            # UTF-8 Hangul often decodes as (wrong) CP949 too. Several Korean characters of valid UTF-8 before
            # the first bad byte mean a UTF-8 file with something else pasted in: refuse, naming that line.
            prefix = sample[: reached[enc]].decode("utf-8")
            if sum(not c.isascii() for c in prefix) >= UTF8_EVIDENCE:
                raise encoding_error(prefix.count("\n") + 1, "utf-8")
    # Neither decodes: name the line where the more plausible one (the one that got further) fails.
    enc = max(reached, key=reached.get)
    raise encoding_error(sample[: reached[enc]].count(b"\n") + 1, enc)


def encoding_error(line: int, encoding: str, **detail) -> ReadError:
    return ReadError(
        f"Bytes on line {line} cannot be read as {ENCODING_NAMES.get(encoding, encoding)}: the file is not UTF-8 "
        "or CP949 (EUC-KR) throughout. Save it in one of those encodings and upload again.",
        code="bad_encoding",
        row=line,
        detail={"encoding": encoding, **detail},
    )


class TextDecoder:
    """Streams a text file as decoded chunks, checking every byte and naming the line of the first bad one.

    ``encoding`` may be "ascii" (undecided): at the first non-ASCII byte the decoder settles on UTF-8, else
    CP949. Chunks are CHUNK_BYTES; the incremental decoder keeps a multibyte character split across two
    chunks. ``pos`` is the byte offset read so far, ``lines`` the newlines seen, ``chunk_start`` the byte
    offset where the last yielded chunk began (all bytes before it were ASCII while undecided).
    """

    def __init__(self, path, encoding: str, *, chunk_bytes: int = CHUNK_BYTES):
        self.path, self.encoding, self.chunk_bytes = Path(path), encoding, chunk_bytes
        self.pos = self.lines = self.chunk_start = 0

    def __iter__(self):
        decoder = None if self.encoding == "ascii" else codecs.getincrementaldecoder(self.encoding)()
        with open(self.path, "rb") as f:
            while True:
                chunk = f.read(self.chunk_bytes)
                final = not chunk
                self.chunk_start = self.pos
                if decoder is None:  # undecided: ASCII so far
                    if chunk.isascii():
                        text = chunk.decode("ascii")
                    else:
                        self.encoding = self._settle(chunk)
                        decoder = codecs.getincrementaldecoder(self.encoding)()
                        text = self._decode(decoder, chunk, final)
                else:
                    text = self._decode(decoder, chunk, final)
                self.pos += len(chunk)
                self.lines += text.count("\n")
                if text:
                    yield text
                if final:
                    return

    def _settle(self, chunk: bytes) -> str:
        start = chunk.rfind(b"\n", 0, re.search(rb"[\x80-\xff]", chunk).start()) + 1
        try:
            return detect_encoding(chunk[start:])
        except ReadError as e:
            raise encoding_error(
                self.lines + chunk[:start].count(b"\n") + e.row, e.detail["encoding"]
            ) from None

    def _decode(self, decoder, chunk: bytes, final: bool) -> str:
        pending = decoder.getstate()[0]
        try:
            return decoder.decode(chunk, final)
        except UnicodeDecodeError as e:
            good = (pending + chunk)[: e.start]
            line = (
                self.lines + codecs.getincrementaldecoder(self.encoding)().decode(good, False).count("\n") + 1
            )
            raise encoding_error(line, self.encoding, byte=self.pos + e.start - len(pending)) from None


@dataclass
class Dialect:
    """What :func:`sniff_text` found: enough to read the file without guessing again."""

    encoding: str
    delimiter: str
    header: bool
    columns: list[str]
    notes: list[str] = field(default_factory=list)
    sample_rows: list[list[str]] = field(
        default_factory=list
    )  # parsed rows after the header, from the sample
    complete: bool = False  # the sample is the whole file


def sniff_text(
    path,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool | None = None,
    tsv: bool = False,
) -> Dialect:
    """Encoding, delimiter, header and unique column names of a CSV/TSV file, from its first megabyte."""
    path = Path(path)
    with open(path, "rb") as f:
        raw = f.read(SAMPLE_BYTES + 1)
    if not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ReadError("The file is empty: it has no header and no rows.", code="empty_file")
    complete = len(raw) <= SAMPLE_BYTES
    raw = raw[:SAMPLE_BYTES]
    encoding = encoding or detect_encoding(raw, complete=complete)
    codec = "utf-8" if encoding == "ascii" else encoding
    text = codecs.getincrementaldecoder(codec)(errors="replace").decode(raw, complete)
    text = text.lstrip("\ufeff")
    if not complete:  # drop the partial last line
        text = text[: text.rfind("\n") + 1] or text
    lines = list(io.StringIO(text, newline=""))
    delimiter = delimiter or sniff_delimiter(lines, prefer="\t" if tsv else ",")
    rows = [r for r in csv.reader(lines, delimiter=delimiter) if r]
    if not complete and len(rows) > 1:
        rows.pop()  # may be cut inside a quoted field
    if header is None:
        header = detect_header(rows)
    width = max((len(r) for r in rows[:1000]), default=0) if not header else len(rows[0])
    names = rows[0] if header else [""] * width
    columns, notes = unique_names(names)
    data = rows[1:] if header else rows
    if complete and not data:
        raise ReadError("The file has a header but no rows of data.", code="no_rows", row=2)
    return Dialect(encoding, delimiter, header, columns, notes, data[:1000], complete)


def sniff_delimiter(lines: list[str], *, prefer: str = ",") -> str:
    """The candidate that splits the sample into the most consistent number (≥ 2) of fields per line."""
    best, best_score = prefer, (0.0, 0)
    sample = [ln for ln in lines[:200] if ln.strip()]
    for d in (prefer, *[c for c in DELIMITERS if c != prefer]):
        counts = [len(r) for r in csv.reader(sample, delimiter=d) if r]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), mode)
        if score[0] > best_score[0] + 0.05 or (
            abs(score[0] - best_score[0]) <= 0.05 and score[1] > best_score[1]
        ):
            best, best_score = d, score
    return best


_NUM = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?원?")
_DATE = re.compile(r"\d{4}[-./] ?\d{1,2}[-./] ?\d{1,2}\.?|(19|20)\d{6}")
_YEAR = re.compile(r"(19|20)\d\d(년)?")


def _kind(value: str) -> str:
    v = value.strip()
    if not v:
        return "empty"
    if _DATE.fullmatch(v):
        return "date"
    return "num" if _NUM.fullmatch(v) else "text"


def detect_header(rows: list[list[str]]) -> bool:
    """Is the first row a header? Votes per column whose data rows are all numbers or all dates: a text
    first cell votes header, a same-kind one votes data. Years over numeric columns ("2021", "2022" in
    statistics tables) count as header. With no evidence either way, a header (the public-data norm)."""
    if len(rows) < 2:
        return True
    first, rest = rows[0], rows[1:200]
    header_votes = data_votes = 0
    for j, cell in enumerate(first):
        kinds = {_kind(r[j]) for r in rest if j < len(r)} - {"empty"}
        if len(kinds) != 1 or kinds == {"text"}:
            continue
        head = _kind(cell)
        if head == "text" or (
            head == "num"
            and _YEAR.fullmatch(cell.strip())
            and not all(_YEAR.fullmatch(r[j].strip()) for r in rest if j < len(r) and r[j].strip())
        ):
            header_votes += 1
        elif head in kinds:
            data_votes += 1
    return header_votes >= data_votes


def unique_names(names: list[str]) -> tuple[list[str], list[str]]:
    """Column names as given (Korean kept exactly; only surrounding blanks trimmed and line breaks made
    spaces); an empty name becomes "열N" (N = its 1-based position), a repeated one gets "_2", "_3". DuckDB
    compares names without case, so uniqueness does too."""
    out, notes, seen = [], [], set()
    for i, raw in enumerate(names, 1):
        name = re.sub(r"[\r\n\t]+", " ", (raw or "").replace("\ufeff", "")).strip()
        if not name:
            name = f"열{i}"
            notes.append(f"Column {i} has no name in the header; it is called '{name}'.")
        if name.casefold() in seen:
            base, k = name, 2
            while f"{base}_{k}".casefold() in seen:
                k += 1
            name = f"{base}_{k}"
            notes.append(f"Column {i} repeats the name '{base}'; it is called '{name}'.")
        seen.add(name.casefold())
        out.append(name)
    return out, notes
