"""Types for text columns, decided over the whole column, and the casts that apply them — in DuckDB SQL.

A column becomes a number or a date only when **every** non-empty value is one: "1,234" and "1,234원" →
integer, "36.5695" → double, "2024-05-01" / "2024.05.01" / "2024. 5. 1." / "2024/05/01" / "20240501" → date,
"2024-05-01 10:30" → timestamp. One value that does not fit keeps the whole column text: nothing is nulled
behind the user's back. Code columns stay text so leading zeros survive: any value with a leading zero
("01234"), or a name containing 코드, code, 번호, 법정동, 행정동, 행정구역, 우편 or zip (a 법정동코드 like
5111010100 is a label, not a quantity). Empty and blank cells (spaces, tabs, U+3000) become null.

The casts are strict: a value that does not fit raises ``error('lake:cast:<i>')`` inside DuckDB instead of
becoming null. That lets ingest decide types on a sample, write in one pass, and fall back to a whole-column
check only when a later value disagrees (see ``cast_failure``).
"""

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .sqlutil import ident, literal

CODE_NAME = re.compile(r"코드|code|번호|법정동|행정동|행정구역|우편|zip", re.IGNORECASE)
BLANKS = " \t\r\n\u3000\u00a0"
_PAD = r"[ \t\x{3000}\x{a0}]*"  # blanks allowed around a number or date (RE2 syntax)

# RE2 patterns (DuckDB's regexp_full_match). Thousands separators must be well placed: "1,23" is not 123.
INT = rf"{_PAD}[+-]?(\d{{1,3}}(,\d{{3}})+|\d+)원?{_PAD}"
NUM = rf"{_PAD}[+-]?((\d{{1,3}}(,\d{{3}})+|\d+)(\.\d+)?|\.\d+)([eE][+-]?\d+)?원?{_PAD}"
# The compact form needs a 19xx/20xx year and a real month/day, so an 8-digit amount is not taken for a date.
DATE = (
    rf"{_PAD}(\d{{4}}(-\d{{1,2}}-\d{{1,2}}|\. ?\d{{1,2}}\. ?\d{{1,2}}\.?|/\d{{1,2}}/\d{{1,2}})"
    rf"|(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])){_PAD}"
)
TIMESTAMP = rf"{_PAD}\d{{4}}-\d{{1,2}}-\d{{1,2}}[ T]\d{{1,2}}:\d{{2}}(:\d{{2}}(\.\d{{1,6}})?)?{_PAD}"
LEADING_ZERO = rf"{_PAD}[+-]?0\d.*"
# "Plain" spellings DuckDB's CSV reader parses natively (and ten times faster than SQL casts): see NATIVE.
PLAIN_NUMBER = r"[+-]?\d+(\.\d+)?"
PLAIN_DATE = r"\d{4}-\d{1,2}-\d{1,2}"
# Spellings with a cheap exact cast (see SHAPES): a subset of INT/NUM, so a value they take the general cast
# takes too, with the same result.
GROUPED_INT = r"\d{1,3}(,\d{3})*원?"
GROUPED_NUM = r"\d{1,3}(,\d{3})*(\.\d+)?원?"
# What the CSV reader is asked for when a column's sample is plain. Integers are read as DOUBLE and checked
# to be whole (DuckDB's BIGINT parse rounds "1.5" to 2); dates as TIMESTAMP and checked to be midnight (its
# DATE parse drops a time of day). A value that fails the check or the parse sends the ingest to the SQL casts.
NATIVE = {"integer": "DOUBLE", "double": "DOUBLE", "date": "TIMESTAMP"}

SQL_TYPES = {
    "integer": "BIGINT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "text": "VARCHAR",
}
_CAST_ERROR = re.compile(r"lake:cast:(\d+)")
# Per-value cost matters at 10 million rows: casts try the cheap form first (plain digits, ISO dates) and
# reach for trim/replace only for the values that need it; blank checks run only on short strings.


def _blank(col: str) -> str:
    """Empty or only blanks. The byte comparisons let the (costly) trim run only on values that start with
    a blank: below "!" (space, tab, CR, LF), or U+00A0, or U+3000 (ideographic space)."""
    q = ident(col)
    starts_blank = (
        f"({q} < '!' OR ({q} >= '\u00a0' AND {q} < '\u00a1') OR ({q} >= '\u3000' AND {q} < '\u3001'))"
    )
    return f"(CASE WHEN {starts_blank} THEN trim({q}, {literal(BLANKS)}) = '' ELSE false END)"


