"""The people of the browser journeys, one cast per viewport so the journeys never share objects,
and the checks every page gets: axe-core (accessibility) and html-validate (HTML conformance)."""

import json
import re
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from app.actors import SYSTEM
from app.db import Database, create_db_engine
from app.models.enums import HelpKind, UserRole
from app.models.flags import to_mask
from app.services.accounts import create_user
from app.services.pairing.periods import last_due_quarter, local_today
from app.services.pairing.proposals import add_years
from tests.browser.conftest import PASSWORD
from tests.factories import make_cooperative, make_enterprise, make_township, make_village
from tests.pairing_factories import make_active, make_report
from tests.trade_factories import make_listed_product, make_order

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"
VALIDATOR_CONFIG = Path(__file__).with_name("htmlvalidate.json")
BLOCKING_IMPACTS = ("serious", "critical")


@dataclass(frozen=True)
class Cast:
    """Who acts in one run of the journeys, and the names they will look for."""

    width: int
    enterprise: str
    village: str
    cooperative: str
    product: str

    @property
    def enterprise_user(self) -> str:
        return f"bangfu{self.width}"

    @property
    def village_user(self) -> str:
        return f"cun{self.width}"

    @property
    def cooperative_user(self) -> str:
        return f"hezuoshe{self.width}"


CASTS = {
    390: Cast(390, "运城黄河果业有限公司", "南坡村", "南坡百合专业合作社", "南坡杜马百合"),
    1280: Cast(1280, "山西中条山农业有限公司", "北坡村", "北坡花椒专业合作社", "北坡大红袍花椒"),
}


SHOWCASE_ACCOUNTS = {
    "enterprise": "gongxiao",
    "cooperative": "dongpohzs",
    "village": "dongpocun",
    "bureau": "shiju",
}


def build_journey_world(url: str) -> dict[str, int]:
    """Each cast: a key village in 平陆县 with its cadre, an enterprise, a cooperative there.

    Plus a showcase that the page checks open: an active agreement with a submitted report, a
    listed product with an order, and their accounts (``SHOWCASE_ACCOUNTS``); returns its ids.
    """
    database = Database(create_db_engine(url))
    with database.unit_of_work() as session:
        township = make_township(session, code="140829100", name="圣人涧镇", county_code="140829")
        for number, cast in enumerate(CASTS.values(), start=1):
            village = make_village(
                session,
                code=f"{township.code}{200 + number:03d}",
                name=cast.village,
                key_village=True,
                lifted_village=True,
                main_industries="百合、花椒种植",
            )
            enterprise = make_enterprise(
                session,
                name=cast.enterprise,
                offers=to_mask([HelpKind.industry, HelpKind.sales], HelpKind),
            )
            cooperative = make_cooperative(session, village=village, name=cast.cooperative)
            _accounts(
                session,
                {
                    cast.enterprise_user: (UserRole.enterprise, {"enterprise_id": enterprise.id}),
                    cast.village_user: (UserRole.village, {"village_id": village.id}),
                    cast.cooperative_user: (
                        UserRole.cooperative,
                        {"cooperative_id": cooperative.id},
                    ),
                },
            )
        ids = _showcase(session, township)
    database.dispose()
    return ids


def _showcase(session, township) -> dict[str, int]:
    village = make_village(
        session, code=f"{township.code}209", name="东坡村", key_village=True, population=1800
    )
    enterprise = make_enterprise(session, name="运城市供销集团有限公司")
    cooperative = make_cooperative(session, village=village, name="东坡小米专业合作社")
    agreement = make_active(session, enterprise=enterprise, village=village)
    report = make_report(session, agreement, 2026, 1)
    product = make_listed_product(session, cooperative=cooperative, name="东坡黄小米")
    order = make_order(session, enterprise, product)
    _accounts(
        session,
        {
            SHOWCASE_ACCOUNTS["enterprise"]: (
                UserRole.enterprise,
                {"enterprise_id": enterprise.id},
            ),
            SHOWCASE_ACCOUNTS["cooperative"]: (
                UserRole.cooperative,
                {"cooperative_id": cooperative.id},
            ),
            SHOWCASE_ACCOUNTS["village"]: (UserRole.village, {"village_id": village.id}),
        },
    )
    return {
        "village": village.id,
        "enterprise": enterprise.id,
        "agreement": agreement.id,
        "report": report.id,
        "product": product.id,
        "order": order.id,
    }


