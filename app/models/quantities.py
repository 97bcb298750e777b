"""What one unit of a product holds, read from its name and unit (existing rows, imports).

``quantities_of("北景柿子 精品礼盒4斤装", "盒")`` → (2000, None); ``("柴鸡蛋 30枚装", "盒")`` →
(None, 30); ``("红薯", "斤")`` → (500, None); ``("布老虎", "件")`` → (None, 1); a unit that says
nothing (箱 or 盒 without a size) → (None, None).
"""

import re

GRAMS_PER = {"斤": 500, "公斤": 1000, "千克": 1000, "kg": 1000, "克": 1, "g": 1}
_WEIGHT = re.compile(r"(\d+(?:\.\d+)?)\s*(公斤|千克|kg|斤|克|g)装")
_PIECES = re.compile(r"(\d+)\s*(枚|个|只|颗)装")


def quantities_of(name: str, unit: str) -> tuple[int | None, int | None]:
    """(net weight in grams, pieces) of one unit, when the name or the unit says."""
    weight = _WEIGHT.search(name)
    if weight:
        grams = round(float(weight[1]) * GRAMS_PER[weight[2]])
        return (grams or None), None
    pieces = _PIECES.search(name)
    if pieces and int(pieces[1]) > 0:
        return None, int(pieces[1])
    if unit in GRAMS_PER and unit not in ("克", "g"):
        return GRAMS_PER[unit], None
    if unit in PIECE_UNITS:
        return None, 1
    return None, None


PIECE_UNITS = ("件", "个", "只", "枚")
