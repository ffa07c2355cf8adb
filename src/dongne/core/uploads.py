"""Uploaded files: checked by size and content on the way in, served as downloads on the way out (issue 9).

In: ``validator(kind)`` is a form-field validator. It refuses a file larger than the limit
(DONGNE_UPLOAD_MAX_MB for documents and images, DONGNE_DATA_UPLOAD_MAX_MB for data files), a file whose
extension is not one the kind allows, and a file whose first bytes are not what its extension says — so HTML,
SVG (which can carry script), executables and archives renamed to .pdf are refused with a message that says
what to upload instead. The check reads the first bytes only ("magic numbers"); it does not parse the file.

Out: ``file_response(field_file)`` serves a stored upload with a content type derived from its bytes (never
text/html: anything unrecognised is application/octet-stream), ``X-Content-Type-Options: nosniff``, a
sandboxing Content-Security-Policy, and ``Content-Disposition: attachment`` — ``inline`` only for raster
images, which pages show in <img>. Media files are never served directly (no /media/ URL is routed; the
proxy must not serve the media folder either — see docs/operations.md).
"""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

HEAD_BYTES = 4096

# kind of content → (content type, checker of the first bytes)
PDF = "application/pdf"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc .xls .ppt .hwp (HWP 5.0 is an OLE2 compound file)
ZIP = b"PK\x03\x04"  # .docx .xlsx .pptx .hwpx .odt …


def _is_pdf(head):
    return head[:1024].lstrip().startswith(b"%PDF-")


def _is_png(head):
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _is_jpeg(head):
    return head.startswith(b"\xff\xd8\xff")


def _is_gif(head):
    return head.startswith((b"GIF87a", b"GIF89a"))


def _is_webp(head):
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _is_ole2(head):
    return head.startswith(OLE2)


def _is_zip(head):
    return head.startswith(ZIP)


def _is_parquet(head):
    return head.startswith(b"PAR1")


MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<head", b"<iframe", b"<object")


