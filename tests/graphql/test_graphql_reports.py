"""Outcome reports through GraphQL: evidence files as base64 with the form's limits, the review
steps, and Chinese errors with nothing written on refusal."""

import base64
from datetime import date

import pytest

from app.services.pairing.evidence import MAX_FILE_BYTES
from tests.authz.pairing_world import PDF
from tests.graphql.payload_checks import errors_of, gid, payload, row_counts
from tests.image_factories import metadata_of, photo_with_gps

SUBMIT = """mutation($i: SubmitReportInput!) {
  submitReport(input: $i) {
    report {
      period status actualPurchase actualJobs narrative version
      evidence { filename contentType sizeBytes sha256 url }
      agreement { number }
    }
    errors { field code message }
  }
}"""
NARRATIVE = "本季度采购苹果 2 万斤，带动 6 户脱贫户增收。"


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


def submit_input(client, **overrides) -> dict:
    return {
        "agreementId": gid("PairingAgreement", client.world.world.active_id),
        "period": "2026Q4",
        "actualPurchase": "80000.50",
        "actualJobs": 6,
        "narrative": NARRATIVE,
        "evidence": [{"filename": "发票.pdf", "contentBase64": encoded(PDF)}],
    } | overrides


def test_submit_with_evidence_that_the_parties_can_download(gql_writer, today_is):
    today_is(date(2027, 1, 10))  # 2026Q4 has ended
    before = row_counts(gql_writer.database)
    result = payload(gql_writer, SUBMIT, submit_input(gql_writer), actor="enterprise_b")
    assert result["errors"] == []
    report = result["report"]
    assert (report["period"], report["status"], report["actualPurchase"]) == (
        "2026Q4",
        "SUBMITTED",
        "80000.50",
    )
    (evidence,) = report["evidence"]
    assert (evidence["filename"], evidence["contentType"], evidence["sizeBytes"]) == (
        "发票.pdf",
        "application/pdf",
        len(PDF),
    )
    after = row_counts(gql_writer.database)
    assert after["report_evidence"] == before["report_evidence"] + 1
    assert after["outcome_reports"] == before["outcome_reports"] + 1
    token = gql_writer.world.tokens["village"]
    download = gql_writer.http.get(evidence["url"], headers={"Authorization": f"Bearer {token}"})
    assert (download.status_code, download.content) == (200, PDF)
    outsider = gql_writer.world.tokens["enterprise_a"]
    refused = gql_writer.http.get(evidence["url"], headers={"Authorization": f"Bearer {outsider}"})
    assert refused.status_code in (403, 404)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"evidence": [{"filename": "说明.txt", "contentBase64": encoded(b"hello")}]},
            [("evidence", "evidence_invalid", "文件“说明.txt”不是 PDF、JPG 或 PNG 文件")],
        ),
        (
            {"evidence": [{"filename": "发票.pdf", "contentBase64": "不是base64!"}]},
            [("evidence", "base64_invalid", "文件内容应为 base64 编码的文本")],
        ),
        (
            {
                "evidence": [
                    {"filename": "大.pdf", "contentBase64": "A" * (MAX_FILE_BYTES // 3 * 4 + 1000)}
                ]
            },
            [("evidence", "file_too_large", "文件不能超过 5 MB")],
        ),
        (
            {
                "evidence": [
                    {"filename": "大.pdf", "contentBase64": encoded(PDF + b"0" * MAX_FILE_BYTES)}
                ]
            },
            [("evidence", "evidence_invalid", "文件“大.pdf”超过 5 MB")],
        ),
        (
            {"narrative": "太短", "actualPurchase": "1.234"},
            [
                ("actualPurchase", "value_error", "采购帮销金额最多保留两位小数（精确到分）"),
                ("narrative", "string_too_short", "帮扶成效说明至少 10 个字符"),
            ],
        ),
        (
            {"period": "2026Q1"},
            [(None, "duplicate_report", "2026年第1季度的成效报告已经提交，请勿重复提交")],
        ),
        (
            {"period": "2030Q1"},
            [
                (
                    "period",
                    "period_invalid",
                    "2030年第1季度不在协议期（2026年1月1日 至 2027年12月31日）内",
                )
            ],
        ),
    ],
)
def test_refused_submissions_write_nothing(gql_writer, overrides, errors):
    before = row_counts(gql_writer.database)
    result = payload(
        gql_writer, SUBMIT, submit_input(gql_writer, **overrides), actor="enterprise_b"
    )
    assert result["report"] is None
    assert errors_of(result) == errors
    assert row_counts(gql_writer.database) == before


