"""Gangwon 시군구 and 읍면동 names and KOSTAT codes, read from the bundled boundary files."""

import json
from functools import lru_cache
from pathlib import Path

GEO_DIR = Path(__file__).parent / "data" / "geo"


@lru_cache(maxsize=1)
def _features(filename):
    with open(GEO_DIR / filename, encoding="utf-8") as fh:
        data = json.load(fh)
    return tuple((f["properties"]["code"], f["properties"]["name"]) for f in data["features"])


@lru_cache(maxsize=1)
def sigungu():
    """{code: name} for Gangwon's 18 시군구, sorted by code (춘천시 32010 first)."""
    return dict(sorted(_features("gangwon-sigungu-2018.geojson")))


@lru_cache(maxsize=1)
def emd():
    """{code: (sigungu_code, name)} for Gangwon's 읍면동."""
    return {code: (code[:5], name) for code, name in sorted(_features("gangwon-emd-2018.geojson"))}


def emd_of(sigungu_code):
    return {code: name for code, (sgg, name) in emd().items() if sgg == sigungu_code}


def sigungu_choices():
    return [("", "—")] + list(sigungu().items())


def emd_choices():
    return [("", "—")] + [(code, f"{sigungu()[sgg]} {name}") for code, (sgg, name) in emd().items()]


CHUNCHEON = "32010"
