"""The inbox's overdue-report link opens the report form on the overdue quarter."""

import pytest

from app.services.pairing.periods import Quarter, last_due_quarter, local_today
from tests.web.pairing_web import build_site


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def test_the_overdue_link_opens_the_form_on_the_overdue_quarter_not_the_running_one(site):
    # The active agreement runs from 2026-01-01 with only a 2026Q1 report, so the quarter that
    # closed last is owed; the current quarter has not ended, so it is not offered at all.
    # Every quarter after 2026Q1 whose reporting window has passed is one to-do of its own.
    today = local_today()
    overdue, running = last_due_quarter(today), Quarter.of(today)
    assert overdue > Quarter(2026, 1)
    owed = [Quarter(2026, 1).next()]
    while owed[-1] < overdue:
        owed.append(owed[-1].next())
    client = site.client("qiye")
    page = client.get("/inbox")
    groups = {g.key: g for g in page.context["groups"]}
    link = f"/agreements/{site.active_id}/reports/new?period={overdue.period}"
    assert [item.link for item in groups["overdue_reports"].items] == [
        f"/agreements/{site.active_id}/reports/new?period={q.period}" for q in owed
    ]
    assert f'href="{link}"' in page.text

    form = client.get(link)
    assert form.template.name == "pairing/report_form.html"
    label = f"{overdue.year}年第{overdue.quarter}季度"
    assert f'<option value="{overdue.period}" selected>{label}</option>' in form.text
    assert f'<option value="{running.period}"' not in form.text
    plain = client.get(f"/agreements/{site.active_id}/reports/new")
    assert f'<option value="{overdue.period}" selected>{label}</option>' in plain.text
