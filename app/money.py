"""Exact money: stored as integer 分 (fen), entered and exposed as decimal 元 (yuan)."""

from decimal import Decimal, InvalidOperation

from app.errors import ValidationError

# Large enough for any ledger total, small enough for a signed 64-bit column.
MAX_FEN = 10**15


def yuan_to_fen(raw: str | int | Decimal, *, field: str = "amount", label: str = "金额") -> int:
    """Parse an amount in 元 ("12.34", "1,200", 5) into 分; at most two decimals, never negative."""
    text = str(raw).strip().replace(",", "").replace("，", "").removeprefix("¥").strip()
    if not text:
        raise ValidationError(f"请填写{label}", code="required", field=field)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            f"{label}应为数字，如 12.50", code="invalid_amount", field=field
        ) from None
    if not value.is_finite():
        raise ValidationError(f"{label}应为数字，如 12.50", code="invalid_amount", field=field)
    if value < 0:
        raise ValidationError(f"{label}不能为负数", code="negative_amount", field=field)
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValidationError(
            f"{label}最多保留两位小数（精确到分）", code="amount_precision", field=field
        )
    if fen > MAX_FEN:
        raise ValidationError(f"{label}超出允许范围", code="amount_too_large", field=field)
    return int(fen)


def fen_to_yuan(fen: int) -> str:
    """Render 分 as a plain decimal string in 元 with two decimals ("1234.50"), exactly."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