STEP = """mutation($i: %s!) {
  %s(input: $i) { report { status version returnComment } errors { field code message } }
}"""


def report_step(client, mutation, input_type, key, *, actor, version=1, **extra) -> dict:
    report_id = getattr(client.world.world, key)
    input_ = {"reportId": gid("OutcomeReport", report_id), "expectedVersion": version} | extra
    return payload(client, STEP % (input_type, mutation), input_, actor=actor)


def test_the_village_confirms_and_the_bureau_verifies(gql_writer):
    confirmed = report_step(
        gql_writer, "confirmReport", "ReportStepInput", "submitted_report_id", actor="village"
    )
    assert confirmed == {
        "report": {"status": "CONFIRMED", "version": 2, "returnComment": ""},
        "errors": [],
    }
    verified = report_step(
        gql_writer,
        "verifyReport",
        "ReportStepInput",
        "submitted_report_id",
        actor="bureau_county",
        version=2,
    )
    assert verified["report"]["status"] == "VERIFIED"
    stale = report_step(
        gql_writer, "verifyReport", "ReportStepInput", "confirmed_report_id", actor="bureau_county"
    )
    assert stale["errors"] == []
    again = report_step(
        gql_writer, "verifyReport", "ReportStepInput", "confirmed_report_id", actor="bureau_county"
    )
    assert errors_of(again) == [(None, "stale_version", "该报告已被他人处理，请刷新后再试")]


def test_return_needs_a_comment_and_resubmit_adds_evidence(gql_writer):
    before = row_counts(gql_writer.database)
    refused = report_step(
        gql_writer,
        "returnReport",
        "ReturnReportInput",
        "submitted_report_id",
        actor="village",
        comment=" ",
    )
    assert errors_of(refused) == [("comment", "comment_required", "请填写退回意见")]
    assert row_counts(gql_writer.database) == before
    returned = report_step(
        gql_writer,
        "returnReport",
        "ReturnReportInput",
        "submitted_report_id",
        actor="village",
        comment="金额与发票不符",
    )
    assert returned["report"] == {
        "status": "RETURNED",
        "version": 2,
        "returnComment": "金额与发票不符",
    }
    resubmit = """mutation($i: ResubmitReportInput!) {
      resubmitReport(input: $i) {
        report { status actualPurchase returnComment evidence { filename } }
        errors { field code message }
      }
    }"""
    result = payload(
        gql_writer,
        resubmit,
        {
            "reportId": gid("OutcomeReport", gql_writer.world.world.submitted_report_id),
            "expectedVersion": 2,
            "actualPurchase": "1200",
            "narrative": NARRATIVE,
            "evidence": [{"filename": "补充.pdf", "contentBase64": encoded(PDF)}],
        },
        actor="enterprise_b",
    )
    assert result["errors"] == []
    assert result["report"] == {
        "status": "SUBMITTED",
        "actualPurchase": "1200.00",
        "returnComment": "",
        "evidence": [{"filename": "协议.pdf"}, {"filename": "补充.pdf"}],
    }


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_an_evidence_photo_sent_as_base64_loses_its_gps_position(
    gql_writer, image_format, today_is
):
    today_is(date(2027, 1, 10))  # 2026Q4 has ended
    photo = {"filename": "现场.jpg", "contentBase64": encoded(photo_with_gps(image_format))}
    result = payload(
        gql_writer, SUBMIT, submit_input(gql_writer, evidence=[photo]), actor="enterprise_b"
    )
    assert result["errors"] == []
    (evidence,) = result["report"]["evidence"]
    token = gql_writer.world.tokens["village"]
    download = gql_writer.http.get(evidence["url"], headers={"Authorization": f"Bearer {token}"})
    assert download.status_code == 200
    assert metadata_of(download.content) == {"exif": {}, "info": {}}
    assert evidence["sizeBytes"] == len(download.content)
