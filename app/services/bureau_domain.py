"""The bureau-wide declarations (app/services/domains.py): the dashboard's panels, and the ledger's
coverage and master-data sheets (the same rows as the bulk imports)."""

from app.permissions import AUDIT_EVENTS, EXPORT_JOBS, NOTIFICATIONS, REGION_ROWS
from app.services import ledger_sections
from app.services.ledger_master import MASTER_SECTIONS
from app.services.notice_rules import NOBODY, Notices
from app.services.stats.coverage import coverage
from app.services.stats.pairing import active_enterprises, agreements_by_status, overdue
from app.services.stats.panels import Panel, commitments, shares
from app.services.stats.sales import sales

# Audit-event object types (model class names) some panels never read.
_AGREEMENTS, _REPORTS = "PairingAgreement", "OutcomeReport"
_ORDERS, _PRODUCTS, _ENTERPRISES = "Order", "Product", "Enterprise"

VISIBILITY = (AUDIT_EVENTS, NOTIFICATIONS, EXPORT_JOBS, REGION_ROWS)
INBOX_KINDS = ()
LEDGER_SECTIONS = (ledger_sections.COVERAGE, *MASTER_SECTIONS)
DASHBOARD_PANELS = (
    Panel(
        "coverage",
        "结对覆盖",
        lambda s, a, today: coverage(s, a),
        (_REPORTS, _ORDERS, _PRODUCTS, _ENTERPRISES),
    ),
    Panel(
        "agreements",
        "帮扶协议状态",
        lambda s, a, today: agreements_by_status(s, a),
        (_REPORTS, _ORDERS, _PRODUCTS, _ENTERPRISES),
    ),
    Panel("commitments", "承诺与实绩", commitments, (_ORDERS, _PRODUCTS, _ENTERPRISES)),
    Panel("sales", "消费帮扶销售", sales, (_AGREEMENTS, _REPORTS, _ENTERPRISES)),
    Panel("shares", "预留份额完成情况", shares, (_AGREEMENTS, _REPORTS)),
    Panel("overdue", "逾期未报成效", overdue, (_ORDERS, _PRODUCTS)),
    Panel("enterprises", "最活跃的帮扶主体", active_enterprises),
)
STATE_MACHINES = ()
# The officer's own export is news to no one.
NOTICES = (
    Notices(
        {
            "ledger.export": NOBODY,
            "ledger.retry": NOBODY,  # the officer's own retry
            "ledger.purge_files": NOBODY,  # the scheduled deletion of old export files
        }
    ),
)
