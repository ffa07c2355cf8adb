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


# TourAPI numbers Gangwon (areacode 32) 시군구 in Korean alphabetical order; joins go through names, not numbers.
TOURAPI_GANGWON = {
    "1": "강릉시",
    "2": "고성군",
    "3": "동해시",
    "4": "삼척시",
    "5": "속초시",
    "6": "양구군",
    "7": "양양군",
    "8": "영월군",
    "9": "원주시",
    "10": "인제군",
    "11": "정선군",
    "12": "철원군",
    "13": "춘천시",
    "14": "태백시",
    "15": "평창군",
    "16": "홍천군",
    "17": "화천군",
    "18": "횡성군",
}
TOURAPI_GANGWON_AREA = "32"


def sigungu_from_tourapi(areacode, sigungucode):
    """The KOSTAT 시군구 code (춘천시 32010) of a TourAPI (areacode, sigungucode) pair such as ("32", "13"),
    or "" outside Gangwon."""
    if str(areacode) != TOURAPI_GANGWON_AREA:
        return ""
    name = TOURAPI_GANGWON.get(str(sigungucode).lstrip("0"))
    by_name = {n: code for code, n in sigungu().items()}
    return by_name.get(name, "")