def _text(head):
    """Decoded start of a text file, or None when the bytes are binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    return head.decode("utf-8", errors="replace")


def _is_text(head):
    text = _text(head)
    if text is None:
        return False
    lowered = text.lstrip("\ufeff \t\r\n").lower().encode("utf-8", errors="replace")
    if lowered.startswith(b"<"):
        return False  # HTML, XML, SVG: a CSV or JSON file never starts with a tag
    return not any(tag in lowered for tag in MARKUP)


# extension → (content type, checker)
FORMATS = {
    ".pdf": (PDF, _is_pdf),
    ".png": ("image/png", _is_png),
    ".jpg": ("image/jpeg", _is_jpeg),
    ".jpeg": ("image/jpeg", _is_jpeg),
    ".gif": ("image/gif", _is_gif),
    ".webp": ("image/webp", _is_webp),
    ".doc": ("application/msword", _is_ole2),
    ".xls": ("application/vnd.ms-excel", _is_ole2),
    ".ppt": ("application/vnd.ms-powerpoint", _is_ole2),
    ".hwp": ("application/x-hwp", _is_ole2),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _is_zip),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _is_zip),
    ".xlsm": ("application/vnd.ms-excel.sheet.macroEnabled.12", _is_zip),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _is_zip),
    ".hwpx": ("application/hwp+zip", _is_zip),
    ".odt": ("application/vnd.oasis.opendocument.text", _is_zip),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", _is_zip),
    ".odp": ("application/vnd.oasis.opendocument.presentation", _is_zip),
    ".csv": ("text/csv; charset=utf-8", _is_text),
    ".tsv": ("text/tab-separated-values; charset=utf-8", _is_text),
    ".tab": ("text/tab-separated-values; charset=utf-8", _is_text),
    ".txt": ("text/plain; charset=utf-8", _is_text),
    ".json": ("application/json", _is_text),
    ".jsonl": ("application/x-ndjson", _is_text),
    ".ndjson": ("application/x-ndjson", _is_text),
    ".parquet": ("application/vnd.apache.parquet", _is_parquet),
    ".pq": ("application/vnd.apache.parquet", _is_parquet),
}
IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
OFFICE = (".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".hwp", ".hwpx", ".odt", ".ods", ".odp")
KINDS = {
    # MOU documents, opportunity and consortium files, article attachments, tenancy application documents
    "document": (".pdf", *IMAGES, *OFFICE, ".csv", ".txt"),
    # exhibit pictures
    "image": IMAGES,
    # datahub uploads (the formats the lake reads)
    "data": (
        ".csv",
        ".tsv",
        ".tab",
        ".txt",
        ".json",
        ".jsonl",
        ".ndjson",
        ".xlsx",
        ".xlsm",
        ".parquet",
        ".pq",
    ),
    # member register imports
    "table": (".csv", ".tsv", ".txt", ".xlsx"),
}
EXECUTABLE = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")


def max_bytes(kind):
    if kind == "data":
        return settings.DATA_UPLOAD_MAX_MB * 1024 * 1024
    return settings.UPLOAD_MAX_MB * 1024 * 1024


def _head(file):
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        return file.read(HEAD_BYTES) or b""
    finally:
        if position is not None:
            file.seek(position)


def check_upload(file, kind, *, allow_empty=False):
    """Raise django's ValidationError unless ``file`` is a ``kind`` file within the size limit."""
    allowed = KINDS[kind]
    suffix = Path(file.name or "").suffix.lower()
    size = getattr(file, "size", None) or 0
    limit = max_bytes(kind)
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; files up to %(limit)s MB are accepted."),
            code="too_large",
            params={"size": round(size / 1024 / 1024, 1), "limit": limit // (1024 * 1024)},
        )
    if suffix not in allowed:
        raise ValidationError(
            _("Files of type %(suffix)s are not accepted here. Upload one of: %(allowed)s."),
            code="file_type",
            params={"suffix": suffix or _("(no extension)"), "allowed": ", ".join(allowed)},
        )
    head = _head(file)
    if not head:
        if allow_empty:
            return
        raise ValidationError(_("The file is empty (0 bytes)."), code="empty")
    _content_type, looks_right = FORMATS[suffix]
    if head.startswith(EXECUTABLE) or not looks_right(head):
        raise ValidationError(
            _(
                "The content of this file is not %(suffix)s (web pages, SVG, scripts and programs are refused). "
                "Save it as a real %(suffix)s file and upload again."
            ),
            code="file_content",
            params={"suffix": suffix},
        )


def validator(kind, *, allow_empty=False):
    """A form-field validator: ``forms.FileField(validators=[uploads.validator("document")])``."""
    if kind not in KINDS:
        raise ValueError(f"unknown upload kind {kind!r}")

    def validate(file):
        if file is not None:
            check_upload(file, kind, allow_empty=allow_empty)

    validate.kind = kind
    return validate


def safe_content_type(name, head):
    """The content type to serve an upload with: from its extension only if its bytes agree; never HTML."""
    suffix = Path(name).suffix.lower()
    content_type, looks_right = FORMATS.get(suffix, (None, None))
    if content_type and head and looks_right(head):
        return content_type
    return "application/octet-stream"


def file_response(field_file, *, filename=None):
    """Serve a stored upload safely (see the module docstring); 404 when the file is missing on disk."""
    name = filename or Path(field_file.name).name
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404
    head = _head(handle)
    content_type = safe_content_type(name, head)
    inline = content_type.startswith("image/")
    response = FileResponse(handle, as_attachment=not inline, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser ever render the file as a document, it runs in a sandbox with nothing allowed.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response


class CheckedUploadsAdmin:
    """Admin mixin (ModelAdmin or inline): file fields get the same checks as the site's upload forms."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        from django.db import models

        if isinstance(db_field, models.FileField):
            kind = "image" if isinstance(db_field, models.ImageField) else "document"
            kwargs["validators"] = [*kwargs.get("validators", []), validator(kind)]
        return super().formfield_for_dbfield(db_field, request, **kwargs)


def require_upload(file, kind, *, field="file", allow_empty=False):
    """For API endpoints: ``check_upload`` raising the platform's ValidationError (400) on ``field``."""
    from .errors import ValidationError as DomainValidationError

    try:
        check_upload(file, kind, allow_empty=allow_empty)
    except ValidationError as exc:
        raise DomainValidationError.on(field, exc.message, code=exc.code, params=exc.params) from None
