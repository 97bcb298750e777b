"""Recommendations: villages for an enterprise, enterprises for a village, ranked by score.

A fixed number of queries whatever the number of candidates: the subject's facts, the pairing
change stamp, the subject's open partners, and the full facts of the page shown, which alone is
explained part by part (``score_parts``). Every candidate's numeric facts come as numpy columns
(scored all at once) from a cache kept under the change stamp (``facts.village_columns``; three
more scans when something changed). Candidates exclude pairs that already have an open
agreement; enterprises that have reached their capacity are not recommended to villages.
A bureau officer sees the same lists, limited to the villages of the officer's region.
"""

from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Actor, Role
from app.errors import NotFoundError
from app.models import PairingAgreement
from app.models.enums import OPEN_AGREEMENT_STATUSES
from app.permissions import (
    can_recommend_for_enterprise,
    can_recommend_for_village,
    is_bureau_for,
    require,
)
from app.services.pairing.facts import (
    enterprise_columns,
    enterprise_facts,
    village_columns,
    village_facts,
)
from app.services.pairing.listing import PAGE_SIZE, clamp
from app.services.pairing.periods import local_today
from app.services.pairing.scoring import (
    EnterpriseFacts,
    ScorePart,
    Side,
    VillageFacts,
    score_matrix,
    score_parts,
)

S = TypeVar("S")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Recommended(Generic[T]):
    candidate: T
    score: int
    parts: tuple[ScorePart, ...]

    def parts_of(self, *sides: str) -> tuple[ScorePart, ...]:
        return tuple(p for p in self.parts if p.side in sides)


@dataclass(frozen=True, slots=True)
class Recommendations(Generic[S, T]):
    """One page of candidates for ``subject``, best first."""

    subject: S
    items: list[Recommended[T]]
    total: int
    number: int
    size: int
    # Parts that rest on the subject alone, the same for every row: shown once above the list.
    common_parts: tuple[ScorePart, ...]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def recommend_villages(
    *,
    session: Session,
    actor: Actor,
    enterprise_id: int,
    county_code: str | None = None,
    key_only: bool = False,
    page: int = 1,
    size: int = PAGE_SIZE,
    today: date | None = None,
) -> Recommendations[EnterpriseFacts, VillageFacts]:
    """Villages ranked for an enterprise by recommendation score."""
    require(can_recommend_for_enterprise(actor, enterprise_id))
    today = today or local_today()
    found = enterprise_facts(session, ids=[enterprise_id], today=today)
    if not found:
        raise NotFoundError("帮扶主体不存在或尚未通过审核")
    enterprise = found[0]
    partnered = session.execute(
        sa.select(PairingAgreement.village_id).where(
            PairingAgreement.enterprise_id == enterprise.id,
            PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES),
        )
    ).scalars()
    every = village_columns(session, today=today)
    keep = ~np.isin(every.ids, np.fromiter(partnered, np.int64))
    if actor.role == Role.bureau:
        keep &= _counties_seen(actor, every.county)
    if county_code:
        keep &= every.county == _county_number(county_code)
    if key_only:
        keep &= every.key_village == 1
    columns = every.select(keep)
    scores = score_matrix(columns, [enterprise])[:, 0]
    ranked, number = _page(scores, page, size)
    ids = _ids(columns, ranked)
    shown = _by_id(village_facts(session, ids=ids, today=today))
    items = [
        _explain(shown[v], enterprise, int(scores[i]), shown[v])
        for i, v in zip(ranked, ids, strict=True)
    ]
    return Recommendations(
        subject=enterprise,
        items=items,
        total=len(columns),
        number=number,
        size=size,
        common_parts=items[0].parts_of(Side.enterprise) if items else (),
    )


def recommend_enterprises(
    *,
    session: Session,
    actor: Actor,
    village_id: int,
    page: int = 1,
    size: int = PAGE_SIZE,
    today: date | None = None,
) -> Recommendations[VillageFacts, EnterpriseFacts]:
    """Approved enterprises with spare capacity, ranked for a village by recommendation score."""
    today = today or local_today()
    found = village_facts(session, ids=[village_id], today=today)
    if not found:
        raise NotFoundError("村不存在")
    village = found[0]
    require(can_recommend_for_village(actor, village.id, village.county_code))
    partnered = session.execute(
        sa.select(PairingAgreement.enterprise_id).where(
            PairingAgreement.village_id == village.id,
            PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES),
        )
    ).scalars()
    every = enterprise_columns(session, today=today)
    keep = ~np.isin(every.ids, np.fromiter(partnered, np.int64)) & (every.spare > 0)
    columns = every.select(keep)
    scores = score_matrix([village], columns)[0, :]
    ranked, number = _page(scores, page, size)
    ids = _ids(columns, ranked)
    shown = _by_id(enterprise_facts(session, ids=ids, today=today))
    items = [
        _explain(village, shown[e], int(scores[i]), shown[e])
        for i, e in zip(ranked, ids, strict=True)
    ]
    return Recommendations(
        subject=village,
        items=items,
        total=len(columns),
        number=number,
        size=size,
        common_parts=items[0].parts_of(Side.village) if items else (),
    )


def _counties_seen(actor: Actor, county: np.ndarray) -> np.ndarray:
    """Which entries of a county-code column (integers) a bureau officer may see."""
    codes = np.unique(county)
    seen = [c for c in codes if is_bureau_for(actor, str(int(c)))]
    return np.isin(county, np.array(seen, np.int64))


def _county_number(county_code: str) -> int:
    """A county code as the integer the columns hold (-1, matching nothing, if not a code)."""
    return int(county_code) if county_code.isdigit() else -1


def _page(scores: np.ndarray, page: int, size: int) -> tuple[list[int], int]:
    """Indexes of one page of candidates, best score first (ties: the order given, i.e. by id)."""
    number = clamp(page, len(scores), size)
    order = np.argsort(-scores, kind="stable")
    return [int(i) for i in order[(number - 1) * size : number * size]], number


def _ids(columns, indexes: list[int]) -> list[int]:
    return [int(columns.ids[i]) for i in indexes]


def _by_id(facts: list) -> dict:
    return {f.id: f for f in facts}


def _explain(village: VillageFacts, enterprise: EnterpriseFacts, score: int, candidate):
    return Recommended(candidate=candidate, score=score, parts=score_parts(village, enterprise))
