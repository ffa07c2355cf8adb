"""Boundary GeoJSON for the dashboards' maps, cut from the bundled KOSTAT files (``core/data/geo``).

Chuncheon's 25 읍면동 and Gangwon's 18 시군구 as small FeatureCollections (coordinates rounded to about
ten metres, only ``code`` and ``name`` kept), served once per version with long cache headers so that a
filter change re-sends only the numbers, never the shapes.
"""

import hashlib
import json
from functools import cache

from dongne.core.regions import CHUNCHEON, GEO_DIR

LAYERS = {
    # name: (source file, code prefix)
    "chuncheon-emd": ("gangwon-emd-2018.geojson", CHUNCHEON),
    "gangwon-sigungu": ("gangwon-sigungu-2018.geojson", ""),
}
ATTRIBUTION = "출처: 통계청 통계지리정보서비스"  # KOGL Type 1 requires the source under every map


def _round(coords):
    if coords and isinstance(coords[0], list):
        return [_round(c) for c in coords]
    return [round(coords[0], 4), round(coords[1], 4)]


@cache
def layer_bytes(name):
    """The layer as compact UTF-8 JSON (KeyError for an unknown name)."""
    filename, prefix = LAYERS[name]
    with open(GEO_DIR / filename, encoding="utf-8") as fh:
        data = json.load(fh)
    features = [
        {
            "type": "Feature",
            "id": f["properties"]["code"],
            "properties": {"code": f["properties"]["code"], "name": f["properties"]["name"]},
            "geometry": {"type": f["geometry"]["type"], "coordinates": _round(f["geometry"]["coordinates"])},
        }
        for f in data["features"]
        if f["properties"]["code"].startswith(prefix)
    ]
    features.sort(key=lambda f: f["id"])
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


@cache
def layer_version(name):
    """A short content hash, part of the layer's URL so that a changed file is never served stale."""
    return hashlib.sha256(layer_bytes(name)).hexdigest()[:12]


@cache
def layer_codes(name):
    """{code: name} of the layer's features, in code order."""
    return {f["id"]: f["properties"]["name"] for f in json.loads(layer_bytes(name))["features"]}
