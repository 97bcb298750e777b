"""Evidence files are checked, hashed and stored (fsynced) before the report's writer opens."""

import base64

import pytest
from sqlmodel import select

from app.models import ReportEvidence, User
from app.schema.node import global_id_of
from app.services import api_tokens
from app.services.accounts import actor_for
from tests.image_factories import png_bytes
from tests.slow_work import SlowWorkProbe
from tests.web.conftest import csrf_token_of
from tests.web.pairing_web import build_site, post
from tests.web.test_web_reports import REPORT

PDF = b"%PDF-1.5\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = png_bytes()


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _evidence(site) -> list[str]:
    with site.database.read_only() as session:
        return [
            e.filename for e in session.exec(select(ReportEvidence).order_by(ReportEvidence.id))
        ]


def test_submitting_a_report_stores_its_files_outside_the_writer(site, monkeypatch):
    client = site.client("qiye")
    probe = SlowWorkProbe(monkeypatch)
    response = client.post(
        f"/agreements/{site.active_id}/reports",
        data=REPORT | {"csrf_token": csrf_token_of(client)},
        files=[("evidence", ("合同.pdf", PDF, "application/pdf"))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert (probe.calls["fsync"], probe.writers) == (1, 1)
    assert dict(probe.inside_writer) == {}
    assert _evidence(site)[-1] == "合同.pdf"


def test_resubmitting_with_more_files_stores_them_outside_the_writer(site, monkeypatch):
    village = site.client("beipo")
    returned = post(
        village, f"/reports/{site.report_id}/return", {"version": "1", "reason": "缺少花名册"}
    )
    assert returned.status_code == 303
    enterprise = site.client("qiye")
    probe = SlowWorkProbe(monkeypatch)
    response = enterprise.post(
        f"/reports/{site.report_id}/edit",
        data={
            "version": "2",
            "actual_jobs": "5",
            "narrative": "补充了就业人员花名册，共 5 人。",
            "csrf_token": csrf_token_of(enterprise),
        },
        files=[("evidence", ("花名册.png", PNG, "image/png"))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert probe.calls["fsync"] >= 1
    assert dict(probe.inside_writer) == {}
    assert _evidence(site)[-1] == "花名册.png"


def test_graphql_submission_stores_its_files_outside_the_writer(site, monkeypatch):
    with site.database.unit_of_work() as session:
        user = session.exec(select(User).where(User.username == "qiye")).one()
        _token, raw = api_tokens.create_api_token(session=session, actor=actor_for(user), name="t")
    query = """mutation($input: SubmitReportInput!) {
      submitReport(input: $input) { report { id } errors { code message } } }"""
    variables = {
        "input": {
            "agreementId": global_id_of("PairingAgreement", site.active_id),
            "period": "2026Q2",
            "actualJobs": 6,
            "narrative": REPORT["narrative"],
            "evidence": [{"filename": "合同.pdf", "contentBase64": base64.b64encode(PDF).decode()}],
        }
    }
    probe = SlowWorkProbe(monkeypatch)
    response = site.client().post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.json()["data"]["submitReport"]["errors"] == []
    assert probe.calls["fsync"] >= 1
    assert dict(probe.inside_writer) == {}
    assert _evidence(site)[-1] == "合同.pdf"
