"""Product photos: real-image checks, re-encoding, thumbnails, limits and visibility."""

import io

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlmodel import select

from app.actors import ANONYMOUS
from app.errors import NotFoundError, PermissionDeniedError, ValidationError
from app.models import Event, ProductImage, SearchOutbox
from app.models.enums import ProductStatus
from app.services import product_images
from app.services.product_images import MAX_IMAGE_BYTES, MAX_IMAGES_PER_PRODUCT
from tests.factories import make_cooperative, make_product
from tests.trade_factories import bureau_actor, cooperative_actor, image_bytes


def _add(session, actor, product, content, upload_dir):
    return product_images.add_product_image(
        session=session, actor=actor, product_id=product.id, content=content, upload_dir=upload_dir
    )


def _files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_png_is_stored_as_jpeg_with_a_thumbnail_outside_the_web_root(session, tmp_path):
    cooperative = make_cooperative(session)
    product = make_product(session, cooperative=cooperative)
    image = _add(
        session,
        cooperative_actor(cooperative),
        product,
        image_bytes("PNG", (2400, 1200), mode="RGBA"),
        tmp_path,
    )
    assert (image.content_type, image.width, image.height, image.position) == (
        "image/jpeg",
        1600,
        800,
        0,
    )
    stored = tmp_path / image.storage_key
    thumb = tmp_path / image.thumbnail_key
    assert image.size_bytes == stored.stat().st_size
    with Image.open(stored) as picture:
        assert (picture.format, picture.size) == ("JPEG", (1600, 800))
    with Image.open(thumb) as picture:
        assert (picture.format, picture.size) == ("JPEG", (320, 160))
    second = _add(session, cooperative_actor(cooperative), product, image_bytes("JPEG"), tmp_path)
    assert second.position == 1
    assert session.exec(select(Event.action)).all() == ["product.add_image"] * 2
    assert session.exec(select(SearchOutbox.op)).all() == ["upsert", "upsert"]


def test_exif_metadata_is_dropped(session, tmp_path):
    cooperative = make_cooperative(session)
    product = make_product(session, cooperative=cooperative)
    picture = Image.new("RGB", (100, 80), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", exif=exif)
    image = _add(session, cooperative_actor(cooperative), product, buffer.getvalue(), tmp_path)
    with Image.open(tmp_path / image.storage_key) as stored:
        assert dict(stored.getexif()) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "请选择要上传的照片"),
        (b"#!/bin/sh\nrm -rf /\n" * 10, "只能上传 JPG、PNG 或 WebP 格式的照片"),
        (b"%PDF-1.4\n" + b"0" * 500, "只能上传 JPG、PNG 或 WebP 格式的照片"),
        (image_bytes("GIF"), "只能上传 JPG、PNG 或 WebP 格式的照片"),
        (image_bytes("PNG")[:60], "只能上传 JPG、PNG 或 WebP 格式的照片"),
        (
            b"\x89PNG" + b"\x00" * (MAX_IMAGE_BYTES + 1),
            "照片不能超过 5 MB，请压缩后再上传",
        ),
    ],
    ids=["empty", "script", "pdf", "gif", "truncated", "oversized"],
)
def test_bad_uploads_are_refused_by_the_image_field_and_write_nothing(
    session, tmp_path, content, message
):
    cooperative = make_cooperative(session)
    product = make_product(session, cooperative=cooperative)
    with pytest.raises(ValidationError) as caught:
        _add(session, cooperative_actor(cooperative), product, content, tmp_path)
    assert (caught.value.field, caught.value.message) == ("image", message)
    assert session.execute(sa.select(sa.func.count()).select_from(ProductImage)).scalar() == 0
    assert _files(tmp_path) == []


def test_at_most_eight_photos_per_product(session, tmp_path):
    cooperative = make_cooperative(session)
    product = make_product(session, cooperative=cooperative)
    actor = cooperative_actor(cooperative)
    small = image_bytes("PNG", (40, 40))
    for _ in range(MAX_IMAGES_PER_PRODUCT):
        _add(session, actor, product, small, tmp_path)
    with pytest.raises(ValidationError) as caught:
        _add(session, actor, product, small, tmp_path)
    assert caught.value.code == "too_many_images"


def test_other_cooperatives_cannot_upload_and_nothing_is_written(session, tmp_path):
    product = make_product(session)
    intruder = cooperative_actor(make_cooperative(session))
    for actor in (intruder, ANONYMOUS, bureau_actor()):
        with pytest.raises(PermissionDeniedError):
            _add(session, actor, product, image_bytes(), tmp_path)
    assert _files(tmp_path) == []


def test_photos_follow_their_products_visibility(session, tmp_path):
    cooperative = make_cooperative(session)
    product = make_product(session, cooperative=cooperative, status=ProductStatus.draft)
    image = _add(session, cooperative_actor(cooperative), product, image_bytes(), tmp_path)

    def path(actor, thumbnail=False):
        return product_images.image_path(
            session=session,
            actor=actor,
            image_id=image.id,
            upload_dir=tmp_path,
            thumbnail=thumbnail,
        )

    assert path(cooperative_actor(cooperative)) == (tmp_path / image.storage_key).resolve()
    assert path(bureau_actor(), thumbnail=True) == (tmp_path / image.thumbnail_key).resolve()
    with pytest.raises(NotFoundError):
        path(ANONYMOUS)
    product.status = ProductStatus.listed
    assert path(ANONYMOUS).is_file()


def test_removing_a_photo_deletes_its_files_only_after_commit(fresh_db, tmp_path):
    with fresh_db.unit_of_work() as session:
        cooperative = make_cooperative(session)
        product = make_product(session, cooperative=cooperative)
        actor = cooperative_actor(cooperative)
        image = _add(session, actor, product, image_bytes(), tmp_path)
    with pytest.raises(RuntimeError), fresh_db.unit_of_work() as session:
        product_images.remove_product_image(
            session=session, actor=actor, image_id=image.id, upload_dir=tmp_path
        )
        raise RuntimeError("rolled back")
    assert len(_files(tmp_path)) == 2
    with fresh_db.unit_of_work() as session:
        product_images.remove_product_image(
            session=session, actor=actor, image_id=image.id, upload_dir=tmp_path
        )
        assert len(_files(tmp_path)) == 2
    assert _files(tmp_path) == []
    with fresh_db.read_only() as session:
        assert session.exec(select(ProductImage)).all() == []