def _may_fit(col: str) -> str:
    """False for a value that no number, date, timestamp or leading-zero pattern can match: one that starts
    above "9" in byte order, other than with U+00A0 or U+3000 (blanks the patterns allow)."""
    q = ident(col)
    return f"({q} < ':' OR ({q} >= '\u00a0' AND {q} < '\u00a1') OR ({q} >= '\u3000' AND {q} < '\u3001'))"


def _trimmed(col: str) -> str:
    return f"trim({ident(col)}, {literal(BLANKS)})"


def _number(col: str, sql_type: str) -> str:
    # Plain digits cast directly; separators and 원 are removed only where there are some (a value with either
    # never casts as it is); blanks around last.
    q = ident(col)
    return (
        f"coalesce(CASE WHEN contains({q}, ',') OR contains({q}, '원') THEN {_ungrouped(q, sql_type)} "
        f"ELSE try_cast({q} AS {sql_type}) END, {_ungrouped(_trimmed(col), sql_type)})"
    )


def _ungrouped(v: str, sql_type: str) -> str:
    return f"try_cast(replace(replace({v}, ',', ''), '원', '') AS {sql_type})"


# The date forms, each tried only where its separator is (position 5: a 4-digit year; a list of formats
# would cost ten times more). The compact form needs 8 characters and a 19xx/20xx year: strptime alone
# would read "2024051" as 2024-05-01. The forms exclude each other: a value has one character at position 5.
_DATE_FORMS = {
    "iso": ("strpos({v}, '-') = 5", "try_strptime({v}, '%Y-%m-%d')"),
    "dots": (
        "strpos({v}, '.') = 5",
        "coalesce(try_strptime({v}, '%Y.%m.%d'), try_strptime(rtrim(replace({v}, ' ', ''), '.'), '%Y.%m.%d'))",
    ),
    "slashes": ("strpos({v}, '/') = 5", "try_strptime({v}, '%Y/%m/%d')"),
    "compact": ("strlen({v}) = 8 AND {v} >= '19' AND {v} < '21'", "try_strptime({v}, '%Y%m%d')"),
}


def _date_of(v: str) -> str:
    # One strict strptime per value, chosen by the form its separator says.
    whens = " ".join(f"WHEN {w.format(v=v)} THEN {t.format(v=v)}" for w, t in _DATE_FORMS.values())
    return f"CASE {whens} END"


def _date(col: str) -> str:
    return f"CAST(coalesce({_date_of(ident(col))}, {_date_of(_trimmed(col))}) AS DATE)"


def _match(col: str, pattern: str) -> str:
    return f"regexp_full_match({ident(col)}, {literal(pattern)})"


@dataclass
class Inference:
    """``types``: column → integer/double/date/timestamp/text, or None where the column held no value."""

    types: dict[str, str | None]
    notes: list[str] = field(default_factory=list)
    plain: set[str] = field(default_factory=set)  # typed columns whose values are all plain (see NATIVE)
    shapes: dict[str, str] = field(default_factory=dict)  # typed column → its usual spelling (see SHAPES)


def infer_types(con, relation: str, columns: list[str], *, split: int = 1, shapes: bool = True) -> Inference:
    """Types of the text ``columns`` of ``relation`` (anything that can follow FROM), in one DuckDB scan —
    or ``split`` scans of a share of the columns each, run at once on as many cursors: for a small table (a
    sample), whose single scan DuckDB would not spread over threads. ``shapes``: also find each typed
    column's usual spelling, in a second scan (so not for a relation that can be read only once)."""
    out, notes, checked = {}, [], []
    for c in columns:
        if CODE_NAME.search(c):
            out[c] = "text"
        else:
            checked.append(c)
    if not checked:
        return Inference(out)
    aggs = []
    for c in checked:
        # CASE, not AND: DuckDB evaluates both sides of an AND for every row, CASE only where the shape fits.
        # Every pattern below starts with a blank, a sign, a digit or a dot: the cheap byte test of _may_fit
        # spares the regular expressions the values that start otherwise (Korean text, mostly).
        def match(pattern, c=c):
            return f"CASE WHEN {_may_fit(c)} THEN {_match(c, pattern)} ELSE false END"

        def fits(pattern, value_sql, c=c):
            return f"count(*) FILTER (CASE WHEN {match(pattern)} THEN {value_sql} IS NOT NULL ELSE false END)"

        aggs += [
            f"count({ident(c)}) FILTER (NOT {_blank(c)})",
            fits(INT, _number(c, "BIGINT")),
            fits(NUM, _number(c, "DOUBLE")),
            fits(DATE, _date(c)),
            fits(TIMESTAMP, f"try_cast({_trimmed(c)} AS TIMESTAMP)"),
            f"count(*) FILTER ({match(LEADING_ZERO)})",
            f"first({ident(c)}) FILTER (CASE WHEN {_blank(c)} OR {match(NUM)} THEN false ELSE NOT {match(DATE)} END)",
            f"count(*) FILTER ({match(PLAIN_NUMBER)})",
            f"count(*) FILTER ({match(PLAIN_DATE)})",
        ]
    counts = _aggregate(con, relation, aggs, 9, split)
    plain, present = set(), {}
    for i, c in enumerate(checked):
        n, ints, nums, dates, stamps, zeros, odd, plain_numbers, plain_dates = counts[i * 9 : i * 9 + 9]
        out[c] = _decide(n, ints, nums, dates, stamps, zeros)
        if (out[c] in ("integer", "double") and plain_numbers == n) or (
            out[c] == "date" and plain_dates == n
        ):
            plain.add(c)
        elif out[c] in SHAPES:
            present[c] = n
        if zeros and nums == n:
            notes.append(f"'{c}' stays text: its values have leading zeros (codes, not quantities).")
        elif out[c] == "text" and max(nums, dates) >= 0.9 * n:
            # Say why a nearly numeric column is text, so the user can fix the odd values ("-", "없음") at source.
            kind = "numbers" if nums >= dates else "dates"
            notes.append(
                f"'{c}' stays text: {n - max(nums, dates)} of {n} values are not {kind} (e.g. {odd!r})."
            )
    return Inference(out, notes, plain, _shapes(con, relation, out, present) if shapes else {})


