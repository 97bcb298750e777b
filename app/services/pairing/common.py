"""Helpers every pairing service shares: loading with the village's county, versions, amounts."""

from typing import Any

from pydantic import field_validator
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from app.errors import ConflictError, DomainError, NotFoundError
from app.models import PairingAgreement, Village
from app.money import yuan_to_fen

STALE_MESSAGE = "该协议已被他人修改，请刷新后再试"
STALE_REPORT_MESSAGE = "该报告已被他人处理，请刷新后再试"


def stale(message: str = STALE_MESSAGE) -> ConflictError:
    return ConflictError(message, code="stale_version")


def load_agreement(session: Session, agreement_id: int) -> tuple[PairingAgreement, Village]:
    """The agreement and its village (whose county decides which bureau is responsible)."""
    agreement = session.get(PairingAgreement, agreement_id)
    if agreement is None:
        raise NotFoundError("结对协议不存在")
    village = session.get(Village, agreement.village_id)
    assert village is not None  # foreign key
    return agreement, village


def check_version(seen: int, current: int, message: str = STALE_MESSAGE) -> None:
    """The form carried the version the user saw; anything else means someone acted first."""
    if seen != current:
        raise stale(message)


def flush_versioned(session: Session, message: str = STALE_MESSAGE) -> None:
    """Flush an update guarded by ``version_id_col``; a row changed meanwhile is a conflict."""
    try:
        session.flush()
    except StaleDataError:
        raise stale(message) from None


def yuan_validator(*names: str) -> Any:
    """A pydantic validator turning amounts typed in 元 (blank: 0) into integer 分."""

    def convert(cls, value, info):
        label = cls.model_fields[info.field_name].title or "金额"
        if value is None or (isinstance(value, str) and not value.strip()):
            return 0
        if isinstance(value, bool):
            raise ValueError(f"{label}应为数字，如 12.50")
        try:
            return yuan_to_fen(str(value), label=label)
        except DomainError as exc:
            raise ValueError(exc.message) from None

    return field_validator(*names, mode="before")(convert)


def blank_as_zero(*names: str) -> Any:
    """A pydantic validator reading an empty form field as 0 (counts the user left blank)."""

    def convert(cls, value):
        return 0 if value is None or (isinstance(value, str) and not value.strip()) else value

    return field_validator(*names, mode="before")(convert)
