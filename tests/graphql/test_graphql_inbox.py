"""GraphQL: inbox, notifications, markNotificationsRead, disclosure, fileObjection and
resolveObjection, in the API's payload shape."""

import sqlalchemy as sa
from sqlmodel import select

from app.models import CertificationApplication, CertificationObjection, Notification
from app.models.enums import CertificationStatus, ObjectionStatus
from app.services import certification
from app.services.clock import today
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts

INBOX = "{ inbox { count groups { key label count items { title link } } } }"
NOTIFICATIONS = """query($unread: Boolean!) {
  notifications(unreadOnly: $unread) { total unread page items { id kind title link readAt } }
}"""
MARK = """mutation($i: MarkNotificationsReadInput!) {
  markNotificationsRead(input: $i) { count errors { field code message } }
}"""
FILE = """mutation($i: FileObjectionInput!) {
  fileObjection(input: $i) { objection { status filedAt } errors { field code message } }
}"""
RESOLVE = """mutation($i: ResolveObjectionInput!) {
  resolveObjection(input: $i) {
    objection { status resolution application { status } }
    errors { field code message }
  }
}"""
DISCLOSURE = """{ disclosure {
  pairingCounts { code name count }
  productsOnNotice { product cooperative expiresOn applicationId }
  certifiedProducts { total items { product } }
  verifiedOutcomes { county year quarter reports jobs funding }
} }"""


def test_inbox_per_role(gql):
    village = gql.data(INBOX, actor="village")["inbox"]
    groups = {g["key"]: g for g in village["groups"]}
    proposal = gql.world.world.proposal_id
    assert groups["proposals_to_sign"]["count"] == 1
    assert groups["proposals_to_sign"]["items"][0]["link"] == f"/agreements/{proposal}"
    assert village["count"] == sum(g["count"] for g in village["groups"])
    cooperative = gql.data(INBOX, actor="cooperative")["inbox"]
    counts = {g["key"]: g["count"] for g in cooperative["groups"]}
    assert counts == {
        "orders_to_confirm": 1,
        "orders_to_ship": 1,
        "labour_applications_cooperative": 0,
    }
    bureau = {
        g["key"]: g["count"] for g in gql.data(INBOX, actor="bureau_county")["inbox"]["groups"]
    }
    assert bureau["certifications"] == 1
    assert gql.data(INBOX, actor="admin")["inbox"] == {"count": 0, "groups": []}
    refused = gql.run(INBOX)
    assert refused["errors"][0]["message"] == "请先登录（或使用接口令牌）"


GROUP = """query($key: String!, $page: Int!) {
  inboxGroup(key: $key, page: $page) { key count page pages items { link } }
}"""


def test_one_kind_of_to_do_a_page_at_a_time(gql):
    found = gql.data(GROUP, {"key": "proposals_to_sign", "page": 3}, actor="village")
    group = found["inboxGroup"]
    assert (group["key"], group["count"], group["page"], group["pages"]) == (
        "proposals_to_sign",
        1,
        1,
        1,
    )
    assert len(group["items"]) == 1
    assert gql.data(GROUP, {"key": "filings", "page": 1}, actor="village")["inboxGroup"] is None


def test_notifications_and_mark_read(gql_writer):
    listed = gql_writer.data(NOTIFICATIONS, {"unread": False}, actor="village")["notifications"]
    assert (listed["total"], listed["unread"], listed["page"]) == (1, 1, 1)
    [note] = listed["items"]
    assert (note["kind"], note["title"], note["readAt"]) == (
        "agreement.propose",
        "收到新的结对帮扶提议",
        None,
    )
    other = payload(gql_writer, MARK, {"ids": [note["id"]]}, actor="enterprise_a")
    assert errors_of(other) == [("ids", "not_found", "消息不存在")]
    bad = payload(gql_writer, MARK, {"ids": [gid("Order", 1)]}, actor="village")
    assert errors_of(bad) == [("ids", "invalid_id", "编号无效，请使用查询结果中的 id")]
    done = payload(gql_writer, MARK, {"ids": [note["id"]]}, actor="village")
    assert (done["count"], done["errors"]) == (1, [])
    unread = gql_writer.data(NOTIFICATIONS, {"unread": True}, actor="village")["notifications"]
    assert (unread["total"], unread["unread"]) == (0, 0)
    everything = payload(gql_writer, MARK, {}, actor="village")
    assert everything == {"count": 0, "errors": []}
    node = gql_writer.data(
        "query($id: ID!) { node(id: $id) { ... on Notification { title } } }",
        {"id": note["id"]},
        actor="enterprise_a",
    )
    assert node == {"node": None}


