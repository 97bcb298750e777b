"""What the pairing actions of the authorization matrix act upon, added to every World.

Enterprise 乙 (enterprise_b) has an active agreement with the world's village, with reports in
each review state; enterprise 甲 has a signed agreement awaiting filing; 乙 has an agreement whose
term has ended with its final report verified and its earlier quarters waived (免报), a draft
from the coverage plan and an agreement the bureau returned at filing; an unpaired key village
waits for the planner.
"""

import atexit
import shutil
import tempfile
import uuid
from datetime import date
from pathlib import Path

from sqlmodel import Session

from app.models import Enterprise, ReportEvidence, ReportWaiver, Village
from app.models.enums import AgreementStatus, ReportStatus
from tests.factories import make_agreement, make_village
from tests.pairing_factories import make_need, make_report

PDF = b"%PDF-1.4\n%%EOF\n"
UPLOAD_DIR = Path(tempfile.mkdtemp(prefix="cunqi-authz-"))
atexit.register(shutil.rmtree, UPLOAD_DIR, ignore_errors=True)


def add_pairing_objects(session: Session, world) -> None:
    village = session.get(Village, world.village_id)
    a = session.get(Enterprise, world.enterprise_a)
    b = session.get(Enterprise, world.enterprise_b)
    other = make_village(session)
    world.signed_id = make_agreement(
        session, enterprise=a, village=other, status=AgreementStatus.signed
    ).id
    active = make_agreement(
        session,
        enterprise=b,
        village=village,
        status=AgreementStatus.active,
        start_on=date(2026, 1, 1),
        end_on=date(2027, 12, 31),
    )
    world.active_id = active.id
    ended = make_agreement(
        session,
        enterprise=b,
        village=other,
        status=AgreementStatus.active,
        start_on=date(2024, 1, 1),
        end_on=date(2025, 12, 31),
    )
    world.ended_id = ended.id
    world.verified_report_id = make_report(session, ended, 2025, 4, status=ReportStatus.verified).id
    # Its earlier quarters were waived (免报): completion needs every quarter settled.
    session.add_all(
        ReportWaiver(agreement_id=ended.id, year=year, quarter=quarter, reason="疫情期间免报")
        for year in (2024, 2025)
        for quarter in (1, 2, 3, 4)
        if (year, quarter) != (2025, 4)
    )
    b.max_villages = 10
    world.draft_id = make_agreement(
        session,
        enterprise=b,
        village=make_village(session),
        status=AgreementStatus.draft,
        commit_beneficiaries=50,
    ).id
    world.returned_id = make_agreement(
        session,
        enterprise=b,
        village=make_village(session),
        status=AgreementStatus.returned,
        commit_beneficiaries=50,
        status_reason="缺少签字页",
    ).id
    submitted = make_report(session, active, 2026, 1)
    world.submitted_report_id = submitted.id
    world.confirmed_report_id = make_report(
        session, active, 2026, 2, status=ReportStatus.confirmed
    ).id
    world.returned_report_id = make_report(
        session, active, 2026, 3, status=ReportStatus.returned, return_comment="请补充材料"
    ).id
    key = f"evidence/authz/{uuid.uuid4().hex}.pdf"
    (UPLOAD_DIR / key).parent.mkdir(parents=True, exist_ok=True)
    (UPLOAD_DIR / key).write_bytes(PDF)
    evidence = ReportEvidence(
        report_id=submitted.id,
        filename="协议.pdf",
        content_type="application/pdf",
        size_bytes=len(PDF),
        sha256="0" * 64,
        storage_key=key,
    )
    session.add(evidence)
    world.need_id = make_need(session, village).id
    world.spare_village_id = make_village(session, key_village=True).id
    session.flush()
    world.evidence_id = evidence.id
