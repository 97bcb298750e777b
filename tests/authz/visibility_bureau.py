"""The bureau's kinds in the visibility tests: audit events, notifications, ledger export jobs
and the rows of a county (statistics, the ledger, review queues, county lists); an event with
its notifications and an export job per scope."""

import sqlalchemy as sa
from sqlmodel import Session

from app.models import County, Enterprise, Event, ExportJob, Notification, PairingAgreement
from app.models.enums import RecipientKind
from app.models.exports import ExportFormat
from app.permissions import AUDIT_EVENTS, EXPORT_JOBS, NOTIFICATIONS, REGION_ROWS
from app.services import ledger, notifications
from app.services.ledger_master import MASTER_SECTIONS
from app.services.stats.scope import in_region, villages_in_region
from app.web.exports import _counties
from tests.authz.read_paths import BIG, ReadPath, agreement_counties, page_ids
from tests.authz.visibility_world import OTHER_COUNTY, OtherCounty, Source
from tests.authz.world import World

SOURCES = (
    Source(REGION_ROWS, lambda: sa.select(County.code), lambda: {"county_code": County.code}),
    Source(
        AUDIT_EVENTS,
        lambda: sa.select(Event.id),
        lambda: {"county_code": Event.county_code},
        lists=False,
    ),
    Source(
        EXPORT_JOBS, lambda: sa.select(ExportJob.id), lambda: {"region_code": ExportJob.region_code}
    ),
    Source(
        NOTIFICATIONS,
        lambda: sa.select(Notification.id),
        lambda: {
            "recipient_kind": Notification.recipient_kind,
            "recipient_id": Notification.recipient_id,
        },
    ),
)


def _counted(session: Session, section_key: str, actor) -> set:
    section = next(s for s in MASTER_SECTIONS if s.key == section_key)
    return set(range(section.count(session, actor, None)))


READ_PATHS = (
    ReadPath(
        "statistics villages_in_region",
        REGION_ROWS,
        lambda s, a: set(
            s.execute(
                sa.select(PairingAgreement.id).where(
                    villages_in_region(a, PairingAgreement.village_id)
                )
            ).scalars()
        ),
        rows=agreement_counties,
    ),
    ReadPath(
        "export page counties",
        REGION_ROWS,
        lambda s, a: {code for code, _ in _counties(s, a)},
    ),
    ReadPath(
        "statistics in_region",
        REGION_ROWS,
        lambda s, a: set(
            s.execute(sa.select(County.code).where(in_region(a, County.code))).scalars()
        ),
    ),
    ReadPath(
        "ledger enterprises",
        REGION_ROWS,
        lambda s, a: _counted(s, "enterprises", a),
        # The ledger lists every registration of the region, approved or not.
        rows=lambda s: {
            e_id: {"county_code": county}
            for e_id, county in s.execute(sa.select(Enterprise.id, Enterprise.county_code))
        },
        sizes=True,
    ),
    ReadPath(
        "ledger export jobs",
        EXPORT_JOBS,
        lambda s, a: {job.id for job in ledger.recent_jobs(session=s, actor=a)},
    ),
    ReadPath(
        "notifications list",
        NOTIFICATIONS,
        lambda s, a: page_ids(notifications.list_notifications(session=s, actor=a, size=BIG)),
    ),
)


def _event_and_notifications(session: Session, world: World, other: OtherCounty) -> None:
    """One event, notified to every user of the world and to the second county's parties."""
    event = Event(action="test.visibility", object_type="test", object_id="1")
    session.add(event)
    session.flush()
    recipients = [(RecipientKind.user, uid) for uid in world.user_ids.values()] + [
        (RecipientKind.enterprise, world.enterprise_a),
        (RecipientKind.cooperative, other.cooperative.id),
        (RecipientKind.village, other.village.id),
    ]
    session.add_all(
        Notification(
            event_id=event.id,
            recipient_kind=kind,
            recipient_id=rid,
            kind="test",
            title="t",
            body="b",
            link="/",
        )
        for kind, rid in recipients
    )


def _export_jobs(session: Session, world: World, other: OtherCounty) -> None:
    session.add_all(
        ExportJob(region_code=region, format=ExportFormat.csv)
        for region in ("140800", "140829", OTHER_COUNTY)
    )


ROWS = (_event_and_notifications, _export_jobs)
