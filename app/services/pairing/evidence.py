"""Evidence files of outcome reports: checked, stored outside the web root, served to the allowed.

A file's type is decided by its first bytes, never by its name or the browser's claim, and only
PDF, JPEG and PNG are kept; pictures are re-encoded without their metadata (GPS position). Bytes
are written (and fsynced) before the row that names them, so a committed row always has its file;
a rolled-back upload leaves an unnamed file that nothing serves. Adapters store the files with
``store_uploads`` before their unit of work opens (after checking, read-only, that the actor may
report), so decoding, hashing and fsync never hold SQLite's write lock.
"""

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlmodel import Session

from app.actors import Actor
from app.config import get_settings
from app.errors import NotFoundError, ValidationError
from app.models import OutcomeReport, PairingAgreement, ReportEvidence, Village
from app.permissions import can_see_agreement, require
from app.services.filenames import clean_filename
from app.services.images import encoded, without_metadata

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES_PER_REPORT = 10
# content type → (leading bytes, stored extension)
SIGNATURES = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
}
ALLOWED_TEXT = "PDF、JPG 或 PNG"
# Pictures are re-encoded from their pixels (app/services/images.py); a PDF is kept as sent.
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
EVIDENCE_DIR = "evidence"
DEFAULT_NAME = "证明材料"


@dataclass(frozen=True, slots=True)
class Upload:
    """A file as received: its name as the sender gave it and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class CheckedUpload:
    filename: str
    data: bytes
    content_type: str
    extension: str


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """A checked file already written under the upload root; its row is added later."""

    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    storage_key: str


def upload_root(upload_dir: Path | None) -> Path:
    return Path(upload_dir if upload_dir is not None else get_settings().upload_dir)


def check_uploads(
    uploads: list[Upload | StoredUpload], *, already: int = 0
) -> list[CheckedUpload | StoredUpload]:
    """Refuse the whole batch if any file is empty, too large or of another type (or too many)."""
    uploads = [u for u in uploads if isinstance(u, StoredUpload) or u.filename or u.data]
    if already + len(uploads) > MAX_FILES_PER_REPORT:
        raise _error(f"每份报告最多 {MAX_FILES_PER_REPORT} 个证明材料")
    checked = []
    for upload in uploads:
        if isinstance(upload, StoredUpload):
            checked.append(upload)  # checked when it was stored
            continue
        name = clean_filename(upload.filename, default=DEFAULT_NAME)
        if not upload.data:
            raise _error(f"文件“{name}”是空文件")
        if len(upload.data) > MAX_FILE_BYTES:
            raise _error(f"文件“{name}”超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
        content_type = sniff(upload.data)
        if content_type is None:
            raise _error(f"文件“{name}”不是 {ALLOWED_TEXT} 文件")
        data = _without_metadata(name, upload.data, content_type)
        extension = SIGNATURES[content_type][1]
        stored_name = clean_filename(upload.filename, extension=extension, default=DEFAULT_NAME)
        checked.append(CheckedUpload(stored_name, data, content_type, extension))
    return checked


def _without_metadata(name: str, data: bytes, content_type: str) -> bytes:
    """Photos lose their EXIF (GPS position, camera, time) exactly as product photos do."""
    image_format = IMAGE_FORMATS.get(content_type)
    if image_format is None:
        return data
    try:
        return without_metadata(data, image_format=image_format, field="evidence")
    except ValidationError:
        raise _error(f"文件“{name}”不是有效的 JPG 或 PNG 图片") from None


def sniff(data: bytes) -> str | None:
    for content_type, (signature, _extension) in SIGNATURES.items():
        if data.startswith(signature):
            return content_type
    return None


def _error(message: str) -> ValidationError:
    return ValidationError(message, code="evidence_invalid", field="evidence")


def store_uploads(uploads: list[Upload], root: Path) -> list[StoredUpload]:
    """Check the batch and write each file (fsynced) under ``root``; needs no session.

    Call it once the actor is known to be allowed: the files are on disk before any row names
    them, and a failed unit of work leaves them unnamed, as ``attach`` does.
    """
    return [_store(root, upload) for upload in check_uploads(uploads)]


def _store(root: Path, upload: CheckedUpload | StoredUpload) -> StoredUpload:
    if isinstance(upload, StoredUpload):
        return upload
    return StoredUpload(
        filename=upload.filename,
        content_type=upload.content_type,
        size_bytes=len(upload.data),
        sha256=hashlib.sha256(upload.data).hexdigest(),
        storage_key=_write(root, upload),
    )


def attach(
    session: Session,
    *,
    report: OutcomeReport,
    uploads: list[CheckedUpload | StoredUpload],
    root: Path,
    user_id: int | None,
) -> list[ReportEvidence]:
    """Add each file's row to the report, writing the files not stored yet under ``root``."""
    rows = []
    for upload in uploads:
        stored = _store(root, upload)
        row = ReportEvidence(
            report_id=report.id,
            filename=stored.filename,
            content_type=stored.content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            storage_key=stored.storage_key,
            uploaded_by=user_id,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def _write(root: Path, upload: CheckedUpload) -> str:
    name = uuid.uuid4().hex
    key = f"{EVIDENCE_DIR}/{name[:2]}/{name}{upload.extension}"
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(upload.data)
        handle.flush()
        os.fsync(handle.fileno())
    return key


def resolve(root: Path, storage_key: str) -> Path:
    """The stored file's path, refusing any key that would leave ``root``."""
    base = root.resolve()
    path = (base / storage_key).resolve()
    if base not in path.parents:
        raise NotFoundError("证明材料不存在")
    return path


def open_evidence(
    *, session: Session, actor: Actor, evidence_id: int, upload_dir: Path | None = None
) -> tuple[ReportEvidence, Path]:
    """An evidence file's row and path, for the parties, their bureau and admins only."""
    evidence = session.get(ReportEvidence, evidence_id)
    if evidence is None:
        raise NotFoundError("证明材料不存在")
    report = session.get(OutcomeReport, evidence.report_id)
    agreement = session.get(PairingAgreement, report.agreement_id)
    village = session.get(Village, agreement.village_id)
    require(can_see_agreement(actor, agreement.enterprise_id, village.id, village.county_code))
    path = resolve(upload_root(upload_dir), evidence.storage_key)
    if not path.is_file():
        raise NotFoundError("证明材料文件缺失，请联系管理员")
    return evidence, path


THUMBNAIL_SIDE = 240
THUMBNAIL_SUFFIX = ".thumb.jpg"


def is_picture(content_type: str) -> bool:
    return content_type in IMAGE_FORMATS


def thumbnail(original: Path, content_type: str) -> Path:
    """The picture's thumbnail (at most THUMBNAIL_SIDE pixels a side, JPEG), made on first use
    and kept beside the file. Call it after ``open_evidence`` has checked the reader and its
    session has closed: decoding never runs inside a unit of work. Written to a temporary name
    and renamed, so a reader never sees half a thumbnail; two first readers write the same bytes."""
    if not is_picture(content_type):
        raise NotFoundError("该证明材料没有缩略图")
    path = original.with_name(original.name + THUMBNAIL_SUFFIX)
    if path.is_file():
        return path
    with Image.open(original) as source:
        source.load()
        picture = source.convert("RGB")
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(encoded(picture, image_format="JPEG", quality=80))
    os.replace(temporary, path)
    return path
