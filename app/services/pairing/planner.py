"""The coverage planner (覆盖规划): pair unpaired key villages with enterprises that have room.

Each enterprise can take ``max_villages`` minus its open agreements more villages. Every enterprise
is copied once per free place, one "stay unassigned" column (score 0) is added per village, and
scipy's ``linear_sum_assignment`` picks the assignment with the largest total recommendation score:
each village gets at most one enterprise, each enterprise at most its free places, and a pair that
would lower the total is left out. The bureau reviews the lines and turns the ones it accepts into
drafts (待企业确认): each enterprise completes the commitments and accepts its draft, which then
goes to the village to sign, or refuses it (decision 0031).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.actors import Actor
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Enterprise, PairingAgreement, Village
from app.models.enums import OPEN_AGREEMENT_STATUSES, AgreementStatus, HelpKind
from app.permissions import REGION_ROWS, can_plan_coverage, can_plan_for_county, require
from app.services.inputs import BoundedDate, parse
from app.services.pairing.facts import enterprise_facts, village_facts
from app.services.pairing.periods import local_today
from app.services.pairing.proposals import Terms, add_years, default_term, insert_proposal
from app.services.pairing.scoring import (
    EnterpriseFacts,
    ScorePart,
    VillageFacts,
    score_matrix,
    score_parts,
)

PLAN_NOTE = "由乡村振兴局覆盖规划生成：帮扶主体填写承诺内容后确认（或谢绝），村签约后报局备案。"
OUTDATED = "方案生成后情况已有变化，请重新生成方案"


@dataclass(frozen=True, slots=True)
class PlanLine:
    village: VillageFacts
    enterprise: EnterpriseFacts
    score: int
    parts: tuple[ScorePart, ...]

    @property
    def key(self) -> str:
        """The form value of this line: ``village_id:enterprise_id``."""
        return f"{self.village.id}:{self.enterprise.id}"


@dataclass(frozen=True, slots=True)
class CoveragePlan:
    lines: list[PlanLine]
    unassigned: list[VillageFacts]
    villages: int
    enterprises: int
    places: int

    @property
    def total_score(self) -> int:
        return sum(line.score for line in self.lines)


class PlanTerms(BaseModel):
    start_on: BoundedDate = Field(title="开始日期")
    years: int = Field(default=3, ge=1, le=5, title="帮扶年限")


def plan_assignment(scores: np.ndarray, capacities: Sequence[int]) -> list[tuple[int, int]]:
    """(row, column) pairs maximising the total of ``scores`` (villages × enterprises).

    Each row is used at most once and column ``j`` at most ``capacities[j]`` times; pairs scoring
    0 or less are left out.
    """
    rows, columns = scores.shape
    places = np.repeat(np.arange(columns), [min(max(c, 0), rows) for c in capacities])
    if rows == 0 or len(places) == 0:
        return []
    # Imported here: scipy adds about 40 MB to a process, and only a bureau's coverage plan needs
    # it (a serving process stays under its memory budget until someone plans).
    from scipy.optimize import linear_sum_assignment

    cost = np.zeros((rows, len(places) + rows), dtype=np.int64)
    cost[:, : len(places)] = -scores[:, places]
    chosen_rows, chosen_columns = linear_sum_assignment(cost)
    pairs = []
    for row, column in zip(chosen_rows, chosen_columns, strict=True):
        if column < len(places) and scores[row, places[column]] > 0:
            pairs.append((int(row), int(places[column])))
    return pairs


def unpaired_key_village_conditions(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """Key villages with no open agreement at all (a pending proposal is already under way)."""
    open_agreement = sa.select(PairingAgreement.id).where(
        PairingAgreement.village_id == Village.id,
        PairingAgreement.status.in_(OPEN_AGREEMENT_STATUSES),
    )
    return [
        Village.key_village.is_(True),
        ~open_agreement.exists(),
        REGION_ROWS.where(actor, county_code=Village.county_code),
    ]


def plan_coverage(
    *, session: Session, actor: Actor, county_code: str | None = None, today: date | None = None
) -> CoveragePlan:
    """The best assignment of unpaired key villages to enterprises with free places, for review."""
    require(can_plan_coverage(actor))
    today = today or local_today()
    where = unpaired_key_village_conditions(actor)
    if county_code:
        where.append(Village.county_code == county_code)
    villages = village_facts(session, where=where, today=today)
    enterprises = [e for e in enterprise_facts(session, today=today) if e.spare > 0]
    scores = score_matrix(villages, enterprises)
    pairs = plan_assignment(scores, [e.spare for e in enterprises])
    lines = [
        PlanLine(
            villages[v], enterprises[e], int(scores[v, e]), score_parts(villages[v], enterprises[e])
        )
        for v, e in pairs
    ]
    lines.sort(key=lambda line: (-line.score, line.village.county_code, line.village.id))
    assigned = {line.village.id for line in lines}
    return CoveragePlan(
        lines=lines,
        unassigned=[v for v in villages if v.id not in assigned],
        villages=len(villages),
        enterprises=len(enterprises),
        places=sum(min(e.spare, len(villages)) for e in enterprises),
    )


def parse_lines(values: Sequence[str]) -> list[tuple[int, int]]:
    """Form values ``village_id:enterprise_id`` → pairs; anything malformed is refused."""
    pairs = []
    for value in values:
        village, sep, enterprise = str(value).partition(":")
        if not sep or not village.isdigit() or not enterprise.isdigit():
            raise ValidationError(
                "方案数据无效，请重新生成方案", code="plan_invalid", field="lines"
            )
        pairs.append((int(village), int(enterprise)))
    return pairs


def accept_plan(
    *,
    session: Session,
    actor: Actor,
    lines: Sequence[tuple[int, int]],
    data: dict,
    today: date | None = None,
) -> list[PairingAgreement]:
    """Turn accepted lines (village id, enterprise id) into drafts for the enterprises to
    complete and accept; all of them or none."""
    require(can_plan_coverage(actor))
    today = today or local_today()
    if not lines:
        raise ValidationError("请至少选择一条结对", code="lines_required", field="lines")
    if len({village for village, _ in lines}) != len(lines):
        raise ValidationError("同一个村只能选择一条结对", code="plan_invalid", field="lines")
    terms = parse(PlanTerms, {"start_on": default_term(today)[0]} | data)
    end_on = add_years(terms.start_on, terms.years) - timedelta(days=1)
    villages = _villages_in_scope(session, actor, [v for v, _ in lines], today)
    wanted = Counter(e for _, e in lines)
    found = enterprise_facts(session, ids=list(wanted), today=today)
    enterprises = {e.id: e for e in found}
    for enterprise_id, count in wanted.items():
        facts = enterprises.get(enterprise_id)
        if facts is None or facts.spare < count:
            raise ConflictError(OUTDATED, code="plan_outdated")
    created = []
    for village_id, enterprise_id in lines:
        village, facts = villages[village_id], enterprises[enterprise_id]
        enterprise = session.get(Enterprise, enterprise_id)
        commitments = parse(
            Terms,
            {
                "help_kinds": _help_kinds(facts.offers, village.needs),
                "start_on": terms.start_on,
                "end_on": end_on,
                "note": PLAN_NOTE,
            },
        )
        row = session.get(Village, village_id)
        created.append(
            insert_proposal(
                session,
                actor,
                enterprise=enterprise,
                village=row,
                commitments=commitments,
                action="agreement.plan",
                summary=f"覆盖规划：{enterprise.name} 与 {row.name} 结对（待企业确认）",
                status=AgreementStatus.draft,
                today=today,
            )
        )
    return created


def _villages_in_scope(
    session: Session, actor: Actor, village_ids: list[int], today: date
) -> dict[int, VillageFacts]:
    """The villages of the lines, each still an unpaired key village the officer plans for."""
    rows = session.execute(
        sa.select(Village.id, Village.county_code).where(Village.id.in_(village_ids))
    ).all()
    if len(rows) != len(village_ids):
        raise NotFoundError("方案中的村不存在")
    for _id, county_code in rows:
        require(can_plan_for_county(actor, county_code))
    still = village_facts(
        session, where=unpaired_key_village_conditions(actor), ids=village_ids, today=today
    )
    if len(still) != len(village_ids):
        raise ConflictError(OUTDATED, code="plan_outdated")
    return {v.id: v for v in still}


def _help_kinds(offers: int, needs: int) -> list[str]:
    """What the enterprise offers that the village needs; else what it offers; else industry."""
    mask = (offers & needs) or offers or needs
    kinds = [k.value for i, k in enumerate(HelpKind) if mask & (1 << i)]
    return kinds or [HelpKind.industry.value]
