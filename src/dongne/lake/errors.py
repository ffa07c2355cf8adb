"""Errors of the lake. Each carries a machine-readable ``code``, an English ``message`` and the
``row``, ``column`` or ``param`` at fault where there is one. The Django side (datahub) maps codes
to translated messages; the lake itself stays free of Django."""


class LakeError(Exception):
    code = "lake_error"

    def __init__(self, message, *, code=None, row=None, column=None, param=None, detail=None):
        self.message = message
        if code:
            self.code = code
        self.row = row
        self.column = column
        self.param = param
        self.detail = detail
        super().__init__(self.describe())

    def describe(self):
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.param is not None:
            where.append(f"parameter {self.param!r}")
        return f"{self.message} ({', '.join(where)})" if where else self.message

    def as_dict(self):
        return {
            "code": self.code,
            "message": self.message,
            "row": self.row,
            "column": self.column,
            "param": self.param,
        }


class ReadError(LakeError):
    """A file could not be read: encoding, shape, format."""

    code = "read_error"


class ConnectorError(LakeError):
    """A public-data API answered with an error, or could not be reached after retries."""

    code = "connector_error"


class StoreError(LakeError):
    """A dataset or version does not exist, or a version could not be written."""

    code = "store_error"


class QueryError(LakeError):
    """A query or SQL statement was refused or failed."""

    code = "query_error"