def _aggregate(con, relation: str, aggs: list[str], width: int, split: int) -> tuple:
    """The one row of SELECT aggs FROM relation; with split > 1, in groups of whole columns (``width``
    aggregates each) on concurrent cursors (DuckDB runs them in parallel and releases the GIL)."""
    groups = [aggs[i : i + width] for i in range(0, len(aggs), width)]
    n = max(1, min(split, len(groups)))
    if n == 1:
        return con.execute(f"SELECT {', '.join(aggs)} FROM {relation}").fetchone()
    shares = [sum(groups[k::n], []) for k in range(n)]  # columns dealt round-robin

    def run(share):
        with con.cursor() as cur:
            return cur.execute(f"SELECT {', '.join(share)} FROM {relation}").fetchone()

    with ThreadPoolExecutor(n) as pool:
        rows = list(pool.map(run, shares))
    # Undo the dealing: column i is the (i // n)-th of share i % n.
    return tuple(v for i in range(len(groups)) for v in rows[i % n][(i // n) * width : (i // n + 1) * width])


def _shapes(con, relation: str, types: dict, present: dict[str, int]) -> dict[str, str]:
    """Each column's usual spelling among SHAPES[type] — the one at least half its values have — counted with
    the cheap tests of _SHAPE_TESTS (one more scan of the relation, only when there is a column to shape)."""
    if not present:
        return {}
    cols = list(present)
    aggs = [f"count(*) FILTER ({_SHAPE_TESTS[s].format(v=ident(c))})" for c in cols for s in SHAPES[types[c]]]
    counts = iter(con.execute(f"SELECT {', '.join(aggs)} FROM {relation}").fetchone())
    shapes = {}
    for c in cols:
        seen = {s: next(counts) for s in SHAPES[types[c]]}
        best = max(seen, key=seen.get)
        if seen[best] * 2 >= present[c]:
            shapes[c] = best
    return shapes


def _decide(n, ints, nums, dates, stamps, zeros) -> str | None:
    if n == 0:
        return None
    if dates == n:
        return "date"
    if stamps and stamps + dates == n:
        return "timestamp"
    if zeros:
        return "text"
    if ints == n:
        return "integer"
    if nums == n:
        return "double"
    return "text"


# Cheap casts for a column's usual spelling, put before the general one (a value they do not take goes on to
# it). Each takes only values the general cast takes, with the same result — tests/lake/test_normalize.py
# checks that on generated values. Numbers: "1,234" / "12,300원" skip the failing plain cast and the
# blank handling; dates: one strptime without the CASE over forms.
SHAPES = {
    "integer": ("grouped",),
    "double": ("grouped",),
    "date": ("iso", "dots", "slashes", "compact"),
}
# What a sampled value must look like to count for a shape: the date forms' own conditions.
_SHAPE_TESTS = {"grouped": "contains({v}, ',') OR contains({v}, '원')"} | {
    form: when for form, (when, _) in _DATE_FORMS.items()
}


def _shaped(col: str, type_: str, shape: str | None) -> str | None:
    q = ident(col)
    if shape == "grouped" and type_ in ("integer", "double"):
        pattern, sql_type = (GROUPED_INT, "BIGINT") if type_ == "integer" else (GROUPED_NUM, "DOUBLE")
        return f"CASE WHEN {_match(col, pattern)} THEN {_ungrouped(q, sql_type)} END"
    if type_ == "date" and shape in _DATE_FORMS:
        when, then = _DATE_FORMS[shape]
        return f"CAST(CASE WHEN {when.format(v=q)} THEN {then.format(v=q)} END AS DATE)"
    return None


def cast_expression(col: str, type_: str, index: int, shape: str | None = None) -> str:
    """SQL turning text column ``col`` into ``type_``, raising lake:cast:<index> on a value that does not fit.
    ``shape`` (from Inference.shapes) puts a cheap cast for the column's usual spelling first."""
    q = ident(col)
    if type_ == "text":
        return f"CASE WHEN {_blank(col)} THEN NULL ELSE {q} END"
    # The blank check runs only for values that do not fit, which are rare (or the column would be text).
    misfit = f"CASE WHEN {_blank(col)} THEN NULL ELSE error('lake:cast:{index}') END"
    return f"CASE WHEN {q} IS NULL THEN NULL ELSE coalesce({fit_expression(col, type_, shape)}, {misfit}) END"


def fit_expression(col: str, type_: str, shape: str | None = None) -> str:
    """SQL for the value of text column ``col`` as ``type_``, NULL where it does not fit (blanks included)."""
    if type_ == "integer":
        fit = f"CASE WHEN {_match(col, INT)} THEN {_number(col, 'BIGINT')} END"
    elif type_ == "double":
        fit = f"CASE WHEN {_match(col, NUM)} THEN {_number(col, 'DOUBLE')} END"
    elif type_ == "date":
        fit = _date(col)  # strptime is strict, given the separator position and length checks in _date_of
    elif type_ == "timestamp":
        fit = (
            f"CASE WHEN {_match(col, TIMESTAMP)} THEN try_cast({_trimmed(col)} AS TIMESTAMP) "
            f"WHEN {_match(col, DATE)} THEN CAST({_date(col)} AS TIMESTAMP) END"
        )
    else:
        raise ValueError(type_)
    fast = _shaped(col, type_, shape)
    return f"coalesce({fast}, {fit})" if fast else fit


def native_check(col: str, type_: str, index: int) -> str:
    """SQL checking a column the CSV reader parsed as NATIVE[type_]: whole numbers within DOUBLE's exact range,
    finite doubles, midnight timestamps with a 4-digit year; lake:cast:<index> otherwise."""
    q, fail = ident(col), f"error('lake:cast:{index}')"
    if type_ == "integer":
        return f"CASE WHEN {q} IS NULL THEN NULL WHEN {q} = trunc({q}) AND abs({q}) < 9.0e15 THEN CAST({q} AS BIGINT) ELSE {fail} END"
    if type_ == "double":
        return f"CASE WHEN {q} IS NULL OR isfinite({q}) THEN {q} ELSE {fail} END"
    if type_ == "date":
        return (
            f"CASE WHEN {q} IS NULL THEN NULL WHEN {q} = date_trunc('day', {q}) AND year({q}) >= 1000 "
            f"THEN CAST({q} AS DATE) ELSE {fail} END"
        )
    raise ValueError(type_)


def select_list(
    columns: list[str], types: dict[str, str | None], *, passthrough=(), native=(), shapes=None
) -> str:
    """The SELECT list that types every column; ``passthrough`` columns (already typed) are kept as they are,
    ``native`` ones (parsed by the CSV reader as NATIVE[type]) are checked; ``shapes`` as in Inference."""
    parts = []
    for i, c in enumerate(columns):
        if c in passthrough:
            expr = ident(c)
        elif c in native:
            expr = native_check(c, types[c], i)
        else:
            expr = cast_expression(c, types.get(c) or "text", i, (shapes or {}).get(c))
        parts.append(f"{expr} AS {ident(c)}")
    return ", ".join(parts)


def cast_failure(exc: Exception) -> int | None:
    """The column index whose strict cast failed, if ``exc`` is such a failure."""
    m = _CAST_ERROR.search(str(exc))
    return int(m.group(1)) if m else None


def conversion_failure(exc: Exception) -> bool:
    """Did DuckDB's CSV reader fail to parse a value of a natively typed column?"""
    return "Error when converting column" in str(exc)


def logical_type(duckdb_type: str) -> str:
    """The lake's type name for a DuckDB type (what catalog pages and the query layer show)."""
    t = str(duckdb_type).upper()
    if t in (
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
    ):
        return "integer"
    if t in ("DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
        return "double"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "BOOLEAN":
        return "boolean"
    if t == "VARCHAR":
        return "text"
    return "other"
