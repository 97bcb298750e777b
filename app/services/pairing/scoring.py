"""Recommendation scores: why a village and an enterprise suit each other, in parts people can read.

One rule set, two shapes: ``score_parts`` explains one pair (the parts shown next to a result) and
``score_matrix`` scores every pair at once with numpy (ranking thousands of villages, the coverage
planner). A test keeps the two equal. The facts they read come from ``facts.py`` in a few queries.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from itertools import chain

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
NO_COUNTY = -1


def int_table(rows, width: int) -> np.ndarray:
    """Rows of integers (tuples or result rows) as a 2-D array, without per-row conversions."""
    return np.fromiter(chain.from_iterable(rows), dtype=np.int64).reshape(-1, width)


def _array(values, dtype=np.int64) -> np.ndarray:
    return np.asarray(list(values), dtype=dtype)


@dataclass(frozen=True)
class VillageColumns:
    """The facts of many villages as numpy columns (one entry per village, in ``ids`` order).

    ``county`` is the county code as an integer; the flags are 0 or 1.
    """

    ids: np.ndarray
    county: np.ndarray
    key_county: np.ndarray
    key_village: np.ndarray
    has_partner: np.ndarray
    partner_overdue: np.ndarray
    needs: np.ndarray
    traits: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows) -> "VillageColumns":
        """From rows of (id, county, key_county, key_village, partner, overdue, needs, traits)."""
        table = int_table(rows, 8)
        return cls(*(table[:, i] for i in range(8)))

    def select(self, keep: np.ndarray) -> "VillageColumns":
        """The villages where ``keep`` (a boolean array) is true."""
        return VillageColumns(*(getattr(self, f.name)[keep] for f in fields(self)))

    @classmethod
    def from_facts(cls, villages: Sequence[VillageFacts]) -> "VillageColumns":
        return cls.from_rows(
            [
                (
                    v.id,
                    int(v.county_code),
                    v.key_county,
                    v.key_village,
                    v.has_partner,
                    v.partner_overdue,
                    v.needs,
                    v.traits,
                )
                for v in villages
            ]
        )


@dataclass(frozen=True)
class EnterpriseColumns:
    """The facts of many enterprises as numpy columns; ``county`` is NO_COUNTY outside the city."""

    ids: np.ndarray
    county: np.ndarray
    offers: np.ndarray
    wanted: np.ndarray  # TRAITS mask its industry builds on
    overdue: np.ndarray
    spare: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_facts(cls, enterprises: Sequence[EnterpriseFacts]) -> "EnterpriseColumns":
        return cls(
            ids=_array(e.id for e in enterprises),
            county=_array(int(e.county_code) if e.county_code else NO_COUNTY for e in enterprises),
            offers=_array(e.offers for e in enterprises),
            wanted=_array(wanted_traits(e.industry) for e in enterprises),
            overdue=_array(e.overdue for e in enterprises),
            spare=_array(e.spare for e in enterprises),
        )

    def select(self, keep: np.ndarray) -> "EnterpriseColumns":
        """The enterprises where ``keep`` (a boolean array) is true."""
        return EnterpriseColumns(*(getattr(self, f.name)[keep] for f in fields(self)))


def score_matrix(
    villages: VillageColumns | Sequence[VillageFacts],
    enterprises: EnterpriseColumns | Sequence[EnterpriseFacts],
) -> np.ndarray:
    """Scores of every village (rows) with every enterprise (columns), as ``score_parts`` sums."""
    if not isinstance(villages, VillageColumns):
        villages = VillageColumns.from_facts(villages)
    if not isinstance(enterprises, EnterpriseColumns):
        enterprises = EnterpriseColumns.from_facts(enterprises)
    w = WEIGHTS
    v, e = villages, enterprises
    v_base = (
        w["key_county"] * v.key_county
        + w["key_village"] * v.key_village
        + w["no_partner"] * (1 - v.has_partner)
        + w["partner_overdue"] * v.partner_overdue
    )
    e_base = w["enterprise_overdue"] * e.overdue
    matched = np.minimum(_POPCOUNT[np.bitwise_and.outer(v.needs, e.offers)], NEED_MATCH_CAP)
    fit = np.bitwise_and.outer(v.traits, e.wanted) != 0
    same = np.equal.outer(v.county, e.county)
    return (
        v_base[:, None]
        + e_base[None, :]
        + w["need_match"] * matched
        + w["industry_fit"] * fit
        + w["same_county"] * same
    ).astype(np.int64)
