"""Matrix actions for 劳务协作: supply groups, job postings and their matching.

In the world (tests/authz/world.py) the village publishes supply; 甲企业 and the cooperative may
post jobs (乙企业 too: every approved organisation). The prepared rows are the village's open
group and 甲企业's open posting, both in 平陆县.
"""

from sqlmodel import Session, select

from app.models import Enterprise, Village
from app.models.labour import JobPosting, LabourSupply
from app.services.labour import matching, postings, supply
from tests.authz.world import COUNTY_BUREAUS, PreparedAction, World
from tests.edit_paths import EditPath, Given
from tests.factories import make_enterprise, make_village
from tests.labour_factories import POSTING_FORM, SUPPLY_FORM, make_posting, make_supply
from tests.pairing_factories import village_actor
from tests.trade_factories import buyer_actor

EMPLOYERS = frozenset({"enterprise_a", "enterprise_b", "cooperative"})
OFFICE = COUNTY_BUREAUS | {"admin"}


def _rows(session: Session, world: World) -> None:
    make_supply(session, session.get(Village, world.village_id))
    make_posting(session, enterprise=session.get(Enterprise, world.enterprise_a))


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
        "supply.update_supply",
        lambda s, w, a: supply.update_supply(
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
        "postings.update_posting",
        lambda s, w, a: postings.update_posting(
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
]


def _supply_row(session: Session) -> Given:
    village = make_village(session)
    return Given(make_supply(session, village).id, village_actor(village))


def _posting_row(session: Session) -> Given:
    employer = make_enterprise(session)
    return Given(make_posting(session, enterprise=employer).id, buyer_actor(employer))


def _supply_form(attempt: int) -> dict:
    return SUPPLY_FORM | {"head_count": str(10 + attempt)}


def _posting_form(attempt: int) -> dict:
    return POSTING_FORM | {"head_count": str(20 + attempt)}


EDITS = (
    EditPath(
        "labour.supply.update_supply",
        LabourSupply,
        supply.SUPPLY_STALE,
        _supply_row,
        lambda s, g, v, n: supply.update_supply(
            session=s, actor=g.actor, supply_id=g.row_id, expected_version=v, data=_supply_form(n)
        ),
    ),
    EditPath(
        "labour.supply.withdraw_supply",
        LabourSupply,
        supply.SUPPLY_STALE,
        _supply_row,
        lambda s, g, v, n: supply.withdraw_supply(
            session=s, actor=g.actor, supply_id=g.row_id, expected_version=v
        ),
    ),
    EditPath(
        "labour.postings.update_posting",
        JobPosting,
        postings.POSTING_STALE,
        _posting_row,
        lambda s, g, v, n: postings.update_posting(
            session=s,
            actor=g.actor,
            posting_id=g.row_id,
            expected_version=v,
            data=_posting_form(n),
        ),
    ),
    EditPath(
        "labour.postings.close_posting",
        JobPosting,
        postings.POSTING_STALE,
        _posting_row,
        lambda s, g, v, n: postings.close_posting(
            session=s, actor=g.actor, posting_id=g.row_id, expected_version=v
        ),
    ),
)
UNVERSIONED = ()
LIFECYCLE_STEPS = ()
