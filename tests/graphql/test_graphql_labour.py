"""劳务协作 over GraphQL: publish a group and a posting, match them, apply, hire, and read the
jobs the hire recorded for the agreement; errors are payload data."""

from app.schema.node import global_id_of
from tests.graphql.payload_checks import errors_of, payload

SUPPLY = """mutation($i: PublishLabourSupplyInput!) { publishLabourSupply(input: $i) {
  supply { id headCount availableMonths version } errors { field code message } } }"""
POSTING = """mutation($i: PublishJobPostingInput!) { publishJobPosting(input: $i) {
  posting { id wageMin kind version } errors { field code message } } }"""
APPLY = """mutation($i: ApplyForJobInput!) { applyForJob(input: $i) {
  application { id status version } errors { field code message } } }"""
STEP = """mutation($i: LabourApplicationStepInput!) { takeLabourApplicationStep(input: $i) {
  application { id status hiredCount countsForAgreement retainedCheckDue version }
  errors { field code message } } }"""
MATCHES = """query($s: ID!) { postingsForSupply(supplyId: $s) { score posting { id }
  reasons { points text } } }"""
RECORDED = "query($a: ID!) { agreementRecordedJobs(agreementId: $a) }"

POSTING_INPUT = {
    "title": "苹果分拣工",
    "townshipCode": "140829100",
    "wageMinFen": 300000,
    "wageMaxFen": 450000,
    "startMonth": 9,
    "termMonths": 3,
    "headCount": 20,
    "kind": "WORKSHOP",
    "skills": "分拣",
}


def test_publish_match_apply_and_hire(gql_writer):
    client = gql_writer
    supply = payload(
        client,
        SUPPLY,
        {
            "title": "采摘季务工组",
            "headCount": 12,
            "availableMonths": [9, 10, 11],
            "skills": "分拣",
        },
        actor="village",
    )
    assert supply["errors"] == []
    assert supply["supply"]["availableMonths"] == [9, 10, 11]
    posting = payload(client, POSTING, POSTING_INPUT, actor="enterprise_b")
    assert posting["errors"] == [] and posting["posting"]["wageMin"] == "3000.00"
    matches = client.data(MATCHES, {"s": supply["supply"]["id"]}, actor="village")
    (match,) = matches["postingsForSupply"]
    assert "技能匹配：分拣" in [r["text"] for r in match["reasons"]]
    applied = payload(
        client,
        APPLY,
        {
            "postingId": posting["posting"]["id"],
            "supplyId": supply["supply"]["id"],
            "headCount": 10,
        },
        actor="village",
    )
    assert applied["errors"] == []
    step = {"applicationId": applied["application"]["id"], "expectedVersion": 1}
    refused = payload(client, STEP, step | {"action": "hire"}, actor="enterprise_a")
    assert errors_of(refused)[0][1] == "permission_denied"
    hired = payload(
        client,
        STEP,
        step | {"action": "hire", "hiredCount": 8, "hiredOn": "2026-11-30"},
        actor="enterprise_b",
    )
    assert hired["errors"] == []
    assert hired["application"]["status"] == "hired"
    assert hired["application"]["countsForAgreement"] is True
    assert hired["application"]["retainedCheckDue"] == "2027-02-28"
    agreement = global_id_of("PairingAgreement", client.world.world.active_id)
    assert client.data(RECORDED, {"a": agreement}, actor="enterprise_b") == {
        "agreementRecordedJobs": 8
    }
    assert client.data(RECORDED, {"a": agreement}, actor="enterprise_a") == {
        "agreementRecordedJobs": None
    }


def test_bad_input_is_a_payload_error(gql_writer):
    bad = payload(gql_writer, POSTING, POSTING_INPUT | {"wageMinFen": 500000}, actor="enterprise_a")
    assert bad["posting"] is None
    assert errors_of(bad) == [(None, "value_error", "最低月薪不能高于最高月薪")]
    denied = payload(gql_writer, POSTING, POSTING_INPUT, actor="village")
    assert errors_of(denied)[0][1] == "permission_denied"


FIGURES = "{ labourFigures { countyCode month postings hires nearbyShare stableRate } }"


def test_the_bureau_reads_its_figures_and_others_none(gql_writer):
    payload(gql_writer, POSTING, POSTING_INPUT, actor="enterprise_b")
    rows = gql_writer.data(FIGURES, actor="bureau_county")["labourFigures"]
    assert [(r["countyCode"], r["postings"], r["hires"]) for r in rows] == [("140829", 1, 0)]
    assert rows[0]["nearbyShare"] is None
    assert gql_writer.data(FIGURES, actor="bureau_other_county") == {"labourFigures": []}
    assert gql_writer.data(FIGURES, actor="enterprise_b") == {"labourFigures": []}
