"""PDF documents (minutes, annual reports, certificates) rendered from Django templates by WeasyPrint.

Hangul needs a CJK font from the system (Debian: fonts-noto-cjk or fonts-nanum); WeasyPrint would otherwise
draw empty boxes without complaint, so we check fontconfig once and fail with a message that says what to
install. Templates extend ``pdf/base.html``, which sets the page and the font stack.
"""

import functools
import shutil
import subprocess

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from .errors import ServerError

KOREAN_FONTS = ("Noto Sans CJK KR", "NanumGothic", "Nanum Gothic", "Noto Serif CJK KR", "UnDotum")


@functools.cache
def korean_font():
    """The family name of an installed font that covers Hangul, or None."""
    if not shutil.which("fc-list"):
        return None
    out = subprocess.run(
        ["fc-list", ":lang=ko", "family"], capture_output=True, text=True, check=False
    ).stdout
    families = {name.strip() for line in out.splitlines() for name in line.split(",")}
    return next((name for name in KOREAN_FONTS if name in families), None)


def _require_font():
    font = korean_font()
    if font is None:
        raise ServerError(
            _("No Korean font is installed for PDF output; install fonts-noto-cjk or fonts-nanum (Debian).")
        )
    return font


def render_pdf(template_name, context=None, *, request=None):
    """Render ``template_name`` (HTML extending pdf/base.html) to PDF bytes with a Korean font."""
    font = _require_font()
    return html_to_pdf(
        render_to_string(template_name, {**(context or {}), "pdf_font": font}, request=request)
    )


def html_to_pdf(html):
    """PDF bytes of an HTML string (a template already rendered with ``pdf_font``)."""
    _require_font()
    from weasyprint import HTML  # imported late: loading pango costs ~0.3 s and most requests need no PDF

    return HTML(string=html).write_pdf()
