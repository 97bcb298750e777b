"""Factories and forms for the 劳务协作 tests (supply groups, job postings)."""

import itertools

from sqlmodel import Session

from app.models import Cooperative, Enterprise, Village
from app.models.flags import months_to_mask
from app.models.labour import JobPosting, LabourApplication, LabourSupply, PostingKind
from tests.factories import make_township

_seq = itertools.count(1)

SUPPLY_FORM = {
    "title": "采摘季务工组",
    "head_count": "12",
    "skills": "采摘、装卸",
    "available_months": ["3", "4", "5", "9", "10"],
    "note": "",
}

POSTING_FORM = {
    "title": "苹果分拣工",
    "positions": "分拣、装箱",
    "township_code": "140829100",
    "wage_min_fen": "300000",
    "wage_max_fen": "450000",
    "start_month": "9",
    "term_months": "3",
    "housing": "on",
    "meals": "on",
    "skills": "分拣、装卸",
    "head_count": "20",
    "kind": "workshop",
}


def make_supply(session: Session, village: Village, **overrides) -> LabourSupply:
    values = {
        "village_id": village.id,
        "county_code": village.county_code,
        "township_code": village.township_code,
        "title": f"务工组{next(_seq)}",
        "head_count": 10,
        "skills": "采摘、装卸",
        "available_months": months_to_mask(range(1, 13)),
    } | overrides
    supply = LabourSupply(**values)
    session.add(supply)
    session.flush()
    return supply


def make_posting(
    session: Session,
    *,
    enterprise: Enterprise | None = None,
    cooperative: Cooperative | None = None,
    **overrides,
) -> JobPosting:
    values = {
        "enterprise_id": enterprise.id if enterprise else None,
        "cooperative_id": cooperative.id if cooperative else None,
        "title": f"岗位{next(_seq)}",
        "county_code": "140829",
        "township_code": "140829100",
        "wage_min_fen": 300_000,
        "wage_max_fen": 400_000,
        "start_month": 3,
        "term_months": 6,
        "skills": "采摘",
        "head_count": 10,
        "kind": PostingKind.nearby,
    } | overrides
    if values["township_code"] == "140829100":
        make_township(session)
    posting = JobPosting(**values)
    session.add(posting)
    session.flush()
    return posting


def make_application(
    session: Session, supply: LabourSupply, posting: JobPosting, **overrides
) -> LabourApplication:
    values = {
        "posting_id": posting.id,
        "supply_id": supply.id,
        "village_id": supply.village_id,
        "enterprise_id": posting.enterprise_id,
        "cooperative_id": posting.cooperative_id,
        "county_code": supply.county_code,
        "head_count": supply.head_count,
    } | overrides
    application = LabourApplication(**values)
    session.add(application)
    session.flush()
    return application
