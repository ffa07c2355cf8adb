"""Lake errors (plain Python, English) turned into the platform's translated domain errors."""

from django.utils.translation import gettext_lazy as _

from dongne.core.errors import NotFound, ValidationError

MESSAGES = {
    "empty_file": _("The file is empty (0 bytes)."),
    "no_rows": _("The file has a header but no rows of data."),
    "bad_encoding": _("The file's text encoding could not be read as UTF-8 or CP949/EUC-KR."),
    "ragged_row": _("A row has a different number of columns than the header."),
    "unknown_column": _("There is no such column."),
    "not_select": _("Only a single SELECT statement is allowed."),
    "multiple_statements": _("Send one SQL statement at a time."),
    "forbidden_function": _("This SQL function is not allowed (no file or network access)."),
    "unknown_table": _("The SQL refers to a table that is not available."),
    "syntax_error": _("The SQL statement has a syntax error."),
    "timeout": _("The query took too long and was stopped."),
    "bad_csv": _("The CSV file is malformed."),
    "merged_header": _("The Excel sheet has merged cells in its header row; unmerge them and upload again."),
    "bad_xlsx": _("The Excel file could not be read; save it again as .xlsx."),
    "bad_json": _("The JSON file could not be read."),
    "bad_parquet": _("The Parquet file could not be read."),
    "unsupported_format": _(
        "This file format is not supported; use CSV, TSV, XLSX, JSON, JSON Lines or Parquet."
    ),
    "bad_records": _("The records from the source could not be stored."),
    "invalid_value": _("A filter value does not fit the column's type."),
    "invalid_operator": _("Unknown filter operator."),
    "invalid_aggregate": _("Unknown aggregate function."),
    "key_not_registered": _("The public-data API refused the service key; check DONGNE_TOURAPI_KEY."),
    "bad_response": _("The public-data API sent an answer that could not be read."),
    "interrupted": _("The ingest was interrupted and its uploaded file is gone; upload the file again."),
    "internal": _("The ingest failed because of an internal error; the previous version is unchanged."),
}


def as_dict(exc):
    """A JSON-safe description of a lake error, with the message in the user's language."""
    message = MESSAGES.get(exc.code)
    return {
        "code": exc.code,
        "message": str(message) if message else exc.message,
        "detail": exc.message,
        "row": exc.row,
        "column": exc.column,
        "param": exc.param,
    }


def to_domain(exc):
    """A DongneError for the API/UI mappers: a translated message for the code, and the lake's own
    description with the row, column or parameter at fault in ``errors``."""
    where = {
        k: v for k, v in (("row", exc.row), ("column", exc.column), ("param", exc.param)) if v is not None
    }
    cls = NotFound if exc.code in ("not_found", "no_such_dataset", "no_such_version") else ValidationError
    return cls(MESSAGES.get(exc.code, exc.message), code=exc.code, errors={"detail": exc.describe(), **where})
