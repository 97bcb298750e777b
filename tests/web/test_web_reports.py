"""Outcome-report pages: submitting with evidence, reviewing, and evidence served only to those allowed."""

import pytest
from sqlmodel import select

from app.models import OutcomeReport, ReportEvidence
from app.models.enums import ReportStatus
from tests.image_factories import jpeg_bytes, metadata_of, photo_with_gps, png_bytes
from tests.web.conftest import csrf_token_of
from tests.web.pairing_web import build_site, hx_post, post

PDF = b"%PDF-1.5\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
REPORT = {
    "period": "2026Q2",
    "actual_purchase": "35,000.50",
    "actual_jobs": "6",
    "narrative": "第二季度采购北坡村苹果 1.2 万斤，带动 6 户脱贫户增收。",
}


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _submit(client, agreement_id, data, files):
    return client.post(
        f"/agreements/{agreement_id}/reports",
        data=data | {"csrf_token": csrf_token_of(client)},
        files=files,
        follow_redirects=False,
    )


def test_the_enterprise_submits_a_report_with_evidence_and_the_village_downloads_it(site, tmp_path):
    client = site.client("qiye")
    form = client.get(f"/agreements/{site.active_id}/reports/new?period=2026Q2")
    assert form.template.name == "pairing/report_form.html"
    assert '<option value="2026Q2" selected>2026年第2季度</option>' in form.text
    response = _submit(
        client, site.active_id, REPORT, [("evidence", ("采购合同.pdf", PDF, "application/pdf"))]
    )
    assert response.status_code == 303, response.text
    report_path = response.headers["location"]
    page = client.get(report_path)
    assert "成效报告已提交，等待村确认" in page.text
    assert "采购合同.pdf" in page.text and "¥35,000.50" in page.text
    with site.database.read_only() as session:
        evidence = session.exec(select(ReportEvidence)).one()
    stored = tmp_path / "uploads" / evidence.storage_key
    assert stored.read_bytes() == PDF
    assert "static" not in stored.parts

    download = site.client("beipo").get(f"/evidence/{evidence.id}")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["cache-control"] == "private, no-store"
    assert site.client("nanpo").get(f"/evidence/{evidence.id}").status_code == 404
    assert site.client("ruicheng").get(f"/evidence/{evidence.id}").status_code == 404
    anonymous = site.client().get(f"/evidence/{evidence.id}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_a_file_of_another_type_is_refused_by_the_field_and_the_text_kept(site):
    client = site.client("qiye")
    response = _submit(
        client,
        site.active_id,
        REPORT | {"narrative": "写了很长的一段成效说明，共十个字以上"},
        [("evidence", ("发票.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))],
    )
    assert response.status_code == 422
    assert 'id="field-evidence-error">文件“发票.pdf”不是 PDF、JPG 或 PNG 文件</p>' in response.text
    assert "写了很长的一段成效说明，共十个字以上" in response.text
    assert 'value="35,000.50"' in response.text
    with site.database.read_only() as session:
        assert session.exec(select(OutcomeReport).where(OutcomeReport.quarter == 2)).all() == []


def test_the_village_confirms_with_htmx_and_the_bureau_verifies(site):
    village = site.client("beipo")
    listing = village.get("/reports")
    assert listing.template.name == "pairing/reports.html"
    assert "共 <strong>1</strong> 份报告" in listing.text  # the village sees what awaits it
    confirmed = hx_post(village, f"/reports/{site.report_id}/confirm", {"version": "1"})
    assert confirmed.status_code == 200
    assert confirmed.template.name == "pairing/_report.html"
    assert "<html" not in confirmed.text
    assert "已确认该成效报告，等待乡村振兴局核实" in confirmed.text
    assert '<span class="badge badge--pending">待审核</span>' in confirmed.text

    bureau = site.client("pinglu")
    queue = bureau.get("/reports", headers={"HX-Request": "true"})
    assert queue.template.name == "pairing/_report_results.html"
    assert "共 <strong>1</strong> 份报告" in queue.text
    verified = post(bureau, f"/reports/{site.report_id}/verify", {"version": "2"})
    assert verified.status_code == 303
    with site.database.read_only() as session:
        assert session.get(OutcomeReport, site.report_id).status == ReportStatus.verified


def test_a_return_needs_a_comment_shown_by_the_field_then_the_enterprise_corrects_it(site):
    village = site.client("beipo")
    response = post(village, f"/reports/{site.report_id}/return", {"version": "1", "reason": ""})
    assert response.status_code == 422
    assert "请填写退回意见</p>" in response.text
    response = post(
        village, f"/reports/{site.report_id}/return", {"version": "1", "reason": "缺少花名册"}
    )
    assert response.status_code == 303
    enterprise = site.client("qiye")
    form = enterprise.get(f"/reports/{site.report_id}/edit")
    assert "退回意见：缺少花名册" in form.text
    data = {
        "version": "2",
        "actual_jobs": "5",
        "narrative": "补充了就业人员花名册，共 5 人。",
    }
    resubmitted = enterprise.post(
        f"/reports/{site.report_id}/edit",
        data=data | {"csrf_token": csrf_token_of(enterprise)},
        files=[("evidence", ("花名册.png", png_bytes(), "image/png"))],
        follow_redirects=False,
    )
    assert resubmitted.status_code == 303
    with site.database.read_only() as session:
        report = session.get(OutcomeReport, site.report_id)
        assert (report.status, report.version) == (ReportStatus.submitted, 3)


def test_the_bureau_of_another_county_cannot_review(site):
    response = post(site.client("ruicheng"), f"/reports/{site.report_id}/confirm", {"version": "1"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("image_format", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png")]
)
def test_an_evidence_photo_loses_its_gps_position(site, tmp_path, image_format, content_type):
    photo = photo_with_gps(image_format)
    files = [("evidence", ("现场.jpg", photo, content_type))]
    response = _submit(site.client("qiye"), site.active_id, REPORT, files)
    assert response.status_code == 303, response.text
    with site.database.read_only() as session:
        evidence = session.exec(select(ReportEvidence)).one()
    stored = (tmp_path / "uploads" / evidence.storage_key).read_bytes()
    assert metadata_of(stored) == {"exif": {}, "info": {}}
    assert (evidence.content_type, evidence.size_bytes) == (content_type, len(stored))
    download = site.client("beipo").get(f"/evidence/{evidence.id}")
    assert metadata_of(download.content) == {"exif": {}, "info": {}}


JPEG = jpeg_bytes()


@pytest.mark.parametrize(
    ("sent", "content", "stored", "disposition"),
    [
        (
            "a.exe",
            JPEG,
            "a.jpg",
            "attachment; filename=\"a.jpg\"; filename*=utf-8''a.jpg",
        ),
        (
            "发票\u202egpj.exe",
            PDF,
            "发票gpj.pdf",
            "attachment; filename=\"__gpj.pdf\"; filename*=utf-8''%E5%8F%91%E7%A5%A8gpj.pdf",
        ),
        (
            "..\\..\\合同<;x.png",
            PDF,
            "合同_;x.pdf",
            "attachment; filename=\"____x.pdf\"; filename*=utf-8''%E5%90%88%E5%90%8C_%3Bx.pdf",
        ),
    ],
)
def test_evidence_names_are_cleaned_and_follow_the_sniffed_type(
    site, sent, content, stored, disposition
):
    client = site.client("qiye")
    response = _submit(
        client, site.active_id, REPORT, [("evidence", (sent, content, "application/octet-stream"))]
    )
    assert response.status_code == 303, response.text
    with site.database.read_only() as session:
        evidence = session.exec(select(ReportEvidence)).one()
    assert evidence.filename == stored
    assert evidence.storage_key.endswith(stored.rsplit(".", 1)[1])
    download = site.client("beipo").get(f"/evidence/{evidence.id}")
    assert download.headers["content-disposition"] == disposition
