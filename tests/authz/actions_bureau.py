"""Matrix actions for the bureau-wide services: statistics, ledger exports, bulk imports, and
(from actions_inbox) the inbox and notifications."""

import io

from app.services import imports, ledger, stats
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
