"""催报 and 免报 through GraphQL, and an agreement's figures and follow-up fields."""

from app.services.pairing.periods import last_due_quarter, local_today
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts

REMIND = """mutation($i: RemindReportsInput!) {
  remindReports(input: $i) { reminders { period sentAt } errors { field code message } }
}"""
BULK = """mutation($i: RemindOverdueInput!) {
  remindOverdue(input: $i) { reminders { period agreement { number } } errors { code message } }
}"""
WAIVE = """mutation($i: WaiveReportInput!) {
  waiveReport(input: $i) { waiver { period reason } errors { field code message } }
}"""
AGREEMENT = """query($id: ID!) { node(id: $id) { ... on PairingAgreement {
  overdue missingQuarters lastRemindedAt waivedQuarters { period reason }
  figures { indicator label committed actual ratio }
} } }"""


def _active(client) -> str:
    return gid("PairingAgreement", client.world.world.active_id)


def test_the_bureau_waives_a_quarter_and_the_agreement_shows_it(gql_writer):
    agreement = _active(gql_writer)
    refused = payload(
        gql_writer,
        WAIVE,
        {"agreementId": agreement, "period": "2027Q4", "reason": "企业注销"},
        actor="bureau_other_county",
    )
    assert refused["waiver"] is None
    before = row_counts(gql_writer.database)
    blank = payload(
        gql_writer,
        WAIVE,
        {"agreementId": agreement, "period": "2027Q4", "reason": ""},
        actor="bureau_county",
    )
    assert errors_of(blank) == [("reason", "reason_required", "请填写免报原因")]
    assert row_counts(gql_writer.database) == before
    done = payload(
        gql_writer,
        WAIVE,
        {"agreementId": agreement, "period": "2027Q4", "reason": "企业注销"},
        actor="bureau_county",
    )
    assert done == {"waiver": {"period": "2027Q4", "reason": "企业注销"}, "errors": []}
    node = gql_writer.data(AGREEMENT, {"id": agreement}, actor="bureau_county")["node"]
    assert node["waivedQuarters"] == [{"period": "2027Q4", "reason": "企业注销"}]
    assert node["overdue"] is bool(node["missingQuarters"])
    assert node["lastRemindedAt"] is None
    assert [f["indicator"] for f in node["figures"]] == [
        "fundingBusiness",
        "fundingWelfare",
        "jobs",
        "trainees",
        "purchase",
        "beneficiaries",
    ]


def test_reminders_for_the_missing_quarters_only(gql_writer):
    agreement = _active(gql_writer)
    # The world's active agreement reported 2026Q1–Q3; later quarters are missing once due.
    due = last_due_quarter(local_today())
    expected = []
    quarter = due.__class__(2026, 4)
    while quarter <= min(due, due.__class__(2027, 4)):
        expected.append(quarter.period)
        quarter = quarter.next()
    result = payload(gql_writer, REMIND, {"agreementId": agreement}, actor="bureau_county")
    if expected:
        assert [r["period"] for r in result["reminders"]] == expected
    else:
        assert errors_of(result) == [
            (None, "nothing_overdue", "该协议没有逾期未报的季度，无需催报")
        ]
    denied = payload(gql_writer, REMIND, {"agreementId": agreement}, actor="enterprise_b")
    assert denied["reminders"] is None and denied["errors"]
    other = payload(gql_writer, BULK, {"agreementIds": [agreement]}, actor="bureau_other_county")
    assert other["reminders"] is None and other["errors"]
