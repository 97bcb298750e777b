"""The coverage map (覆盖地图): 运城's counties, or one county's townships, shaded by the share of
key villages (重点帮扶村) that are paired, drawn on the server as inline SVG.

County outlines come from ``app/data/yuncheng_county_shapes.json`` (source and licence in
docs/data-sources.md), projected here with a plain equirectangular projection scaled by the
cosine of the middle latitude, and rounded to whole SVG units. No open dataset installable here
carries township boundaries, so a county's townships are drawn as a tile grid (each township one
square, in code order): a cartogram that shows the shares, not the shapes
(docs/decisions/0033-coverage-map-and-agreement-page.md). The figures themselves come from the
coverage services, the same ones the tables beside the map show.
"""

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHAPES_FILE = Path(__file__).resolve().parent.parent / "data" / "yuncheng_county_shapes.json"
MAP_WIDTH = 600
GRID_CELL = (96, 60)
GRID_GAP = 6

# (lowest share in percent, label); a share falls in the last band whose lowest it reaches.
BANDS = ((0, "低于 25%"), (25, "25%–49%"), (50, "50%–74%"), (75, "75%–99%"), (100, "全部结对"))
NO_KEY_LABEL = "无重点帮扶村"


@dataclass(frozen=True, slots=True)
class MapArea:
    code: str
    name: str
    key_villages: int
    paired_key_villages: int
    band: int | None  # index into BANDS; None: no key villages
    href: str | None
    path: str = ""  # a county outline (SVG path data)
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # a township tile: x, y, width, height
    label_at: tuple[int, int] = (0, 0)

    @property
    def share(self) -> int | None:
        """Paired key villages in whole percent (rounded down), None without key villages."""
        if not self.key_villages:
            return None
        return self.paired_key_villages * 100 // self.key_villages

    @property
    def band_label(self) -> str:
        return NO_KEY_LABEL if self.band is None else BANDS[self.band][1]

    @property
    def description(self) -> str:
        """What the shape says, for its title (screen readers, hover)."""
        if not self.key_villages:
            return f"{self.name}：{NO_KEY_LABEL}"
        return (
            f"{self.name}：重点帮扶村 {self.key_villages} 个，已结对 "
            f"{self.paired_key_villages} 个（{self.share}%）"
        )


@dataclass(frozen=True, slots=True)
class CoverageMap:
    kind: str  # "counties" or "townships"
    title: str
    width: int
    height: int
    areas: tuple[MapArea, ...]

    @property
    def legend(self) -> tuple[tuple[str, str], ...]:
        """(CSS class, label) per band, lowest first, then the band without key villages."""
        bands = tuple((f"coverage-band-{i}", label) for i, (_, label) in enumerate(BANDS))
        return (*bands, ("coverage-band-none", NO_KEY_LABEL))


def band_of(paired: int, key: int) -> int | None:
    if not key:
        return None
    share = paired * 100 // key
    return max(i for i, (lowest, _) in enumerate(BANDS) if share >= lowest)


@cache
def county_shapes() -> dict[str, tuple[str, tuple[int, int], tuple[int, int]]]:
    """County code → (SVG path, label point, (width, height) of the whole map), projected once."""
    counties = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))["counties"]
    points = [p for c in counties for ring in c["rings"] for p in ring]
    west = min(x for x, _ in points)
    east = max(x for x, _ in points)
    south = min(y for _, y in points)
    north = max(y for _, y in points)
    stretch = math.cos(math.radians((north + south) / 2))
    margin = 4
    scale = (MAP_WIDTH - 2 * margin) / ((east - west) * stretch)
    height = round((north - south) * scale) + 2 * margin

    def project(lon: float, lat: float) -> tuple[int, int]:
        return round((lon - west) * stretch * scale) + margin, round((north - lat) * scale) + margin

    shapes = {}
    for county in counties:
        parts, best = [], (0.0, (0, 0))
        for ring in county["rings"]:
            projected = _dedupe([project(lon, lat) for lon, lat in ring])
            parts.append("M" + " ".join(f"{x},{y}" for x, y in projected) + "Z")
            area, centre = _centroid(projected)
            best = max(best, (area, centre))
        shapes[county["code"]] = ("".join(parts), best[1], (MAP_WIDTH, height))
    return shapes


def _dedupe(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop points that round onto the one before (keeps the path short)."""
    kept = [points[0]]
    for point in points[1:]:
        if point != kept[-1]:
            kept.append(point)
    return kept


def _centroid(ring: list[tuple[int, int]]) -> tuple[float, tuple[int, int]]:
    """(area, centroid) of a polygon ring (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not area:
        return 0.0, ring[0]
    return abs(area) / 2, (round(cx / (3 * area)), round(cy / (3 * area)))


def county_map(figures: Iterable, href: str | None = None) -> CoverageMap:
    """One shape per county in ``figures`` (``CountyFigures`` from the coverage services),
    each a link to ``href`` followed by the county's code when ``href`` is given."""
    shapes = county_shapes()
    areas, size = [], (MAP_WIDTH, 0)
    for county in figures:
        path, label_at, size = shapes[county.code]
        paired = county.key_villages - county.unpaired_key_villages
        areas.append(
            MapArea(
                code=county.code,
                name=county.name,
                key_villages=county.key_villages,
                paired_key_villages=paired,
                band=band_of(paired, county.key_villages),
                href=f"{href}{county.code}" if href else None,
                path=path,
                label_at=label_at,
            )
        )
    title = "运城市各县（市、区）重点帮扶村结对覆盖地图"
    return CoverageMap("counties", title, size[0], size[1], tuple(areas))


def township_grid(county_name: str, figures: Iterable) -> CoverageMap:
    """One square per township (``TownshipFigures``), in rows as square as they come."""
    rows = list(figures)
    columns = max(1, math.ceil(math.sqrt(len(rows))))
    width, height = GRID_CELL
    areas = []
    for i, township in enumerate(rows):
        x = (i % columns) * (width + GRID_GAP)
        y = (i // columns) * (height + GRID_GAP)
        areas.append(
            MapArea(
                code=township.code,
                name=township.name,
                key_villages=township.key_villages,
                paired_key_villages=township.paired_key_villages,
                band=band_of(township.paired_key_villages, township.key_villages),
                href=None,
                box=(x, y, width, height),
                label_at=(x + width // 2, y + height // 2),
            )
        )
    lines = max(1, math.ceil(len(rows) / columns))
    title = f"{county_name}各乡镇（街道）重点帮扶村结对覆盖（示意方格图）"
    return CoverageMap(
        "townships",
        title,
        columns * (width + GRID_GAP) - GRID_GAP,
        lines * (height + GRID_GAP) - GRID_GAP,
        tuple(areas),
    )
