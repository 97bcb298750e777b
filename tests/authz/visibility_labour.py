"""The 劳务协作 domain's kinds in the visibility tests: supply groups, job postings (open and
closed) and applications, in the world's county (平陆县) and the second county (芮城县)."""

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app.models import Enterprise, Village
from app.models.labour import (
    HIRED_STATUSES,
    ApplicationStatus,
    JobPosting,
    LabourApplication,
    LabourSupply,
    PostingStatus,
    SupplyStatus,
)
from app.permissions import REGION_ROWS
from app.permissions.labour import JOB_POSTINGS, LABOUR_APPLICATIONS, LABOUR_SUPPLIES
from app.services import clock
from app.services.labour import figures, hiring, postings, supply
from tests.authz.read_paths import ReadPath, one_by_one, page_ids
from tests.authz.visibility_world import OTHER_COUNTY, OtherCounty, Source
from tests.authz.world import World
from tests.factories import make_enterprise
from tests.labour_factories import make_application, make_posting, make_supply

SOURCES = (
    Source(
        LABOUR_SUPPLIES,
        lambda: sa.select(LabourSupply.id),
        lambda: {
            "village_id": LabourSupply.village_id,
            "status": LabourSupply.status,
            "county_code": LabourSupply.county_code,
        },
    ),
    Source(
        JOB_POSTINGS,
        lambda: sa.select(JobPosting.id),
        lambda: {
            "status": JobPosting.status,
            "enterprise_id": JobPosting.enterprise_id,
            "cooperative_id": JobPosting.cooperative_id,
            "county_code": JobPosting.county_code,
        },
    ),
    Source(
        LABOUR_APPLICATIONS,
        lambda: sa.select(LabourApplication.id),
        lambda: {
            "village_id": LabourApplication.village_id,
            "enterprise_id": LabourApplication.enterprise_id,
            "cooperative_id": LabourApplication.cooperative_id,
            "county_code": LabourApplication.county_code,
        },
    ),
)


def _counties_with_labour(session: Session) -> set:
    postings = sa.select(JobPosting.county_code)
    hires = sa.select(LabourApplication.county_code).where(
        LabourApplication.status.in_(HIRED_STATUSES)
    )
    return set(session.execute(postings.union(hires)).scalars())


READ_PATHS = (
    ReadPath(
        "labour figures by county and month",
        REGION_ROWS,
        lambda s, a: {
            row.county_code for row in figures.labour_by_county_month(s, a, clock.today())
        },
        domain=_counties_with_labour,
    ),
    ReadPath(
        "labour supply list",
        LABOUR_SUPPLIES,
        lambda s, a: page_ids(supply.visible_supplies(session=s, actor=a)),
    ),
    ReadPath(
        "labour supply page",
        LABOUR_SUPPLIES,
        one_by_one(
            LabourSupply,
            lambda s, a, key: supply.get_supply(session=s, actor=a, supply_id=key),
        ),
    ),
    ReadPath(
        "job posting list",
        JOB_POSTINGS,
        lambda s, a: page_ids(postings.visible_postings(session=s, actor=a)),
    ),
    ReadPath(
        "job posting page",
        JOB_POSTINGS,
        one_by_one(
            JobPosting,
            lambda s, a, key: postings.get_posting(session=s, actor=a, posting_id=key),
        ),
    ),
    ReadPath(
        "labour application list",
        LABOUR_APPLICATIONS,
        lambda s, a: page_ids(hiring.visible_applications(session=s, actor=a)),
    ),
    ReadPath(
        "labour application page",
        LABOUR_APPLICATIONS,
        one_by_one(
            LabourApplication,
            lambda s, a, key: hiring.get_application(session=s, actor=a, application_id=key),
        ),
    ),
)


def _labour_rows(session: Session, world: World, other: OtherCounty) -> None:
    """Open and closed groups and postings on both sides of the county line."""
    village = session.get(Village, world.village_id)
    here = make_supply(session, village)
    make_supply(session, village, status=SupplyStatus.withdrawn)
    make_supply(session, other.village)
    make_supply(session, other.village, status=SupplyStatus.withdrawn)
    employer = session.get(Enterprise, world.enterprise_a)
    posting = make_posting(session, enterprise=employer)
    make_posting(session, enterprise=employer, status=PostingStatus.closed)
    far = make_enterprise(session, county_code=OTHER_COUNTY, name="芮城用工企业")
    there = {"county_code": OTHER_COUNTY, "township_code": f"{OTHER_COUNTY}100"}
    far_posting = make_posting(session, enterprise=far, **there)
    coop_posting = make_posting(
        session, cooperative=other.cooperative, status=PostingStatus.closed, **there
    )
    # Applications: the village to 甲企业 and to a 芮城 employer; a 芮城 group to its cooperative.
    make_application(session, here, posting)
    make_application(
        session,
        here,
        far_posting,
        status=ApplicationStatus.hired,
        hired_count=3,
        hired_on=date(2026, 10, 8),
    )
    away = make_supply(session, other.village)
    make_application(session, away, coop_posting, status=ApplicationStatus.declined)


ROWS = (_labour_rows,)