def test_objection_filed_by_anyone_and_resolved_by_the_bureau(gql_writer):
    world = gql_writer.world.world
    application_id = gid("CertificationApplication", world.trade["application"])
    with gql_writer.database.unit_of_work() as session:
        certification.approve_certification(
            session=session,
            actor=world.actors["bureau_county"],
            application_id=world.trade["application"],
            data={"expires_on": today().replace(year=today().year + 1, day=1)},
        )
    notices = gql_writer.data(DISCLOSURE)["disclosure"]["productsOnNotice"]
    assert [n["applicationId"] for n in notices] == [application_id]
    before = row_counts(gql_writer.database)
    short = payload(
        gql_writer, FILE, {"applicationId": application_id, "reason": "不好"}, actor="anonymous"
    )
    assert errors_of(short) == [("reason", "string_too_short", "异议理由至少 5 个字符")]
    assert row_counts(gql_writer.database) == before
    filed = payload(
        gql_writer,
        FILE,
        {"applicationId": application_id, "reason": "产地与申报不符。", "filerName": "钱某"},
        actor="anonymous",
    )
    assert (filed["objection"]["status"], filed["errors"]) == ("OPEN", [])
    with gql_writer.database.read_only() as session:
        objection = session.exec(select(CertificationObjection)).one()
    objection_id = gid("CertificationObjection", objection.id)
    queue = gql_writer.data(
        "{ certificationObjections { id reason filerName } }", actor="bureau_county"
    )["certificationObjections"]
    assert queue == [{"id": objection_id, "reason": "产地与申报不符。", "filerName": "钱某"}]
    hidden = gql_writer.data("{ certificationObjections { id } }", actor="bureau_other_county")
    assert hidden == {"certificationObjections": []}
    decision = {"objectionId": objection_id, "decision": "UPHELD", "resolution": "核查属实"}
    denied = payload(gql_writer, RESOLVE, decision, actor="cooperative")
    assert errors_of(denied) == [(None, "permission_denied", "您没有权限执行此操作")]
    resolved = payload(gql_writer, RESOLVE, decision, actor="bureau_county")
    assert resolved == {
        "objection": {
            "status": "UPHELD",
            "resolution": "核查属实",
            "application": {"status": "REJECTED"},
        },
        "errors": [],
    }
    with gql_writer.database.read_only() as session:
        application = session.get(CertificationApplication, world.trade["application"])
        assert application.status == CertificationStatus.rejected
        assert session.get(CertificationObjection, objection.id).status == ObjectionStatus.upheld
        kinds = session.exec(select(Notification.kind).order_by(Notification.id)).all()
    assert kinds[-3:] == ["objection.file", "objection.resolve", "certification.refuse"]


def test_disclosure_is_public_and_shows_only_verified_outcomes(gql, world_db):
    with world_db.read_only() as session:
        rows = session.execute(
            sa.text(
                "SELECT v.county_code, count(*) FROM pairing_agreements a"
                " JOIN villages v ON v.id = a.village_id WHERE a.status = 'active'"
                " GROUP BY v.county_code"
            )
        ).all()
        verified = session.execute(
            sa.text("SELECT count(*) FROM outcome_reports WHERE status = 'verified'")
        ).scalar_one()
    data = gql.data(DISCLOSURE)["disclosure"]
    counts = {c["code"]: c["count"] for c in data["pairingCounts"]}
    assert counts == dict(rows)
    assert data["productsOnNotice"] == []
    assert sum(o["reports"] for o in data["verifiedOutcomes"]) == verified
    pairings = gql.data(
        '{ disclosure { pairings(countyCode: "140830") '
        "{ total items { enterprise village helpKinds } } } }"
    )["disclosure"]["pairings"]
    assert pairings == {
        "total": 1,
        "items": [{"enterprise": "芮城丙企业", "village": "芮城测试村", "helpKinds": ["INDUSTRY"]}],
    }
