"""Matching labour supply and job postings, with the reasons people can read (decision 0038).

Both directions use one rule set, ``score``: postings for a village's group of workers, and groups
for an employer's posting. Two facts exclude a pair outright — a group that may work only nearby
and a posting in another county, and a posting whose term falls in none of the group's months —
the others add points, each with its reason:

==================  ======  ====================================================
part                points  reason shown
==================  ======  ====================================================
same township       30      同一乡镇，可就近务工
same county         20      同县就业
skills              10 each 技能匹配：瓦工、电焊 (at most 3 skills; no requirement: 5)
season              ≤ 20    务工月份吻合 n/m 个月 (share of the term's months available)
agreement           25      双方已签结对帮扶协议 (an active agreement, enterprise ↔ village)
                            or 本村合作社的岗位 (the village's own cooperative)
board               5       提供食宿 (housing for work outside the county)
==================  ======  ====================================================
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from app.actors import Actor
from app.errors import NotFoundError
from app.models import Cooperative, PairingAgreement
from app.models.enums import AgreementStatus
from app.models.labour import JobPosting, LabourSupply, PostingStatus, SupplyStatus
from app.permissions import require
from app.permissions.labour import can_match_posting, can_see_posting, can_see_supply
from app.services.labour.fields import months_of, split_skills, term_months
from app.services.labour.postings import open_postings
from app.services.labour.supply import open_supplies

POINTS = {
    "same_township": 30,
    "same_county": 20,
    "skill": 10,
    "no_skill_needed": 5,
    "season": 20,
    "agreement": 25,
    "board": 5,
}
SKILL_CAP = 3


@dataclass(frozen=True, slots=True)
class Reason:
    points: int
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """One candidate with its score and reasons, best first in a list."""

    supply: LabourSupply
    posting: JobPosting
    score: int
    reasons: tuple[Reason, ...]


def score(supply: LabourSupply, posting: JobPosting, *, paired: str = "") -> Match | None:
    """How well a group of workers suits a posting, or None when it cannot at all; ``paired``
    names the tie between employer and village (empty: none)."""
    other_county = supply.county_code != posting.county_code
    if other_county and not supply.can_travel:
        return None
    term = term_months(posting.start_month, posting.term_months)
    available = set(months_of(supply.available_months))
    overlap = [m for m in term if m in available]
    if not overlap:
        return None
    reasons: list[Reason] = []
    if supply.township_code == posting.township_code:
        reasons.append(Reason(POINTS["same_township"], "同一乡镇，可就近务工"))
    elif not other_county:
        reasons.append(Reason(POINTS["same_county"], "同县就业"))
    wanted = split_skills(posting.skills)
    if wanted:
        shared = [s for s in wanted if s in set(split_skills(supply.skills))][:SKILL_CAP]
        if shared:
            reasons.append(Reason(POINTS["skill"] * len(shared), f"技能匹配：{'、'.join(shared)}"))
    else:
        reasons.append(Reason(POINTS["no_skill_needed"], "岗位无技能要求"))
    season = POINTS["season"] * len(overlap) // len(term)
    reasons.append(Reason(season, f"务工月份吻合 {len(overlap)}/{len(term)} 个月"))
    if paired:
        reasons.append(Reason(POINTS["agreement"], paired))
    if other_county and posting.housing and posting.meals:
        reasons.append(Reason(POINTS["board"], "提供食宿"))
    return Match(supply, posting, sum(r.points for r in reasons), tuple(reasons))


def postings_for_supply(*, session: Session, actor: Actor, supply_id: int) -> list[Match]:
    """The open postings that suit a village's group, best first."""
    supply = session.get(LabourSupply, supply_id)
    if supply is None or not can_see_supply(
        actor, supply.village_id, supply.county_code, is_open=supply.status == SupplyStatus.open
    ):
        raise NotFoundError("劳务供给不存在或已撤回")
    if supply.status != SupplyStatus.open:
        return []
    postings = open_postings(session=session, actor=actor)
    paired = _pairs(session, [supply], postings)
    return _ranked(
        score(supply, posting, paired=_is_paired(paired, supply, posting)) for posting in postings
    )


def supplies_for_posting(*, session: Session, actor: Actor, posting_id: int) -> list[Match]:
    """The open groups of workers that suit a posting, best first (for its employer and the
    bureau of its county)."""
    posting = session.get(JobPosting, posting_id)
    if posting is None or not can_see_posting(actor, posting):
        raise NotFoundError("招工岗位不存在或已关闭")
    require(can_match_posting(actor, posting))
    if posting.status != PostingStatus.open:
        return []
    supplies = open_supplies(session=session, actor=actor)
    paired = _pairs(session, supplies, [posting])
    return _ranked(
        score(supply, posting, paired=_is_paired(paired, supply, posting)) for supply in supplies
    )


def _ranked(matches: Iterable[Match | None]) -> list[Match]:
    found = [m for m in matches if m is not None]
    return sorted(found, key=lambda m: (-m.score, -m.posting.id, m.supply.id))


def _pairs(
    session: Session, supplies: list[LabourSupply], postings: list[JobPosting]
) -> set[tuple[str, int, int]]:
    """(employer kind, employer id, village id) of the pairs that already work together: an
    active agreement between the enterprise and the village, or the village's own cooperative."""
    villages = {s.village_id for s in supplies}
    enterprises = {p.enterprise_id for p in postings if p.enterprise_id is not None}
    cooperatives = {p.cooperative_id for p in postings if p.cooperative_id is not None}
    found: set[tuple[str, int, int]] = set()
    if villages and enterprises:
        rows = session.exec(
            select(PairingAgreement.enterprise_id, PairingAgreement.village_id).where(
                PairingAgreement.status == AgreementStatus.active,
                PairingAgreement.enterprise_id.in_(enterprises),
                PairingAgreement.village_id.in_(villages),
            )
        )
        found |= {("enterprise", e, v) for e, v in rows}
    if villages and cooperatives:
        rows = session.exec(
            select(Cooperative.id, Cooperative.village_id).where(
                Cooperative.id.in_(cooperatives), Cooperative.village_id.in_(villages)
            )
        )
        found |= {("cooperative", c, v) for c, v in rows}
    return found


def _is_paired(pairs: set, supply: LabourSupply, posting: JobPosting) -> str:
    if posting.enterprise_id is not None:
        found = ("enterprise", posting.enterprise_id, supply.village_id) in pairs
        return "双方已签结对帮扶协议" if found else ""
    found = ("cooperative", posting.cooperative_id, supply.village_id) in pairs
    return "本村合作社的岗位" if found else ""
