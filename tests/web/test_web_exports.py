"""app/web/exports.py: start an export, poll its progress, download it in the same scope only."""

import io
import re
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from app.web import exports
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


def wait(job_id: int) -> None:
    thread = exports.RUNNING.get(job_id)
    if thread is not None:
        thread.join()


def test_an_export_runs_in_the_background_and_its_page_offers_the_download(app):
    client = signed_in(app, "pinglu")
    response = start(client, format="xlsx", county_code="")
    assert response.status_code == 303
    job_id = int(re.fullmatch(r"/exports/(\d+)", response.headers["location"])[1])
    wait(job_id)
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
    wait(job_id)
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
