"""Pictures for upload tests: real encoded images, with or without a GPS position in EXIF."""

import io

from PIL import Image

from app.services.images import encoded

# EXIF tags: Make, the GPS IFD and, inside it, GPSLatitudeRef / GPSLatitude.
MAKE, GPS_IFD, GPS_LATITUDE_REF, GPS_LATITUDE = 0x010F, 0x8825, 1, 2


def png_bytes(size: tuple[int, int] = (4, 4)) -> bytes:
    """A small PNG that re-encodes to itself (Pillow's own PNG of plain RGB pixels)."""
    return encoded(Image.new("RGB", size, (200, 30, 30)), image_format="PNG")


def jpeg_bytes(size: tuple[int, int] = (4, 4)) -> bytes:
    """A small JPEG without metadata, as Pillow encodes plain RGB pixels."""
    return encoded(Image.new("RGB", size, (30, 120, 200)), image_format="JPEG")


def photo_with_gps(image_format: str = "JPEG") -> bytes:
    """A photo as a phone takes it: EXIF with the maker and the GPS position (运城 35.0°N)."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    gps = exif.get_ifd(GPS_IFD)
    gps[GPS_LATITUDE_REF] = "N"
    gps[GPS_LATITUDE] = (35.0, 1.0, 30.0)
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 40)).save(buffer, format=image_format, exif=exif)
    data = buffer.getvalue()
    assert has_gps(data), "the fixture must carry a GPS position to prove anything"
    return data


def has_gps(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as picture:
        exif = picture.getexif()
        return bool(exif) and bool(exif.get_ifd(GPS_IFD))


def metadata_of(data: bytes) -> dict:
    """What a stored picture still says about itself besides its pixels."""
    with Image.open(io.BytesIO(data)) as picture:
        info = {
            k: v
            for k, v in picture.info.items()
            if k not in ("dpi", "jfif", "jfif_version", "jfif_unit", "jfif_density")
        }
        return {"exif": dict(picture.getexif()), "info": info}
