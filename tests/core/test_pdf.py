"""PDF output keeps Hangul as text in an embedded Korean font (not boxes, not an image)."""

import io

import pytest
from django.template import Context, Template
from pypdf import PdfReader

from dongne.core import pdf


@pytest.mark.skipif(
    pdf.korean_font() is None, reason="no Korean font installed (fonts-noto-cjk / fonts-nanum)"
)
def test_pdf_embeds_a_korean_font_and_keeps_hangul_as_text():
    html = Template(
        '{% extends "pdf/base.html" %}{% block body %}<h1>춘천 ICT 사회적협동조합</h1>'
        "<p>정기총회 의사록</p>{% endblock %}"
    ).render(Context({"pdf_font": pdf.korean_font()}))
    data = pdf.html_to_pdf(html)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    assert "정기총회 의사록" in text
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    squash = lambda name: name.replace(" ", "").replace("-", "")  # noqa: E731  (PDF names drop spaces)
    assert any(squash(pdf.korean_font()) in squash(name) for name in fonts), fonts


def test_missing_korean_font_is_a_clear_error(monkeypatch):
    from dongne.core.errors import ServerError

    monkeypatch.setattr(pdf, "korean_font", lambda: None)
    with pytest.raises(ServerError, match="fonts-noto-cjk"):
        pdf.render_pdf("pdf/base.html")
