"""The agreement lifecycle through GraphQL: each party's step, Chinese errors in the payload,
conflicts on a stale version, and nothing written when a step is refused."""

from datetime import date

import pytest

from app.models import Enterprise, Village
from app.models.enums import AgreementStatus
from tests.factories import make_agreement
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts

STEP = """mutation($i: %s!) {
  %s(input: $i) {
    agreement { status statusReason version signedAt filedAt endedAt }
    errors { field code message }
  }
}"""


def step(client, mutation: str, input_type: str, key: str, *, actor: str, **extra) -> dict:
    agreement_id = getattr(client.world.world, key)
    input_ = {"agreementId": gid("PairingAgreement", agreement_id), "expectedVersion": 1} | extra
    return payload(client, STEP % (input_type, mutation), input_, actor=actor)


def test_the_village_signs_and_the_bureau_files(gql_writer):
    before = row_counts(gql_writer.database)
    signed = step(gql_writer, "signAgreement", "AgreementStepInput", "proposal_id", actor="village")
    assert signed["errors"] == []
    assert (signed["agreement"]["status"], signed["agreement"]["version"]) == ("SIGNED", 2)
    assert signed["agreement"]["signedAt"].endswith("+08:00")
    filed = payload(
        gql_writer,
        STEP % ("AgreementStepInput", "fileAgreement"),
        {
            "agreementId": gid("PairingAgreement", gql_writer.world.world.proposal_id),
            "expectedVersion": 2,
        },
        actor="bureau_county",
    )
    assert filed["errors"] == []
    assert (filed["agreement"]["status"], filed["agreement"]["version"]) == ("ACTIVE", 3)
    assert filed["agreement"]["filedAt"] is not None
    after = row_counts(gql_writer.database)
    assert after["events"] == before["events"] + 2


def test_a_second_step_on_the_same_version_is_a_conflict_and_writes_nothing(gql_writer):
    first = step(gql_writer, "signAgreement", "AgreementStepInput", "proposal_id", actor="village")
    assert first["errors"] == []
    before = row_counts(gql_writer.database)
    again = step(
        gql_writer, "declineAgreement", "AgreementReasonInput", "proposal_id", actor="village"
    )
    assert again["agreement"] is None
    assert errors_of(again) == [(None, "stale_version", "该协议已被他人修改，请刷新后再试")]
    assert row_counts(gql_writer.database) == before


@pytest.mark.parametrize(
    ("mutation", "input_type", "key", "actor", "extra", "errors"),
    [
        (
            "terminateAgreement",
            "AgreementReasonInput",
            "active_id",
            "enterprise_b",
            {"reason": "  "},
            [("reason", "reason_required", "请填写终止原因")],
        ),
        (
            "declineAgreement",
            "AgreementReasonInput",
            "proposal_id",
            "village",
            {"reason": "因" * 501},
            [("reason", "reason_too_long", "原因不能超过 500 个字符")],
        ),
        (
            "fileAgreement",
            "AgreementStepInput",
            "active_id",
            "bureau_county",
            {},
            [(None, "invalid_state", "协议当前为“履行中”，不能备案")],
        ),
        (
            "withdrawAgreement",
            "AgreementReasonInput",
            "proposal_id",
            "enterprise_b",
            {},
            [(None, "permission_denied", "您没有权限执行此操作")],
        ),
    ],
)
def test_refused_steps_say_why_in_chinese_and_write_nothing(
    gql_writer, mutation, input_type, key, actor, extra, errors
):
    before = row_counts(gql_writer.database)
    result = step(gql_writer, mutation, input_type, key, actor=actor, **extra)
    assert result["agreement"] is None
    assert errors_of(result) == errors
    assert row_counts(gql_writer.database) == before


def test_a_malformed_id_is_a_payload_error(gql_writer):
    result = payload(
        gql_writer,
        STEP % ("AgreementStepInput", "signAgreement"),
        {"agreementId": gid("Village", 1), "expectedVersion": 1},
        actor="village",
    )
    assert errors_of(result) == [("agreementId", "invalid_id", "编号无效，请使用查询结果中的 id")]


def test_terminate_decline_withdraw_and_complete_keep_their_reasons(gql_writer):
    ended = step(
        gql_writer,
        "terminateAgreement",
        "AgreementReasonInput",
        "active_id",
        actor="village",
        reason="企业搬迁",
    )["agreement"]
    assert (ended["status"], ended["statusReason"]) == ("TERMINATED", "企业搬迁")
    assert ended["endedAt"] is not None
    withdrawn = step(
        gql_writer,
        "withdrawAgreement",
        "AgreementReasonInput",
        "proposal_id",
        actor="enterprise_a",
        reason="调整计划",
    )["agreement"]
    assert (withdrawn["status"], withdrawn["statusReason"]) == ("WITHDRAWN", "调整计划")
    completed = step(
        gql_writer, "completeAgreement", "AgreementStepInput", "ended_id", actor="bureau_city"
    )
    assert (completed["errors"], completed["agreement"]["status"]) == ([], "COMPLETED")


def test_overdue_agreements_are_flagged_and_filtered(gql_writer):
    world = gql_writer.world.world
    with gql_writer.database.unit_of_work() as session:
        late_one = make_agreement(
            session,
            enterprise=session.get(Enterprise, world.enterprise_a),
            village=session.get(Village, world.spare_village_id),
            status=AgreementStatus.active,
            start_on=date(2024, 1, 1),
            end_on=date(2099, 12, 31),
        ).number
    query = """query($overdue: Boolean) {
      agreements(first: 100, filter: {countyCode: "140829", overdue: $overdue}) {
        nodes { number overdue }
      }
    }"""

    def numbers(overdue):
        nodes = gql_writer.data(query, {"overdue": overdue}, actor="bureau_county")
        return {n["number"]: n["overdue"] for n in nodes["agreements"]["nodes"]}

    late, on_time, every = numbers(True), numbers(False), numbers(None)
    # Never reported since 2024: overdue whatever today is.
    assert late[late_one] is True
    assert set(late.values()) == {True}
    assert set(on_time.values()) == {False}
    assert late | on_time == every
    # Seven: the world's draft and returned agreements (decision 0031) are neither overdue.
    assert len(every) == len(late) + len(on_time) == 7
