"""The authorization world (tests/authz/world.py) plus what only the GraphQL paths reach.

On top of the nine actors and their objects (agreements and reports in every state, products,
orders, a demand): enterprise 甲 made state-owned (so it keeps a reserved share); private village
data in 平陆县; a village, an enterprise and an active agreement with a report in 芮城县 (the other
county); a pending cooperative; an API token per signed-in actor.
"""

from dataclasses import dataclass, field

from sqlmodel import Session

from app.models import Enterprise, OutcomeReport, User, Village
from app.models.enums import AgreementStatus, EnterpriseKind, RegistrationStatus, ReportStatus
from app.services import api_tokens
from tests.authz.world import World, build_world
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_enterprise,
    make_township,
    make_village,
    valid_credit_code,
)

# Below the factories' generated range (200–999), so never taken by another village.
OTHER_VILLAGE_CODE = "140830100199"


@dataclass
class GraphQLWorld:
    world: World
    tokens: dict[str, str] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def build_graphql_world(session: Session) -> GraphQLWorld:
    world = build_world(session)
    # A state-owned buyer, so that it may set a reserved share (预留份额).
    session.get(Enterprise, world.enterprise_a).kind = EnterpriseKind.state_owned
    village = session.get(Village, world.village_id)
    village.contact_name, village.contact_phone = "王支书", "13900000001"
    village.monitored_households = 7

    township = make_township(session, code="140830100", name="古魏镇", county_code="140830")
    other_village = make_village(
        session,
        code=OTHER_VILLAGE_CODE,
        name="芮城测试村",
        township_code=township.code,
        county_code="140830",
        contact_name="李主任",
        contact_phone="13900000002",
        key_village=True,
    )
    other_enterprise = make_enterprise(
        session,
        name="芮城丙企业",
        county_code="140830",
        credit_code=valid_credit_code("91140830"),
        contact_name="赵经理",
        contact_phone="13900000003",
    )
    other_agreement = make_agreement(
        session, enterprise=other_enterprise, village=other_village, status=AgreementStatus.active
    )
    other_report = OutcomeReport(
        agreement_id=other_agreement.id, year=2026, quarter=1, status=ReportStatus.confirmed
    )
    session.add(other_report)
    pending_cooperative = make_cooperative(
        session, village=village, name="待审合作社", status=RegistrationStatus.pending
    )
    session.flush()

    tokens, token_ids = {}, {}
    for name, actor in world.actors.items():
        if actor.user_id is not None:
            token, raw = api_tokens.create_api_token(session=session, actor=actor, name="测试")
            tokens[name] = raw
            token_ids[name] = token.id
    session.flush()
    ids = {
        "village": world.village_id,
        "need": world.need_id,
        "proposal": world.proposal_id,
        "active_agreement": world.active_id,
        "submitted_report": world.submitted_report_id,
        "other_village": other_village.id,
        "other_enterprise": other_enterprise.id,
        "other_agreement": other_agreement.id,
        "other_report": other_report.id,
        "pending_cooperative": pending_cooperative.id,
        "pending_enterprise": session.get(User, world.pending_user_id).enterprise_id,
        "listed_product": world.trade["product"],
        "draft_product": world.trade["draft_product"],
        "demand": world.trade["demand"],
        "order": world.trade["order_placed"],
        "application": world.trade["application"],
        "image": world.trade["image"],
        "returned_report": world.returned_report_id,
    }
    # The versions edits must carry: the set-up above changed the village and enterprise A.
    versions = {
        "village_version": village.version,
        "enterprise_a_version": session.get(Enterprise, world.enterprise_a).version,
    }
    return GraphQLWorld(world=world, tokens=tokens, token_ids=token_ids, ids=ids | versions)
