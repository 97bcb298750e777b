"""Product photos: checked to be real images, re-encoded, stored outside the web root.

Uploads are decoded with Pillow and saved again as JPEG: that proves the file is an image (a
renamed script fails to decode), drops EXIF data such as the phone's GPS position, and bounds
the stored size (app/services/images.py, shared with report evidence). A thumbnail is generated
next to it. Files are written before the commit, so a rolled-back upload can leave an
unreferenced file behind, never a row without its file.

Decoding and re-encoding take long, so adapters call ``prepare_product_image`` before their unit
of work opens and hand the prepared photo to ``add_product_image``, whose transaction only checks,
writes two small files and inserts a row.
"""

import hashlib
import secrets
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.db import on_commit
from app.errors import NotFoundError, ValidationError
from app.models import Product, ProductImage, Village
from app.models.enums import ProductStatus
from app.permissions import can_manage_product, can_see_product, require
from app.services.bus import publish
from app.services.domain_events import ProductEvent
from app.services.images import decoded_picture, encoded

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGES_PER_PRODUCT = 8
STORED_SIDE = 1600
THUMBNAIL_SIDE = 320


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """A photo decoded and re-encoded as JPEG (EXIF dropped), with its thumbnail."""

    stored: bytes
    thumbnail: bytes
    width: int
    height: int


def prepare_product_image(content: bytes | PreparedImage) -> PreparedImage:
    """Check that the upload is a photo and re-encode it; needs no session."""
    if isinstance(content, PreparedImage):
        return content
    stored, thumbnail, (width, height) = _encode(content)
    return PreparedImage(stored, thumbnail, width, height)


def check_may_add_image(*, session: Session, actor: Actor, product_id: int) -> Product:
    """Refuse before any decoding work when the actor may not manage the product."""
    return _managed(session, actor, product_id)


def add_product_image(
    *,
    session: Session,
    actor: Actor,
    product_id: int,
    content: bytes | PreparedImage,
    upload_dir: Path,
) -> ProductImage:
    """Store a photo of the product, with its thumbnail.

    Pass ``prepare_product_image(...)`` from outside the unit of work; bytes are prepared here.
    """
    product = _managed(session, actor, product_id)
    count = session.execute(
        sa.select(sa.func.count()).where(ProductImage.product_id == product.id)
    ).scalar_one()
    if count >= MAX_IMAGES_PER_PRODUCT:
        raise ValidationError(
            f"每个产品最多上传 {MAX_IMAGES_PER_PRODUCT} 张照片，请先删除不用的照片",
            code="too_many_images",
            field="image",
        )
    prepared = prepare_product_image(content)
    stored, thumbnail, width, height = (
        prepared.stored,
        prepared.thumbnail,
        prepared.width,
        prepared.height,
    )
    prefix = f"products/{product.id}/{secrets.token_hex(12)}"
    image = ProductImage(
        product_id=product.id,
        content_type="image/jpeg",
        size_bytes=len(stored),
        width=width,
        height=height,
        sha256=hashlib.sha256(stored).hexdigest(),
        storage_key=f"{prefix}.jpg",
        thumbnail_key=f"{prefix}_thumb.jpg",
        position=_next_position(session, product.id),
    )
    _write(upload_dir, image.storage_key, stored)
    _write(upload_dir, image.thumbnail_key, thumbnail)
    session.add(image)
    _record(session, actor, "product.add_image", product, f"为“{product.name}”上传照片")
    return image


def remove_product_image(
    *, session: Session, actor: Actor, image_id: int, upload_dir: Path
) -> ProductImage:
    """Delete a photo; its files go once the deletion has committed."""
    image = session.get(ProductImage, image_id)
    if image is None:
        raise NotFoundError("照片不存在")
    product = _managed(session, actor, image.product_id)
    session.delete(image)
    keys = (image.storage_key, image.thumbnail_key)
    on_commit(session, lambda: [_path(upload_dir, key).unlink(missing_ok=True) for key in keys])
    _record(session, actor, "product.remove_image", product, f"删除“{product.name}”的一张照片")
    return image


def image_path(
    *, session: Session, actor: Actor, image_id: int, upload_dir: Path, thumbnail: bool = False
) -> Path:
    """Where a photo the actor may see is stored (photos follow their product's visibility)."""
    image = session.get(ProductImage, image_id)
    product = session.get(Product, image.product_id) if image is not None else None
    if product is None:
        raise NotFoundError("照片不存在")
    county_code = session.get(Village, product.village_id).county_code
    listed = product.status == ProductStatus.listed
    if not can_see_product(actor, product.cooperative_id, county_code, listed=listed):
        raise NotFoundError("照片不存在")
    path = _path(upload_dir, image.thumbnail_key if thumbnail else image.storage_key)
    if not path.is_file():
        raise NotFoundError("照片文件缺失")
    return path


def images_of(session: Session, product_ids: list[int]) -> dict[int, list[ProductImage]]:
    """The photos of several products in gallery order, in one query."""
    by_product: dict[int, list[ProductImage]] = defaultdict(list)
    if not product_ids:
        return by_product
    rows = session.exec(
        select(ProductImage)
        .where(ProductImage.product_id.in_(product_ids))
        .order_by(ProductImage.product_id, ProductImage.position, ProductImage.id)
    ).all()
    for image in rows:
        by_product[image.product_id].append(image)
    return by_product


def _encode(content: bytes) -> tuple[bytes, bytes, tuple[int, int]]:
    if not content:
        raise ValidationError("请选择要上传的照片", code="image_required", field="image")
    if len(content) > MAX_IMAGE_BYTES:
        raise ValidationError(
            f"照片不能超过 {MAX_IMAGE_BYTES // (1024 * 1024)} MB，请压缩后再上传",
            code="image_too_large",
            field="image",
        )
    picture = decoded_picture(content)
    picture.thumbnail((STORED_SIDE, STORED_SIDE))
    stored = encoded(picture, quality=85)
    small = picture.copy()
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    return stored, encoded(small, quality=80), picture.size


def _path(upload_dir: Path, key: str) -> Path:
    root = Path(upload_dir).resolve()
    path = (root / key).resolve()
    if not path.is_relative_to(root):
        raise NotFoundError("照片不存在")
    return path


def _write(upload_dir: Path, key: str, content: bytes) -> None:
    path = _path(upload_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _next_position(session: Session, product_id: int) -> int:
    highest = session.execute(
        sa.select(sa.func.max(ProductImage.position)).where(ProductImage.product_id == product_id)
    ).scalar_one()
    return 0 if highest is None else highest + 1


def _managed(session: Session, actor: Actor, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFoundError("产品不存在")
    require(can_manage_product(actor, product.cooperative_id))
    return product


def _record(session: Session, actor: Actor, action: str, product: Product, summary: str) -> None:
    publish(
        session,
        ProductEvent.by(
            actor,
            action=action,
            obj=product,
            summary=summary,
            county_code=session.get(Village, product.village_id).county_code,
        ),
    )
