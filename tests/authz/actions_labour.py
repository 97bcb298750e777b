"""Matrix actions for 劳务协作: supply groups, job postings and their matching.

In the world (tests/authz/world.py) the village publishes supply; 甲企业 and the cooperative may
post jobs (乙企业 too: every approved organisation). The prepared rows are the village's open
group and 甲企业's open posting, both in 平陆县.
"""

from datetime import date

from sqlmodel import Session, select

from app.models import Enterprise, Village
from app.models.labour import ApplicationStatus, JobPosting, LabourApplication, LabourSupply
from app.services.labour import hiring, matching, postings, supply
from tests.authz.world import COUNTY_BUREAUS, PreparedAction, World
from tests.labour_factories import (
    POSTING_FORM,
    SUPPLY_FORM,
    make_application,
    make_posting,
    make_supply,
)

EMPLOYERS = frozenset({"enterprise_a", "enterprise_b", "cooperative"})
OFFICE = COUNTY_BUREAUS | {"admin"}


def _rows(session: Session, world: World) -> None:
    make_supply(session, session.get(Village, world.village_id))
    make_posting(session, enterprise=session.get(Enterprise, world.enterprise_a))


def _application_in(status: ApplicationStatus, **more):
    def prepare(session: Session, world: World) -> None:
        _rows(session, world)
        make_application(session, _supply(session), _posting(session), status=status, **more)

    return prepare


_HIRED = {"hired_on": date(2026, 1, 5), "hired_count": 8}
_DUE = {"check_3_due": date(2026, 4, 5), "check_6_due": date(2026, 7, 5)}
LATER = date(2026, 12, 31)


def _application(session: Session) -> LabourApplication:
    return session.exec(select(LabourApplication)).one()


def _step(name: str):
    return lambda s, w, a: getattr(hiring, name)(
        session=s,
        actor=a,
        application_id=_application(s).id,
        expected_version=_application(s).version,
    )


def _supply(session: Session) -> LabourSupply:
    return session.exec(select(LabourSupply)).one()


def _posting(session: Session) -> JobPosting:
    return session.exec(select(JobPosting)).one()


ACTIONS = [
    PreparedAction(
        "supply.publish_supply",
        lambda s, w, a: supply.publish_supply(session=s, actor=a, data=SUPPLY_FORM),
        frozenset({"village"}),
        covers=("labour_supply.publish",),
    ),
    PreparedAction(
        "supply.revise_supply",
        lambda s, w, a: supply.revise_supply(
            session=s,
            actor=a,
            supply_id=_supply(s).id,
            expected_version=_supply(s).version,
            data=SUPPLY_FORM,
        ),
        frozenset({"village"}),
        prepare=_rows,
        covers=("labour_supply.update",),
    ),
    PreparedAction(
        "supply.withdraw_supply",
        lambda s, w, a: supply.withdraw_supply(
            session=s, actor=a, supply_id=_supply(s).id, expected_version=_supply(s).version
        ),
        frozenset({"village"}),
        prepare=_rows,
        covers=("labour_supply.withdraw",),
    ),
    PreparedAction(
        "postings.publish_posting",
        lambda s, w, a: postings.publish_posting(session=s, actor=a, data=POSTING_FORM),
        EMPLOYERS,
        covers=("job_posting.publish",),
    ),
    PreparedAction(
        "postings.revise_posting",
        lambda s, w, a: postings.revise_posting(
            session=s,
            actor=a,
            posting_id=_posting(s).id,
            expected_version=_posting(s).version,
            data=POSTING_FORM,
        ),
        frozenset({"enterprise_a"}),
        prepare=_rows,
        covers=("job_posting.update",),
    ),
    PreparedAction(
        "postings.close_posting",
        lambda s, w, a: postings.close_posting(
            session=s, actor=a, posting_id=_posting(s).id, expected_version=_posting(s).version
        ),
        frozenset({"enterprise_a"}),
        prepare=_rows,
        covers=("job_posting.close",),
    ),
    PreparedAction(
        "matching.supplies_for_posting",
        lambda s, w, a: matching.supplies_for_posting(
            session=s, actor=a, posting_id=_posting(s).id
        ),
        frozenset({"enterprise_a"}) | OFFICE,
        writes=False,
        prepare=_rows,
    ),
    PreparedAction(
        "hiring.apply",
        lambda s, w, a: hiring.apply(
            session=s,
            actor=a,
            posting_id=_posting(s).id,
            supply_id=_supply(s).id,
            data={"head_count": "5"},
        ),
        frozenset({"village"}),
        prepare=_rows,
        covers=("labour_application.apply",),
    ),
    PreparedAction(
        "hiring.invite",
        lambda s, w, a: hiring.invite(
            session=s,
            actor=a,
            application_id=_application(s).id,
            expected_version=_application(s).version,
            data={"interview_on": "2026-12-20"},
        ),
        frozenset({"enterprise_a"}),
        prepare=_application_in(ApplicationStatus.applied),
        covers=("labour_application.invite",),
    ),
    PreparedAction(
        "hiring.hire",
        lambda s, w, a: hiring.hire(
            session=s,
            actor=a,
            application_id=_application(s).id,
            expected_version=_application(s).version,
            data={"hired_count": "5", "hired_on": "2026-12-01"},
            today=LATER,
        ),
        frozenset({"enterprise_a"}),
        prepare=_application_in(ApplicationStatus.interviewing),
        covers=("labour_application.hire",),
    ),
    PreparedAction(
        "hiring.decline",
        _step("decline"),
        frozenset({"enterprise_a"}),
        prepare=_application_in(ApplicationStatus.applied),
        covers=("labour_application.decline",),
    ),
    PreparedAction(
        "hiring.withdraw",
        _step("withdraw"),
        frozenset({"village"}),
        prepare=_application_in(ApplicationStatus.interviewing),
        covers=("labour_application.withdraw",),
    ),
    PreparedAction(
        "hiring.confirm_check (3 months)",
        lambda s, w, a: hiring.confirm_check(
            session=s,
            actor=a,
            application_id=_application(s).id,
            expected_version=_application(s).version,
            data={"count": "7"},
            today=LATER,
        ),
        frozenset({"village"}),
        prepare=_application_in(ApplicationStatus.hired, **_HIRED, **_DUE),
        covers=("labour_application.confirm_retained",),
    ),
    PreparedAction(
        "hiring.confirm_check (6 months)",
        lambda s, w, a: hiring.confirm_check(
            session=s,
            actor=a,
            application_id=_application(s).id,
            expected_version=_application(s).version,
            data={"count": "6"},
            today=LATER,
        ),
        frozenset({"village"}),
        prepare=_application_in(ApplicationStatus.retained, retained_count=7, **_HIRED, **_DUE),
        covers=("labour_application.confirm_stable",),
    ),
]


# A group's and a posting's edits and their withdrawal or closing are versioned steps of their
# lifecycle (open → withdrawn/closed), tested at a stale version in tests/services/test_labour_*.py.
EDITS = ()
UNVERSIONED = ()
LIFECYCLE_STEPS = (
    "labour.supply.revise_supply",
    "labour.supply.withdraw_supply",
    "labour.postings.revise_posting",
    "labour.postings.close_posting",
    "labour.hiring.invite",
    "labour.hiring.hire",
    "labour.hiring.decline",
    "labour.hiring.withdraw",
    "labour.hiring.confirm_check",
)
