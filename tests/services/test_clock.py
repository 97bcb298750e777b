"""Calendar helpers: years the ledger can be asked about."""

import pytest

from app.errors import ValidationError
from app.services import clock


def test_a_year_outside_the_ledger_is_a_chinese_field_error():
    with pytest.raises(ValidationError) as refused:
        clock.year_bounds(9999)
    assert (refused.value.code, refused.value.field) == ("year_invalid", "year")
    assert refused.value.message == "年份应在 2000 到 2099 之间"
    with pytest.raises(ValidationError) as since:
        clock.valid_year(1999, field="since")
    assert since.value.field == "since"


def test_a_year_inside_it_gives_its_shanghai_bounds():
    start, end = clock.year_bounds(2026)
    assert (start.isoformat(), end.isoformat()) == (
        "2025-12-31T16:00:00+00:00",
        "2026-12-31T16:00:00+00:00",
    )
