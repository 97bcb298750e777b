"""Recommendation scores: why a village and an enterprise suit each other, in parts people can read.

One rule set, two shapes: ``score_parts`` explains one pair (the parts shown next to a result) and
``score_matrix`` scores every pair at once with numpy (ranking thousands of villages, the coverage
planner). A test keeps the two equal. The facts they read come from ``facts.py`` in a few queries.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from app.labels import HELP_KIND, INDUSTRY_TRAIT, SCORE_CRITERION
from app.models.enums import EnterpriseKind, HelpKind
from app.models.flags import from_mask

# Points per criterion. Need for help first (key county, key village, nobody helping yet), then
# fit between the two; an enterprise that is behind on its reports is marked down.
WEIGHTS = {
    "key_county": 20,
    "key_village": 20,
    "no_partner": 25,
    "need_match": 10,  # per need kind the enterprise offers, up to NEED_MATCH_CAP kinds
    "industry_fit": 15,
    "same_county": 10,
    "partner_overdue": 10,
    "enterprise_overdue": -15,
}
NEED_MATCH_CAP = 3

# Village traits an enterprise's industry can build on; the order fixes the bit positions.
TRAITS = ("agriculture", "tourism", "solar", "relocation")
# GB/T 4754 门类 → traits: farming, food processing, trade and logistics build on the village's
# main industries; catering, leasing and culture on tourism; power on solar; manufacturing and
# construction on the labour of relocation sites.
SECTION_TRAITS = {
    "A": ("agriculture",),
    "C": ("agriculture", "relocation"),
    "D": ("solar",),
    "E": ("relocation",),
    "F": ("agriculture",),
    "G": ("agriculture",),
    "H": ("agriculture", "tourism"),
    "L": ("tourism",),
    "R": ("tourism",),
}


class Side(StrEnum):
    """Whose fact a part rests on: constant parts are shown once above a list, not per row."""

    village = "village"
    pair = "pair"
    enterprise = "enterprise"


@dataclass(frozen=True, slots=True)
class VillageFacts:
    id: int
    name: str
    county_code: str
    county_name: str
    township_name: str
    key_county: bool
    key_village: bool
    has_partner: bool
    partner_overdue: bool
    needs: int  # open need kinds, a HelpKind mask
    traits: int  # a TRAITS mask
    main_industries: str = ""

    @property
    def need_kinds(self) -> list[HelpKind]:
        return from_mask(self.needs, HelpKind)


@dataclass(frozen=True, slots=True)
class EnterpriseFacts:
    id: int
    name: str
    kind: EnterpriseKind
    industry: str
    county_code: str | None
    region_name: str
    offers: int  # a HelpKind mask
    overdue: bool
    spare: int  # villages it may still take on: max_villages minus open agreements

    @property
    def offer_kinds(self) -> list[HelpKind]:
        return from_mask(self.offers, HelpKind)


@dataclass(frozen=True, slots=True)
class ScorePart:
    criterion: str
    side: Side
    points: int
    text: str

    @property
    def signed_points(self) -> str:
        return f"{self.points:+d}"


def trait_mask(
    *, main_industries: str, tourism_demo: bool, pv_station: bool, relocation_site: bool
) -> int:
    present = {
        "agriculture": bool(main_industries.strip()),
        "tourism": tourism_demo,
        "solar": pv_station,
        "relocation": relocation_site,
    }
    return sum(1 << i for i, trait in enumerate(TRAITS) if present[trait])


def wanted_traits(industry: str) -> int:
    return sum(1 << TRAITS.index(t) for t in SECTION_TRAITS.get(industry, ()))


def score_parts(village: VillageFacts, enterprise: EnterpriseFacts) -> tuple[ScorePart, ...]:
    """The criteria this pair meets, each with its points and a Chinese explanation."""
    parts: list[ScorePart] = []

    def add(criterion: str, side: Side, text: str | None = None, times: int = 1) -> None:
        label = SCORE_CRITERION[criterion]
        parts.append(
            ScorePart(
                criterion, side, WEIGHTS[criterion] * times, f"{label}：{text}" if text else label
            )
        )

    if village.key_county:
        add("key_county", Side.village)
    if village.key_village:
        add("key_village", Side.village)
    if not village.has_partner:
        add("no_partner", Side.village)
    if village.partner_overdue:
        add("partner_overdue", Side.village)
    matched = from_mask(village.needs & enterprise.offers, HelpKind)
    if matched:
        names = "、".join(HELP_KIND[k] for k in matched)
        add("need_match", Side.pair, names, times=min(len(matched), NEED_MATCH_CAP))
    fit = [
        t
        for i, t in enumerate(TRAITS)
        if village.traits & wanted_traits(enterprise.industry) & (1 << i)
    ]
    if fit:
        add("industry_fit", Side.pair, "、".join(_trait_text(t, village) for t in fit))
    if enterprise.county_code is not None and enterprise.county_code == village.county_code:
        add("same_county", Side.pair, village.county_name)
    if enterprise.overdue:
        add("enterprise_overdue", Side.enterprise)
    return tuple(parts)


def _trait_text(trait: str, village: VillageFacts) -> str:
    if trait == "agriculture" and village.main_industries:
        return f"{INDUSTRY_TRAIT[trait]}（{village.main_industries}）"
    return INDUSTRY_TRAIT[trait]


def total(parts: Sequence[ScorePart]) -> int:
    return sum(p.points for p in parts)


_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << len(HelpKind))], dtype=np.int64)


def score_matrix(
    villages: Sequence[VillageFacts], enterprises: Sequence[EnterpriseFacts]
) -> np.ndarray:
    """Scores of every village (rows) with every enterprise (columns), as ``score_parts`` sums."""
    w = WEIGHTS
    v_base = np.array(
        [
            w["key_county"] * v.key_county
            + w["key_village"] * v.key_village
            + w["no_partner"] * (not v.has_partner)
            + w["partner_overdue"] * v.partner_overdue
            for v in villages
        ],
        dtype=np.int64,
    ).reshape(-1, 1)
    e_base = np.array(
        [w["enterprise_overdue"] * e.overdue for e in enterprises], dtype=np.int64
    ).reshape(1, -1)
    needs = np.array([v.needs for v in villages], dtype=np.int64).reshape(-1, 1)
    offers = np.array([e.offers for e in enterprises], dtype=np.int64).reshape(1, -1)
    matched = np.minimum(_POPCOUNT[needs & offers], NEED_MATCH_CAP) * w["need_match"]
    traits = np.array([v.traits for v in villages], dtype=np.int64).reshape(-1, 1)
    wanted = np.array([wanted_traits(e.industry) for e in enterprises], dtype=np.int64)
    fit = ((traits & wanted.reshape(1, -1)) != 0) * w["industry_fit"]
    counties = {code: i for i, code in enumerate(sorted({v.county_code for v in villages}))}
    v_county = np.array([counties[v.county_code] for v in villages], dtype=np.int64)
    e_county = np.array([counties.get(e.county_code, -1) for e in enterprises], dtype=np.int64)
    same = (v_county.reshape(-1, 1) == e_county.reshape(1, -1)) * w["same_county"]
    return v_base + e_base + matched + fit + same
