"""Morpheme tokens for search and matching, on kiwipiepy (its model ships in kiwipiepy-model)."""

import threading
import unicodedata

_KEEP = {
    "NNG": "noun",
    "NNP": "noun",
    "NR": "number",
    "XR": "root",
    "SH": "hanja",
    "VV": "verb",
    "VA": "adjective",
    "SL": "foreign",
    "SN": "number",
}
_lock = threading.Lock()
_kiwi = None


def _get_kiwi():
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def tokens(text, *, with_tags=False):
    """Content morphemes of ``text``: nouns, verb/adjective stems, foreign words, numbers.

    Particles and endings are dropped, so "관광객을" and "관광객이" both give "관광객", and
    "빅데이터플랫폼" gives the same tokens as "빅데이터 플랫폼". Foreign words are lower-cased.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFC", str(text))
    kiwi = _get_kiwi()
    with _lock:  # Kiwi.tokenize is not documented as thread-safe
        morphs = kiwi.tokenize(text, split_complex=True)
    out = []
    for m in morphs:
        kind = _KEEP.get(m.tag.split("-")[0])
        if not kind:
            continue
        form = m.form.lower() if kind == "foreign" else m.form
        out.append((form, kind) if with_tags else form)
    return out


def token_text(text):
    """Tokens joined by spaces: what the full-text indexes store."""
    return " ".join(tokens(text))
