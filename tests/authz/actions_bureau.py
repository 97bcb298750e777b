"""Matrix actions for the bureau-wide services: statistics, ledger exports, bulk imports, and
(from actions_inbox) the inbox and notifications."""

import io

from openpyxl import Workbook
from sqlmodel import select

from app.models import Cooperative, Enterprise, Village
from app.models.enums import RegistrationStatus
from app.services import imports, ledger, stats
from app.services.imports.columns import KINDS
from tests.authz import actions_inbox
from tests.authz.world import COUNTY_BUREAUS, Action

ALL_BUREAUS = COUNTY_BUREAUS | {"bureau_other_county"}
VILLAGE_CSV = "村级统计代码,村名,所属县级代码\n140829100777,导入测试村,140829\n"


def _import(s, w, a):
    return imports.import_file(
        session=s,
        actor=a,
        source=io.BytesIO(VILLAGE_CSV.encode("utf-8-sig")),
        filename="villages.csv",
        kind="villages",
    )


def _reimport(s, w, a):
    """The directory sheets again, each organisation with a new contact: two updates."""
    enterprise = s.get(Enterprise, w.enterprise_a)
    cooperative = s.exec(
        select(Cooperative).where(Cooperative.status == RegistrationStatus.approved)
    ).first()
    village = s.get(Village, cooperative.village_id)
    book = Workbook()
    book.remove(book.active)
    rows = {
        "enterprises": [enterprise.credit_code, enterprise.name, "民营企业", "A", "140829"],
        "cooperatives": [cooperative.credit_code, cooperative.name, village.code],
    }
    for kind, row in rows.items():
        sheet = book.create_sheet(KINDS[kind].title)
        headers = [c.header for c in KINDS[kind].columns]
        sheet.append([*headers[: len(row)], "联系人"])
        sheet.append([*row, "导入联系人"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return imports.import_file(session=s, actor=a, source=buffer, filename="directory.xlsx")


ACTIONS = [
    Action(
        "stats.dashboard",
        lambda s, w, a: stats.dashboard(session=s, actor=a),
        ALL_BUREAUS,
        writes=False,
    ),
    Action(
        "stats.panel",
        lambda s, w, a: stats.panel("overdue", session=s, actor=a),
        ALL_BUREAUS,
        writes=False,
    ),
    Action(
        "ledger.request_export",
        lambda s, w, a: ledger.request_export(session=s, actor=a, fmt="xlsx"),
        ALL_BUREAUS,
        covers=("ledger.export",),
    ),
    Action(
        "ledger.recent_jobs",
        lambda s, w, a: ledger.recent_jobs(session=s, actor=a),
        ALL_BUREAUS,
        writes=False,
    ),
    Action(
        "ledger.write_ledger",
        lambda s, w, a: ledger.write_ledger(session=s, actor=a, fmt="csv", target=io.BytesIO()),
        ALL_BUREAUS,
        writes=False,
    ),
    Action("imports.import_file", _import, COUNTY_BUREAUS, covers=("product.import",)),
    Action(
        "imports.import_file (re-import)",
        _reimport,
        COUNTY_BUREAUS,
        covers=("enterprise.import_update", "cooperative.import_update"),
    ),
    Action(
        "imports.check_file",
        lambda s, w, a: imports.check_file(
            session=s,
            actor=a,
            parsed=imports.read_file(
                io.BytesIO(VILLAGE_CSV.encode("utf-8-sig")), "villages.csv", "villages"
            ),
        ),
        COUNTY_BUREAUS,
        writes=False,
    ),
    *actions_inbox.ACTIONS,
]

# Edits at a version (tests/edit_paths.py): none; what is named like one and carries no version.
EDITS = ()
UNVERSIONED = (
    (
        "notifications.set_mail_address",
        "one value, only its owner writes it, and the form replaces it whole: nothing read earlier"
        " is written back",
    ),
)
LIFECYCLE_STEPS = ()
