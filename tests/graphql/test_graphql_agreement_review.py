"""GraphQL: returning a signed agreement at filing and accepting a planned draft (decision 0031)."""

from tests.graphql.payload_checks import errors_of, gid, row_counts

RETURN = """mutation($i: AgreementReasonInput!) { returnAgreement(input: $i) {
    agreement { status version statusReason } errors { field code message } } }"""
RESUBMIT = """mutation($i: AgreementStepInput!) { resubmitAgreement(input: $i) {
    agreement { status version } errors { field code message } } }"""
ACCEPT = """mutation($i: AgreementStepInput!) { acceptAgreementDraft(input: $i) {
    agreement { status version } errors { field code message } } }"""
REVISE = """mutation($i: ReviseProposalInput!) { reviseProposal(input: $i) {
    agreement { version } errors { field code message } } }"""
REFUSE = """mutation($i: AgreementReasonInput!) { refuseAgreementDraft(input: $i) {
    agreement { status } errors { field code message } } }"""


def test_return_needs_a_reason_then_the_enterprise_resubmits(gql_writer):
    world = gql_writer.world.world
    signed = gid("PairingAgreement", world.signed_id)
    before = row_counts(gql_writer.database)
    refused = gql_writer.data(
        RETURN, {"i": {"agreementId": signed, "expectedVersion": 1}}, actor="bureau_county"
    )["returnAgreement"]
    assert errors_of(refused) == [("reason", "reason_required", "请填写退回修改原因")]
    assert row_counts(gql_writer.database) == before
    returned = gql_writer.data(
        RETURN,
        {"i": {"agreementId": signed, "expectedVersion": 1, "reason": "缺少签字页"}},
        actor="bureau_county",
    )["returnAgreement"]
    assert returned == {
        "agreement": {"status": "RETURNED", "version": 2, "statusReason": "缺少签字页"},
        "errors": [],
    }
    # It was signed committing nothing: the commitment rule holds at resubmission.
    empty = gql_writer.data(
        RESUBMIT, {"i": {"agreementId": signed, "expectedVersion": 2}}, actor="enterprise_a"
    )["resubmitAgreement"]
    assert [code for _field, code, _message in errors_of(empty)] == ["commitments_invalid"]
    revised = gql_writer.data(
        REVISE,
        {
            "i": {
                "agreementId": signed,
                "expectedVersion": 2,
                "helpKinds": ["INDUSTRY"],
                "startOn": "2026-01-01",
                "endOn": "2028-12-31",
                "commitFundingBusiness": "1000",
            }
        },
        actor="enterprise_a",
    )["reviseProposal"]
    assert revised["errors"] == []
    resubmitted = gql_writer.data(
        RESUBMIT, {"i": {"agreementId": signed, "expectedVersion": 3}}, actor="enterprise_a"
    )["resubmitAgreement"]
    assert resubmitted == {"agreement": {"status": "PROPOSED", "version": 4}, "errors": []}


def test_a_draft_is_accepted_by_its_enterprise_or_refused(gql_writer):
    world = gql_writer.world.world
    draft = gid("PairingAgreement", world.draft_id)
    denied = gql_writer.data(
        ACCEPT, {"i": {"agreementId": draft, "expectedVersion": 1}}, actor="enterprise_a"
    )["acceptAgreementDraft"]
    assert [code for _field, code, _message in errors_of(denied)] == ["permission_denied"]
    accepted = gql_writer.data(
        ACCEPT, {"i": {"agreementId": draft, "expectedVersion": 1}}, actor="enterprise_b"
    )["acceptAgreementDraft"]
    assert accepted == {"agreement": {"status": "PROPOSED", "version": 2}, "errors": []}
    late = gql_writer.data(
        REFUSE, {"i": {"agreementId": draft, "expectedVersion": 2}}, actor="enterprise_b"
    )["refuseAgreementDraft"]
    assert errors_of(late) == [(None, "invalid_state", "协议当前为“待签约”，不能谢绝结对")]
