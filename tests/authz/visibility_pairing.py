"""The 千企帮千村 domain's kinds in the visibility tests: agreements (their reports too),
enterprises, cooperatives and the villages' private fields; its agreement in the second county."""

import sqlalchemy as sa
from sqlmodel import Session

from app.actors import Role
from app.models import Cooperative, Enterprise, OutcomeReport, PairingAgreement, Village
from app.models.enums import AgreementStatus
from app.permissions import (
    AGREEMENTS,
    COOPERATIVES,
    ENTERPRISES,
    PRIVATE_VILLAGE_DATA,
    REGION_ROWS,
)
from app.services import inbox, pairing
from app.services.queries import organisations as organisation_queries
from app.services.queries import pairing as pairing_queries
from tests.authz.read_paths import BIG, ReadPath, agreement_counties, ids, one_by_one, page_ids
from tests.authz.visibility_world import OtherCounty, Source
from tests.authz.world import World
from tests.factories import make_agreement

PA = PairingAgreement

SOURCES = (
    Source(
        AGREEMENTS,
        lambda: sa.select(PA.id).join(Village, Village.id == PA.village_id),
        lambda: {
            "enterprise_id": PA.enterprise_id,
            "village_id": PA.village_id,
            "county_code": Village.county_code,
        },
    ),
    Source(
        ENTERPRISES,
        lambda: sa.select(Enterprise.id),
        lambda: {
            "status": Enterprise.status,
            "id": Enterprise.id,
            "county_code": Enterprise.county_code,
        },
    ),
    Source(
        COOPERATIVES,
        lambda: sa.select(Cooperative.id).join(Village, Village.id == Cooperative.village_id),
        lambda: {
            "status": Cooperative.status,
            "id": Cooperative.id,
            "county_code": Village.county_code,
        },
    ),
    # Read one village at a time through the predicate only: no list of its own.
    Source(
        PRIVATE_VILLAGE_DATA,
        lambda: sa.select(Village.id),
        lambda: {"village_id": Village.id, "county_code": Village.county_code},
        lists=False,
    ),
)


def _reports_of(session: Session, agreement_ids: set) -> set:
    query = sa.select(OutcomeReport.id).where(OutcomeReport.agreement_id.in_(agreement_ids))
    return set(session.execute(query).scalars())


READ_PATHS = (
    ReadPath(
        "pairing page list",
        AGREEMENTS,
        lambda s, a: page_ids(pairing.list_agreements(session=s, actor=a, size=BIG)),
    ),
    ReadPath(
        "GraphQL agreements",
        AGREEMENTS,
        lambda s, a: ids(s, pairing_queries.select_agreements(actor=a)),
    ),
    ReadPath(
        "pairing page reports",
        AGREEMENTS,
        lambda s, a: page_ids(pairing.list_reports(session=s, actor=a, size=BIG)),
        expected=_reports_of,
    ),
    ReadPath(
        "GraphQL reports",
        AGREEMENTS,
        lambda s, a: ids(s, pairing_queries.select_reports(actor=a)),
        expected=_reports_of,
    ),
    ReadPath(
        "inbox filings",
        REGION_ROWS,
        lambda s, a: set(range(inbox.inbox_counts(session=s, actor=a).get("filings", 0))),
        rows=lambda s: agreement_counties(s, PA.status == AgreementStatus.signed),
        sizes=True,
        readers=(Role.bureau,),
    ),
    ReadPath(
        "GraphQL enterprises",
        ENTERPRISES,
        lambda s, a: ids(s, organisation_queries.select_enterprises(actor=a)),
    ),
    ReadPath(
        "GraphQL cooperatives",
        COOPERATIVES,
        lambda s, a: ids(s, organisation_queries.select_cooperatives(actor=a)),
    ),
    ReadPath(
        "agreement page",
        AGREEMENTS,
        one_by_one(
            PA, lambda s, a, key: pairing.get_agreement(session=s, actor=a, agreement_id=key)
        ),
    ),
)


def _proposal_in_the_other_county(session: Session, world: World, other: OtherCounty) -> None:
    make_agreement(
        session, enterprise=other.outsider, village=other.village, status=AgreementStatus.proposed
    )


ROWS = (_proposal_in_the_other_county,)
