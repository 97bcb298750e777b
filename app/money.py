"""Exact money: stored as integer 分 (fen), entered and exposed as decimal 元 (yuan).

Bounds (docs/decisions/0020-input-bounds.md): no single amount exceeds MAX_AMOUNT_FEN and no unit
price MAX_UNIT_PRICE_FEN, so a sum over ten million rows (or three amount columns added together)
stays far below 2^63 − 1 分, the limit of SQLite's SUM and PostgreSQL's bigint.
"""

from decimal import Decimal, InvalidOperation

from app.errors import ValidationError

INT64_MAX = 2**63 - 1
# ¥1,000,000,000 (十亿元): a commitment, funding amount, reserved share, need or order.
MAX_AMOUNT_FEN = 100_000_000_000
# ¥10,000,000 (一千万元) per unit of a product or a demand's highest unit price.
MAX_UNIT_PRICE_FEN = 1_000_000_000
# Rows one aggregate may add up, with room to spare (the province has ~10^5 products).
MAX_SUMMED_ROWS = 10_000_000
# Kept for callers of the old name: the largest single amount.
MAX_FEN = MAX_AMOUNT_FEN

assert MAX_AMOUNT_FEN * MAX_SUMMED_ROWS * 3 < INT64_MAX


def yuan_label(fen: int) -> str:
    """A bound in 元 for a message: 10^9 分 → "1,000 万元", 10^11 分 → "10 亿元"."""
    yuan = fen // 100
    if yuan % 100_000_000 == 0:
        return f"{yuan // 100_000_000:,} 亿元"
    if yuan % 10_000 == 0:
        return f"{yuan // 10_000:,} 万元"
    return f"{yuan:,} 元"


def yuan_to_fen(
    raw: str | int | Decimal,
    *,
    field: str = "amount",
    label: str = "金额",
    maximum: int = MAX_AMOUNT_FEN,
) -> int:
    """Parse an amount in 元 ("12.34", "1,200", 5) into 分; at most two decimals, never negative,
    at most ``maximum`` 分."""
    text = str(raw).strip().replace(",", "").replace("，", "").removeprefix("¥").strip()
    if not text:
        raise ValidationError(f"请填写{label}", code="required", field=field)
    if len(text) > 40:
        # Decimal would happily parse a thousand digits; nothing that long is a valid amount.
        raise ValidationError(f"{label}超出允许范围", code="amount_too_large", field=field)
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
    if value > Decimal(maximum) / 100:
        raise ValidationError(
            f"{label}不能超过 {yuan_label(maximum)}", code="amount_too_large", field=field
        )
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValidationError(
            f"{label}最多保留两位小数（精确到分）", code="amount_precision", field=field
        )
    return int(fen)


def fen_to_yuan(fen: int) -> str:
    """Render 分 as a plain decimal string in 元 with two decimals ("1234.50"), exactly."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
