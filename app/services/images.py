"""Uploaded pictures, decoded and re-encoded: the one place that strips their metadata.

A photo taken on a phone carries EXIF data — the GPS position where it was taken, the camera and
the time — and PNGs may carry text chunks. Product photos and the photos among outcome-report
evidence both go through ``decoded_picture``: Pillow decodes the pixels (which also proves the file
is an image) and the caller saves only those, so no metadata of the upload reaches the store.
"""

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import ValidationError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 40_000_000
NOT_AN_IMAGE = "只能上传 JPG、PNG 或 WebP 格式的照片"
TOO_MANY_PIXELS = "照片像素过多，请缩小尺寸后再上传"


def decoded_picture(content: bytes, *, field: str = "image") -> Image.Image:
    """The upload's pixels, turned upright and flattened to RGB, with none of its metadata."""
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise _not_an_image(field)
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS, code="image_too_many_pixels", field=field)
            probe.verify()
        with Image.open(io.BytesIO(content)) as source:
            source.load()
            # Apply the EXIF orientation to the pixels before the EXIF block is dropped.
            return _flatten(ImageOps.exif_transpose(source))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _not_an_image(field) from None
    except Image.DecompressionBombWarning:
        raise ValidationError(TOO_MANY_PIXELS, code="image_too_many_pixels", field=field) from None


def without_metadata(content: bytes, *, image_format: str, field: str = "image") -> bytes:
    """The upload saved again in ``image_format`` (JPEG or PNG) from its pixels alone."""
    picture = decoded_picture(content, field=field)
    return encoded(picture, image_format=image_format)


def encoded(picture: Image.Image, *, image_format: str = "JPEG", quality: int = 90) -> bytes:
    """Save pixels only: no ``exif``, ``icc_profile`` or text chunk is passed to Pillow."""
    buffer = io.BytesIO()
    if image_format == "JPEG":
        picture.save(buffer, format="JPEG", quality=quality, optimize=True)
    else:
        picture.save(buffer, format=image_format, optimize=True)
    return buffer.getvalue()


def _not_an_image(field: str) -> ValidationError:
    return ValidationError(NOT_AN_IMAGE, code="not_an_image", field=field)


def _flatten(picture: Image.Image) -> Image.Image:
    """RGB on a white background (JPEG has no transparency)."""
    if picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info):
        rgba = picture.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return picture.convert("RGB")
