"""app/web/exports.py: start an export, poll its progress, download it in the same scope only."""

import io
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.jobs import JobRunner
from tests.services.bureau_world import BureauWorld, build_bureau_world
from tests.web.bureau_site import bureau_app, csrf, signed_in


@pytest.fixture(scope="module")
def world(database_factory) -> Iterator[BureauWorld]:
    built = build_bureau_world(database_factory, "webexport")
    yield built
    built.database.dispose()


@pytest.fixture(scope="module")
def app(world, tmp_path_factory):
    return bureau_app(world, tmp_path_factory.mktemp("exports"))


def start(client, **data):
    return client.post("/exports", data=data | {"csrf_token": csrf(client)}, follow_redirects=False)


def wait(app) -> None:
    """Run the queued jobs as a runner would (the test client starts no background runner)."""
    JobRunner(app.state.database, app.state.settings).run_pending()


def test_an_export_runs_in_the_background_and_its_page_offers_the_download(app):
    client = signed_in(app, "pinglu")
    response = start(client, format="xlsx", county_code="")
    assert response.status_code == 303
    job_id = int(re.fullmatch(r"/exports/(\d+)", response.headers["location"])[1])
    wait(app)
    page = client.get(f"/exports/{job_id}", headers={"HX-Request": "true"})
    assert page.text.startswith(f'<div class="card export-job" id="export-job-{job_id}"')
    assert "hx-trigger" not in page.text  # finished: polling stops
    assert f'href="/exports/{job_id}/download"' in page.text
    download = client.get(f"/exports/{job_id}/download")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames[:4] == ["帮扶协议", "成效报告", "订单", "各县覆盖"]
    assert f'id="export-job-{job_id}"' in client.get("/exports").text


def test_a_job_still_running_polls_every_second(app, world):
    from app.services import ledger

    with world.database.unit_of_work() as session:
        job_id = ledger.request_export(session=session, actor=world.actors["city"], fmt="csv").id
    html = signed_in(app, "city").get(f"/exports/{job_id}").text
    assert f'hx-get="/exports/{job_id}" hx-trigger="every 1s"' in html
    assert "<progress" in html and "排队中" in html
    assert signed_in(app, "city").get(f"/exports/{job_id}/download").status_code == 404


def test_another_scope_can_neither_see_nor_download_an_export(app):
    owner = signed_in(app, "yanhu")
    job_id = int(start(owner, format="csv").headers["location"].rsplit("/", 1)[1])
    wait(app)
    assert owner.get(f"/exports/{job_id}/download").status_code == 200
    for other in ("pinglu", "city"):
        assert signed_in(app, other).get(f"/exports/{job_id}/download").status_code == 404
        assert signed_in(app, other).get(f"/exports/{job_id}").status_code == 404


def test_a_bad_format_comes_back_with_its_error(app):
    response = start(signed_in(app, "city"), format="pdf")
    assert response.status_code == 422
    assert "请选择导出格式：XLSX 或 CSV" in response.text


def test_only_the_bureau_exports(app):
    client = signed_in(app, "qiye")
    assert client.get("/exports").status_code == 403
    assert start(client, format="xlsx").status_code == 403


def test_a_failed_export_offers_a_retry_that_queues_it_again(app, world):
    from app.services import ledger

    with world.database.unit_of_work() as session:
        job_id = ledger.request_export(session=session, actor=world.actors["city"], fmt="csv").id
    ledger.mark_failed(world.database, job_id, "导出未能完成：进程中断")
    client = signed_in(app, "city")
    html = client.get(f"/exports/{job_id}").text
    assert "导出未能完成：进程中断" in html
    assert f'action="/exports/{job_id}/retry"' in html and "重试" in html
    # Another scope cannot retry it.
    other = signed_in(app, "pinglu")
    denied = other.post(f"/exports/{job_id}/retry", data={"csrf_token": csrf(other)})
    assert denied.status_code == 404
    response = client.post(
        f"/exports/{job_id}/retry", data={"csrf_token": csrf(client)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert "排队中" in client.get(f"/exports/{job_id}").text
    wait(app)
    assert client.get(f"/exports/{job_id}/download").status_code == 200
    with world.database.read_only() as session:
        actions = (
            session.execute(
                sa.text(
                    "SELECT action FROM events WHERE object_type = 'ExportJob' AND object_id = :id "
                    "ORDER BY id"
                ),
                {"id": str(job_id)},
            )
            .scalars()
            .all()
        )
    assert actions == ["ledger.export", "ledger.retry"]


def test_export_files_past_their_retention_are_deleted_and_the_page_says_so(app, world):
    from datetime import timedelta

    from app.actors import SYSTEM
    from app.models.base import utcnow
    from app.services import ledger_jobs

    client = signed_in(app, "yanhu")
    job_id = int(start(client, format="csv").headers["location"].rsplit("/", 1)[1])
    wait(app)
    settings = app.state.settings
    path = ledger_jobs.export_directory(settings) / f"ledger-{job_id}.csv"
    assert path.is_file()
    later = utcnow() + timedelta(days=settings.export_retention_days, minutes=1)
    assert ledger_jobs.purge_old_exports(world.database, settings, actor=SYSTEM, now=later) >= 1
    assert not path.exists()
    assert client.get(f"/exports/{job_id}/download").status_code == 404
    assert "文件已超过保存期限" in client.get(f"/exports/{job_id}").text
