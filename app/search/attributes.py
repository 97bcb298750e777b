"""Filter values packed into one integer column per document, instead of indexed terms.

A term costs a posting per document and per value at every rebuild; a packed column costs one
8-byte value per document. At query time each segment decodes its column once into a bit set per
(field, value) — see ``SegmentData.attribute_masks`` — and keeps them, so filters and facet
counts are as cheap as with terms. Bit positions are part of the index format: changing a layout
needs ``SCHEMA_VERSION`` bumped.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.models.enums import (
    INDUSTRY_SECTIONS,
    Certification,
    CountyCategory,
    EnterpriseKind,
    HelpKind,
    ProductCategory,
)


@dataclass(frozen=True, slots=True)
class Part:
    """One field of the packed integer: a single value (``choice``) or a set of flags."""

    name: str
    shift: int
    values: tuple[str, ...]
    flags: bool = False

    @property
    def width(self) -> int:
        # A choice stores index + 1, so 0 means "none".
        return len(self.values) if self.flags else (len(self.values) + 1).bit_length()

    def encode(self, value: str | Sequence[str] | None) -> int:
        if self.flags:
            bits = 0
            for member in value or ():
                bits |= 1 << self.values.index(str(member))
            return bits << self.shift
        return 0 if value in (None, "") else (self.values.index(str(value)) + 1) << self.shift

    def decode(self, packed: int) -> list[str]:
        field = packed >> self.shift & ((1 << self.width) - 1)
        if self.flags:
            return [v for i, v in enumerate(self.values) if field >> i & 1]
        return [self.values[field - 1]] if field else []


class Layout:
    """The parts of one index's packed ``attrs`` column, laid out one after another."""

    def __init__(self, *parts: tuple[str, Sequence[str], bool]):
        self.parts: dict[str, Part] = {}
        shift = 0
        for name, values, flags in parts:
            part = Part(name, shift, tuple(str(v) for v in values), flags)
            self.parts[name] = part
            shift += part.width
        if shift > 62:
            raise ValueError("attributes do not fit in a signed 64-bit column")

    def encode(self, **values) -> int:
        return sum(self.parts[name].encode(value) for name, value in values.items())

    def decode(self, packed: int) -> list[tuple[str, str]]:
        """Every (part, value) the packed integer holds."""
        return [(name, v) for name, part in self.parts.items() for v in part.decode(packed)]


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


MONTHS = [str(m) for m in range(1, 13)]

PRODUCT_ATTRIBUTES = Layout(
    ("category", _values(ProductCategory), False),
    ("county_category", _values(CountyCategory), False),
    ("certs", _values(Certification), True),
    ("months", MONTHS, True),
    ("in_stock", ["1"], True),
)
PAIRING_ATTRIBUTES = Layout(
    ("kind", ["village", "enterprise"], False),
    ("county_category", _values(CountyCategory), False),
    ("key_village", ["1"], True),
    ("has_partner", ["1"], True),
    ("help", _values(HelpKind), True),
    ("enterprise_kind", _values(EnterpriseKind), False),
    ("industry", list(INDUSTRY_SECTIONS), False),
)
