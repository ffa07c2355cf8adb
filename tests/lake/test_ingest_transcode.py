"""CP949 → UTF-8 converters: every one agrees with Python's codec, byte for byte, errors included."""

import random

import pytest

from dongne.lake.io import iconv


def pairs() -> bytes:
    """Every two-byte sequence with a lead byte, each followed by a newline (so one bad pair is one line)."""
    return b"".join(bytes((lead, trail)) + b"\n" for lead in range(0x80, 0x100) for trail in range(0x100))


@pytest.fixture(params=["compiled", "iconv", "python"])
def converter(request, monkeypatch):
    if request.param != "compiled":
        monkeypatch.setattr(iconv, "_compiled", lambda: None)
    if request.param == "python":
        monkeypatch.setattr(iconv, "_libc", lambda: None)
    if iconv.converter() != request.param:
        pytest.skip(f"no {request.param} converter here")
    return request.param


def expected(data: bytes):
    try:
        return data.decode("cp949").encode("utf-8")
    except UnicodeDecodeError as e:
        return e.start


def convert(data: bytes):
    out = bytearray(iconv.room(len(data)))
    n, found = iconv.convert_into(bytearray(data), out)
    if n is None:
        return found
    assert found == data.count(b"\n")  # newlines counted on the way
    return bytes(out[:n])


def same(got, want, converter) -> bool:
    """The same bytes, or both refusing. glibc's iconv may point just past a bad pair rather than at it
    (the same line either way); the others name the very byte."""
    if isinstance(want, int) and isinstance(got, int) and converter == "iconv":
        return 0 <= got - want <= 2
    return got == want


def test_every_byte_pair_converts_as_pythons_codec_does(converter):
    for lead in range(0x80, 0x100):
        for trail in range(0x100):
            for data in (bytes((lead, trail)), b"x" * 9 + bytes((lead, trail)) + b"\n"):
                assert same(convert(data), expected(data), converter), (converter, data)


def test_long_mixed_text_and_the_offset_of_a_bad_byte(converter):
    rng = random.Random(7)
    valid = [bytes((lead, trail)) for lead in range(0x81, 0xFF) for trail in range(0x41, 0xFF)]
    valid = [v for v in valid if not isinstance(expected(v), int)]
    ascii_ = [bytes((b,)) for b in range(0x80)]
    data = b"".join(rng.choice(valid if rng.random() < 0.4 else ascii_) for _ in range(200_000))
    assert convert(data) == expected(data)
    for bad in (b"\x80", b"\xff", b"\xc9\x30", b"\xa1"):  # not CP949, or a lead byte cut off at the end
        cut = len(data) // 2
        broken = data[:cut] + b"\n" + bad
        assert expected(broken) == cut + 1 and same(convert(broken), cut + 1, converter)
    assert bytes(iconv.cp949_to_utf8(data)[0]) == expected(data)


def test_the_compiled_converter_is_built_once_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    iconv._compiled.cache_clear()
    try:
        if iconv._compiled() is None:
            pytest.skip("no C compiler here")
        (lib,) = (tmp_path / "dongne").glob("cp949-*.so")
        assert (tmp_path / "dongne").stat().st_mode & 0o777 == 0o700
        iconv._compiled.cache_clear()
        assert iconv._compiled() is not None and list((tmp_path / "dongne").glob("*")) == [lib]
        monkeypatch.setenv("DONGNE_NO_CC", "1")
        iconv._compiled.cache_clear()
        assert iconv._compiled() is None and iconv.converter() == "iconv"
    finally:
        iconv._compiled.cache_clear()


def test_a_cache_directory_others_can_write_to_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "dongne").mkdir(mode=0o777)
    (tmp_path / "dongne").chmod(0o777)
    assert iconv._cache_dir() is None
