"""Evidence pictures shown inline as thumbnails (app/services/pairing/evidence.py ``thumbnail``):
made on first view outside any transaction, kept on disk, served only to those who may open the
picture; PDFs have none."""

import io

import pytest
from PIL import Image
from sqlmodel import select

from app.models import ReportEvidence
from app.services.pairing.evidence import THUMBNAIL_SIDE, THUMBNAIL_SUFFIX
from tests.image_factories import jpeg_bytes
from tests.web.conftest import csrf_token_of
from tests.web.pairing_web import build_site

PDF = b"%PDF-1.5\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
REPORT = {
    "period": "2026Q2",
    "actual_purchase": "35,000.50",
    "actual_jobs": "6",
    "narrative": "第二季度采购北坡村苹果 1.2 万斤，带动 6 户脱贫户增收。",
}


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    site = build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))
    photo = jpeg_bytes(size=(1200, 800))
    enterprise = site.client("qiye")
    response = enterprise.post(
        f"/agreements/{site.active_id}/reports",
        data=REPORT | {"csrf_token": csrf_token_of(enterprise)},
        files=[
            ("evidence", ("现场.jpg", photo, "image/jpeg")),
            ("evidence", ("合同.pdf", PDF, "application/pdf")),
        ],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with site.database.read_only() as session:
        rows = session.exec(select(ReportEvidence).order_by(ReportEvidence.id)).all()
    site.picture, site.pdf = rows[0], rows[1]
    return site


def test_the_agreement_page_shows_pictures_as_thumbnails(site):
    html = site.client("beipo").get(f"/agreements/{site.active_id}").text
    assert f'<img class="evidence-thumb" src="/evidence/{site.picture.id}/thumbnail"' in html
    assert f"/evidence/{site.pdf.id}/thumbnail" not in html
    assert 'alt="证明材料：现场.jpg"' in html


def test_a_thumbnail_is_made_once_and_kept_beside_the_picture(site, tmp_path):
    stored = tmp_path / "uploads" / site.picture.storage_key
    cached = stored.with_name(stored.name + THUMBNAIL_SUFFIX)
    assert not cached.exists()
    response = site.client("beipo").get(f"/evidence/{site.picture.id}/thumbnail")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["cache-control"] == "private, no-store"
    with Image.open(io.BytesIO(response.content)) as small:
        assert max(small.size) == THUMBNAIL_SIDE and small.size == (240, 160)
    assert cached.read_bytes() == response.content
    stamp = cached.stat().st_mtime_ns
    again = site.client("pinglu").get(f"/evidence/{site.picture.id}/thumbnail")
    assert again.content == response.content and cached.stat().st_mtime_ns == stamp


@pytest.mark.parametrize("username", ["nanpo", "ruicheng"])
def test_someone_not_allowed_gets_the_missing_page_and_nothing_is_made(site, username, tmp_path):
    response = site.client(username).get(f"/evidence/{site.picture.id}/thumbnail")
    assert response.status_code == 404
    stored = tmp_path / "uploads" / site.picture.storage_key
    assert not stored.with_name(stored.name + THUMBNAIL_SUFFIX).exists()
    anonymous = site.client().get(f"/evidence/{site.picture.id}/thumbnail", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_a_pdf_has_no_thumbnail(site):
    assert site.client("beipo").get(f"/evidence/{site.pdf.id}/thumbnail").status_code == 404
