"""Correcting a verified report through GraphQL (correctReport): a new version, the earlier one
kept, the review run again; refusals are Chinese errors in the payload with nothing written."""

from tests.graphql.payload_checks import errors_of, gid, payload, row_counts

CORRECT = """mutation($i: CorrectReportInput!) {
  correctReport(input: $i) {
    report { status version revision actualJobs reviewFlags }
    errors { field code message }
  }
}"""


def _input(client, **overrides) -> dict:
    report_id = client.world.world.verified_report_id
    return {
        "reportId": gid("OutcomeReport", report_id),
        "expectedVersion": 1,
        "actualJobs": 12,
        "narrative": "更正：本季度实际带动 12 名脱贫群众就业。",
        "reason": "就业人数按花名册更正",
    } | overrides


def test_a_correction_is_a_new_version_back_at_the_village(gql_writer):
    result = payload(gql_writer, CORRECT, _input(gql_writer), actor="enterprise_b")
    assert result == {
        "report": {
            "status": "SUBMITTED",
            "version": 2,
            "revision": 2,
            "actualJobs": 12,
            "reviewFlags": [],
        },
        "errors": [],
    }
    counts = row_counts(gql_writer.database)
    assert counts["report_revisions"] == 1


def test_a_correction_without_a_reason_or_by_the_village_writes_nothing(gql_writer):
    before = row_counts(gql_writer.database)
    no_reason = payload(gql_writer, CORRECT, _input(gql_writer, reason=" "), actor="enterprise_b")
    assert errors_of(no_reason) == [("reason", "reason_required", "请填写更正原因")]
    village = payload(gql_writer, CORRECT, _input(gql_writer), actor="village")
    assert [e["code"] for e in village["errors"]] == ["permission_denied"]
    assert row_counts(gql_writer.database) == before
