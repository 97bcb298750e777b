"""The coverage map (app/web/coverage_map.py) on the bureau's dashboard and the public disclosure:
one shape per county shaded like the table beside it, links to the county view, townships as a
tile grid, nothing private for anonymous readers, a small SVG."""

import re
from collections.abc import Iterator

import pytest

from app.services.overview import township_figures
from app.services.stats.coverage import coverage
from app.web.coverage_map import BANDS, band_of, county_map, county_shapes
from tests.services.bureau_world import BureauWorld, build_bureau_world
from tests.web.bureau_site import bureau_app, signed_in

YUNCHENG = {
    "140802", "140821", "140822", "140823", "140824", "140825", "140826",
    "140827", "140828", "140829", "140830", "140881", "140882",
}  # fmt: skip
SHAPE = re.compile(r'<(path|rect) class="coverage-area coverage-band-(\w+)" data-code="(\d+)"')
ROW = re.compile(r'<tr data-code="(\d+)" data-band="(\w+)">(.*?)</tr>', re.S)
MAP_BYTES = 24_000  # the county map's SVG element, shapes and labels (about 13 kB now)


@pytest.fixture(scope="module")
def world(database_factory) -> Iterator[BureauWorld]:
    built = build_bureau_world(database_factory, "covmap")
    yield built
    built.database.dispose()


@pytest.fixture(scope="module")
def app(world, tmp_path_factory):
    return bureau_app(world, tmp_path_factory.mktemp("covmap"))


def _figure(html: str, figure_id: str) -> str:
    start = html.index('<figure class="coverage-map')
    start = html.index(f'id="{figure_id}"', start)
    return html[start : html.index("</figure>", start)]


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]


def test_the_shapes_cover_yuncheng_and_stay_small():
    shapes = county_shapes()
    assert set(shapes) == YUNCHENG
    width, height = next(iter(shapes.values()))[2]
    assert width == 600 and 300 < height < 800  # taller than wide: 运城 runs north-east
    for path, (x, y), _ in shapes.values():
        assert path.startswith("M") and path.endswith("Z")
        assert 0 <= x <= width and 0 <= y <= height
    assert sum(len(p) for p, _, _ in shapes.values()) < MAP_BYTES - 4_000


def test_bands_follow_the_share_of_paired_key_villages():
    assert band_of(0, 0) is None
    assert [band_of(p, 4) for p in range(5)] == [0, 1, 2, 3, 4]
    assert band_of(99, 100) == 3 and band_of(24, 100) == 0
    assert len(BANDS) == 5


def test_the_dashboard_map_has_one_shape_per_county_shaded_as_its_table_row(app, world):
    html = signed_in(app, "city").get("/dashboard/coverage").text
    figure = _figure(html, "coverage-map")
    svg = figure[figure.index("<svg") : figure.index("</svg>") + 6]
    assert len(svg.encode()) < MAP_BYTES
    shapes = SHAPE.findall(svg)
    with world.database.read_only() as session:
        counties = coverage(session, world.actors["city"]).counties
    assert [code for _, _, code in shapes] == [c.code for c in counties]
    assert {kind for kind, _, _ in shapes} == {"path"}
    rows = {code: (band, _cells(row)) for code, band, row in ROW.findall(figure)}
    for county in counties:
        paired = county.key_villages - county.unpaired_key_villages
        band, cells = rows[county.code]
        expected = band_of(paired, county.key_villages)
        assert band == ("none" if expected is None else str(expected))
        assert cells[:3] == [county.name, f"{county.key_villages:,}", f"{paired:,}"]
    assert {code: band for _, band, code in shapes} == {c: b for c, (b, _) in rows.items()}
    # Every shape is a link to the county's view, with its figures in words.
    links = re.findall(r'<a href="(/dashboard/coverage\?county=\d+)" aria-label="([^"]+)">', svg)
    assert [href[-6:] for href, _ in links] == [c.code for c in counties]
    assert all("重点帮扶村" in text or "无重点帮扶村" in text for _, text in links)
    assert html.count('class="coverage-legend__swatch') == 6


def test_a_county_link_opens_its_townships_as_a_tile_grid(app, world):
    client = signed_in(app, "city")
    html = client.get("/dashboard/coverage").text
    href = re.search(r'<a href="(/dashboard/coverage\?county=140829)"', html).group(1)
    page = client.get(href)
    assert page.status_code == 200
    figure = _figure(page.text, "coverage-townships")
    with world.database.read_only() as session:
        townships = township_figures(session, "140829")
    shapes = SHAPE.findall(figure)
    assert [code for _, _, code in shapes] == [t.code for t in townships]
    assert {kind for kind, _, _ in shapes} <= {"rect"}
    rows = ROW.findall(figure)
    assert [r[0] for r in rows] == [t.code for t in townships]
    for (_, band, row), township in zip(rows, townships, strict=True):
        expected = band_of(township.paired_key_villages, township.key_villages)
        assert band == ("none" if expected is None else str(expected))
        assert _cells(row)[1:3] == [
            f"{township.key_villages:,}",
            f"{township.paired_key_villages:,}",
        ]
    assert "示意方格图" in figure


def test_townships_add_up_to_their_county(world):
    with world.database.read_only() as session:
        counties = coverage(session, world.actors["city"]).counties
        for county in counties:
            townships = township_figures(session, county.code)
            assert sum(t.key_villages for t in townships) == county.key_villages
            paired = county.key_villages - county.unpaired_key_villages
            assert sum(t.paired_key_villages for t in townships) == paired


def test_a_county_officer_cannot_open_another_countys_townships(app):
    client = signed_in(app, "pinglu")
    assert client.get("/dashboard/coverage?county=140829").status_code == 200
    assert client.get("/dashboard/coverage?county=140802").status_code == 404
    assert client.get("/dashboard/coverage?county=999999").status_code == 404


def test_the_public_disclosure_shows_the_map_to_anonymous_readers(app, world):
    client = signed_in(app, None)
    html = client.get("/disclosure").text
    figure = _figure(html, "disclosure-map")
    shapes = SHAPE.findall(figure)
    assert {code for _, _, code in shapes} == {c.code for c in _all_counties(world)}
    links = re.findall(r'<a href="(/disclosure\?county=(\d+))" aria-label=', figure)
    assert [code for _, code in links] == [code for _, _, code in shapes]
    county_page = client.get(links[0][0])
    assert county_page.status_code == 200
    assert "disclosure-townships" in county_page.text or "该县暂无" in county_page.text
    # Counts only: no village is named on the map, no contact anywhere near it.
    assert "村委" not in figure and "电话" not in figure


def _all_counties(world):
    with world.database.read_only() as session:
        return coverage(session, world.actors["city"]).counties


def test_the_map_draws_counties_in_any_order_given():
    class Figures:
        def __init__(self, code, key, unpaired):
            self.code, self.name = code, code
            self.key_villages, self.unpaired_key_villages = key, unpaired

    drawn = county_map([Figures("140882", 4, 1), Figures("140802", 0, 0)], "/x?c=")
    assert [(a.code, a.band, a.href) for a in drawn.areas] == [
        ("140882", 3, "/x?c=140882"),
        ("140802", None, "/x?c=140802"),
    ]
