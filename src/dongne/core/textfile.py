"""Reading tabular files as Korean offices produce them: CSV in UTF-8, UTF-8 with BOM or
CP949/EUC-KR (detected, not guessed from a setting), and XLSX."""

import csv
import io

from django.utils.translation import gettext_lazy as _

from .errors import ValidationError

_BOM = b"\xef\xbb\xbf"


def decode_text(data):
    """Return (text, encoding). UTF-8 is tried strictly first: CP949 bytes are rarely valid UTF-8,
    while UTF-8 Hangul is never valid CP949 of the same meaning."""
    error = ValidationError(
        _("The file's text encoding is not UTF-8 or CP949/EUC-KR; save it as CSV UTF-8 and try again."),
        code="bad_encoding",
    )
    if data.startswith(_BOM):
        try:
            return data[len(_BOM) :].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError:
            raise error  # a UTF-8 BOM in front of bytes that are not UTF-8
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949"), "cp949"
    except UnicodeDecodeError:
        raise error


def sniff_delimiter(text):
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def read_table(data, filename):
    """Rows of a CSV/TSV or XLSX upload as (header, rows, encoding); header cells stripped,
    blank rows dropped."""
    header, numbered, encoding = read_numbered_table(data, filename)
    return header, [row for _number, row in numbered], encoding


def read_numbered_table(data, filename):
    """Like ``read_table``, but each row comes as (row number, cells) with the number a
    spreadsheet shows for it (the header's row included), so that error reports point at the
    right row even when the file has blank rows."""
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return _split(*_read_xlsx(data))
    extension = name.rsplit(".", 1)[1] if "." in name else ""
    if extension not in ("csv", "tsv", "txt", ""):
        raise ValidationError(_("Upload a CSV or XLSX file."), code="bad_file_type")
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Text in UTF-8 or CP949 never holds a NUL byte; a binary file nearly always does.
        # (UTF-16, which does, falls through to the encoding error below.)
        raise ValidationError(_("This file is not a text CSV file."), code="bad_file")
    text, encoding = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        rows = [row for row in reader]
    except csv.Error as exc:
        raise ValidationError(
            _("The CSV file is malformed: %(error)s"), code="bad_file", params={"error": str(exc)}
        )
    return _split(rows, encoding)


def _read_xlsx(data):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ValidationError(
            _("The Excel file could not be read (%(error)s); save it again as .xlsx."),
            code="bad_file",
            params={"error": type(exc).__name__},
        )
    return rows, "xlsx"


def _split(rows, encoding):
    numbered = [
        (number, row) for number, row in enumerate(rows, start=1) if any(str(cell).strip() for cell in row)
    ]
    if not numbered:
        raise ValidationError(_("The file is empty."), code="empty_file")
    (_number, first), rest = numbered[0], numbered[1:]
    header = [str(cell).strip() for cell in first]
    return header, rest, encoding
