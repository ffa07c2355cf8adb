"""Region names as announcements write them (강원도, 강원특별자치도, #강원, 춘천) → one canonical name.

Provinces are named by their short form (강원, 서울, …); Gangwon's 시군구 by their full name (춘천시).
"전국" means nationwide, which an opportunity stores as an empty region list.
"""

import re

from dongne.core.regions import sigungu

NATIONWIDE = "전국"
PROVINCES = {
    "서울": ("서울특별시", "서울시"),
    "부산": ("부산광역시", "부산시"),
    "대구": ("대구광역시", "대구시"),
    "인천": ("인천광역시", "인천시"),
    "광주": ("광주광역시", "광주시"),
    "대전": ("대전광역시", "대전시"),
    "울산": ("울산광역시", "울산시"),
    "세종": ("세종특별자치시", "세종시"),
    "경기": ("경기도",),
    "강원": ("강원도", "강원특별자치도"),
    "충북": ("충청북도",),
    "충남": ("충청남도",),
    "전북": ("전라북도", "전북특별자치도"),
    "전남": ("전라남도",),
    "경북": ("경상북도",),
    "경남": ("경상남도",),
    "제주": ("제주도", "제주특별자치도"),
}
_ALIASES = {}
for short, longs in PROVINCES.items():
    _ALIASES[short] = short
    for name in longs:
        _ALIASES[name] = short
# Looks like a place name: ends in 시/군/구/도 (강릉시, 평창군, 경기도) — used to flag unknown region tags.
_PLACE_LIKE = re.compile(r"^[가-힣]{1,6}(특별자치도|특별자치시|광역시|특별시|시|군|구|도)$")


def _sigungu_aliases():
    out = {}
    for name in sigungu().values():
        out[name] = name
        out[name[:-1]] = name  # 춘천 → 춘천시
    return out


def canonical(name):
    """The canonical region of ``name``, ``NATIONWIDE`` for 전국, or None when it is not a known region."""
    name = str(name or "").strip().lstrip("#").replace(" ", "")
    if not name:
        return None
    if name in ("전국", "전지역", "全國"):
        return NATIONWIDE
    if name in _ALIASES:
        return _ALIASES[name]
    return _sigungu_aliases().get(name)


def looks_like_place(name):
    return bool(_PLACE_LIKE.match(str(name or "").strip().lstrip("#")))


def parse_regions(values):
    """(canonical regions, unknown place-like names) from names; 전국 anywhere → nationwide (empty list)."""
    regions, unknown = [], []
    for value in values:
        found = canonical(value)
        if found == NATIONWIDE:
            return [], unknown
        if found:
            if found not in regions:
                regions.append(found)
        elif looks_like_place(value):
            unknown.append(str(value).strip().lstrip("#"))
    return regions, unknown


def organisation_regions(sigungu_code):
    """Canonical regions an organisation belongs to (its province and 시군구); empty when not recorded."""
    name = sigungu().get(sigungu_code or "")
    if not name:
        return set()
    return {"강원", name}