def _accounts(session, accounts: dict[str, tuple[UserRole, dict]]) -> None:
    for username, (role, links) in accounts.items():
        create_user(
            session=session,
            actor=SYSTEM,
            account={"username": username, "display_name": username, "password": PASSWORD},
            role=role,
            **links,
        )


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#field-username", username)
    page.fill("#field-password", PASSWORD)
    page.click("button[type=submit]")
    # Each role lands on its own home (app/web/role_home.py).
    page.wait_for_url(lambda url: "/login" not in url)


def open_inbox(page, base: str) -> None:
    """Open 待办 from the navigation (the bureau's is beside its name in the header)."""
    page.get_by_role("link", name=re.compile(r"^待办")).first.click()
    page.wait_for_url(f"{base}/inbox")


def inbox_item(page, group: str, text: str):
    """The link of the to-do in ``group`` whose title mentions ``text``."""
    section = page.locator("section.inbox-group", has=page.get_by_role("heading", name=group))
    return section.get_by_role("link", name=re.compile(re.escape(text)))


def act(page, detail: str, button: str, status: str, confirm: bool = False) -> None:
    """Press an action on a detail page (and, for an irreversible one, ``confirm`` it in the
    confirmation that opens) and wait for the status badge to change."""
    page.get_by_role("button", name=button, exact=True).click()
    if confirm:
        page.get_by_role("button", name=f"确认{button}", exact=True).click()
    badge = page.locator(f"{detail} .detail-head .badge").first
    badge.filter(has_text=status).wait_for()


def act_from_inbox(page, base: str, item: tuple[str, str], url: str, action: tuple):
    """Take a hand-off: open the inbox, follow the item ``(group, text)`` to ``url``, and do
    ``(detail, button, status)`` there."""
    open_inbox(page, base)
    inbox_item(page, *item).click()
    assert page.url == url
    act(page, *action)


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return [v for v in violations if v["impact"] in BLOCKING_IMPACTS]


def html_problems(pages: dict[str, str], workdir: Path) -> list[str]:
    """html-validate's errors for each page's source (``name → HTML``), one line each."""
    paths = {}
    for n, (name, html) in enumerate(pages.items()):
        path = workdir / f"page-{n:02d}.html"
        path.write_text(html, encoding="utf-8")
        paths[str(path)] = name
    # To a file: node may exit before a large report piped to stdout is flushed.
    report = workdir / "html-validate.json"
    done = subprocess.run(
        [
            str(HTML_VALIDATE),
            *("--config", str(VALIDATOR_CONFIG), "--formatter", f"json={report}"),
            *paths,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode not in (0, 1) or not report.exists():
        raise RuntimeError(f"html-validate failed to run: {done.stderr[-2000:]}")
    return [
        f"{paths[result['filePath']]} {m['line']}:{m['column']} {m['ruleId']}: {m['message']}"
        for result in json.loads(report.read_text(encoding="utf-8"))
        for m in result["messages"]
    ]


def proposal_term() -> tuple[str, str]:
    """A three-year term starting with the latest quarter past its reporting window, so exactly
    that quarter is owed. It lies before the current quarter: a 补录 start, which the journeys'
    servers allow with a wide grace (conftest ``LATE_START_GRACE_DAYS``)."""
    start = last_due_quarter(local_today()).start
    return start.isoformat(), (add_years(start, 3) - timedelta(days=1)).isoformat()
