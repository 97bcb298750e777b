"""GraphQL: start a ledger export and follow it to its download; upload, preview and commit an
import (a re-imported directory sheet updates by credit code, never approving)."""

import base64
import io

from openpyxl import load_workbook
from sqlmodel import select

from app.models import Cooperative
from app.models.enums import RegistrationStatus
from app.services import ledger, ledger_jobs
from app.services.imports.columns import KINDS
from tests.graphql.conftest import app_settings

START = """mutation($i: StartLedgerExportInput!) {
  startLedgerExport(input: $i) { export { id status downloadUrl } errors { code message } }
}"""
FOLLOW = "query($id: Int!) { ledgerExport(id: $id) { status rowsDone downloadUrl fileName } }"
PREVIEW = """mutation($i: PreviewImportInput!) {
  previewImport(input: $i) {
    preview { token fingerprint created { kind count }
      changes { name creditCode note fields { column before after } }
      skipped { row reason } }
    rowErrors { sheet row column message }
    errors { code message }
  }
}"""
COMMIT = """mutation($i: CommitImportInput!) {
  commitImport(input: $i) {
    outcome { created { kind count } updated { kind count } skipped }
    rowErrors { message } errors { code message }
  }
}"""


def _exported(gql) -> bytes:
    started = gql.data(START, {"i": {"format": "xlsx"}}, actor="bureau_county")
    job = started["startLedgerExport"]["export"]
    assert (job["status"], job["downloadUrl"]) == ("queued", None)
    settings = app_settings("sqlite://")
    ledger.run_export(gql.database, job["id"], ledger_jobs.export_directory(settings))
    followed = gql.data(FOLLOW, {"id": job["id"]}, actor="bureau_county")["ledgerExport"]
    assert followed["status"] == "done" and followed["rowsDone"] > 0
    assert followed["downloadUrl"] == f"/exports/{job['id']}/download"
    token = gql.world.tokens["bureau_county"]
    response = gql.http.get(followed["downloadUrl"], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.content


def _cooperatives_only(content: bytes, rename: str) -> str:
    book = load_workbook(io.BytesIO(content))
    for name in book.sheetnames:
        if name != KINDS["cooperatives"].title:
            del book[name]
    sheet = book[KINDS["cooperatives"].title]
    header = [c.value for c in sheet[1]]
    name_at, status_at = header.index("合作社名称"), header.index("审核状态")
    for row in sheet.iter_rows(min_row=2):
        if row[name_at].value == rename:
            row[name_at].value = rename + "（更名）"
        row[status_at].value = "已通过"  # the sheet claims every cooperative is approved
    buffer = io.BytesIO()
    book.save(buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def test_export_then_reimport_with_preview_and_commit(gql_writer):
    gql = gql_writer
    content = _exported(gql)
    with gql.database.read_only() as session:
        approved = session.exec(
            select(Cooperative).where(Cooperative.status == RegistrationStatus.approved)
        ).first()
        name = approved.name
    edited = _cooperatives_only(content, name)
    variables = {"i": {"fileName": "台账.xlsx", "contentBase64": edited}}
    preview = gql.data(PREVIEW, variables, actor="bureau_county")["previewImport"]
    assert preview["errors"] == [] and preview["rowErrors"] == []
    found = preview["preview"]
    changed = {c["name"]: c for c in found["changes"]}
    assert changed[name]["fields"] == [
        {"column": "合作社名称", "before": name, "after": name + "（更名）"}
    ]
    assert "仍为“待审核”" in changed["待审合作社"]["note"]
    assert found["created"] == [{"kind": "cooperatives", "count": 0}]
    # A commit with another fingerprint writes nothing
    stale = {"token": found["token"], "fingerprint": "0" * 32}
    refused = gql.data(COMMIT, {"i": stale}, actor="bureau_county")["commitImport"]
    assert refused["outcome"] is None and refused["errors"][0]["code"] == "import_stale"
    done = gql.data(
        COMMIT,
        {"i": {"token": found["token"], "fingerprint": found["fingerprint"]}},
        actor="bureau_county",
    )["commitImport"]
    assert done["errors"] == []
    assert done["outcome"]["updated"] == [{"kind": "cooperatives", "count": 1}]
    with gql.database.read_only() as session:
        statuses = {c.name: c.status for c in session.exec(select(Cooperative))}
    assert statuses[name + "（更名）"] == RegistrationStatus.approved
    assert statuses["待审合作社"] == RegistrationStatus.pending
    # The token is spent
    again = gql.data(
        COMMIT,
        {"i": {"token": found["token"], "fingerprint": found["fingerprint"]}},
        actor="bureau_county",
    )["commitImport"]
    assert again["errors"][0]["code"] == "import_expired"


def test_a_damaged_upload_is_a_chinese_payload_error(gql):
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(100)).decode()
    variables = {"i": {"fileName": "a.xlsx", "contentBase64": png}}
    result = gql.data(PREVIEW, variables, actor="bureau_county")["previewImport"]
    assert result["preview"] is None
    assert result["errors"][0]["code"] == "import_unreadable"
    assert "PNG 图片" in result["errors"][0]["message"]
    refused = gql.data(PREVIEW, variables, actor="village")["previewImport"]
    assert refused["errors"][0]["code"] == "permission_denied"
