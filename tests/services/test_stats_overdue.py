"""Overdue agreements: the list reads only the first counties whose counts reach its limit, and
gives exactly the rows an independent list over every county gives."""

from datetime import date

import sqlalchemy as sa

from app.models.enums import AgreementStatus
from app.services.pairing.periods import Quarter, missing_quarters
from app.services.stats.pairing import OVERDUE_LIST_LIMIT, overdue
from tests.factories import make_agreement, make_county, make_township, make_village
from tests.pairing_factories import make_report
from tests.trade_factories import bureau_actor

TODAY = date(2026, 11, 29)  # 2026Q1–Q3 are past their reporting window
ACTIVE = AgreementStatus.active


def village_in(session, code: str, name: str):
    make_county(session, code=code, name=name)
    township = make_township(session, code=f"{code}100", name=f"{name}镇", county_code=code)
    return make_village(
        session, code=f"{code}100201", township_code=township.code, county_code=code
    )


def independent_list(session, county_code: str | None = None) -> list[tuple[int, str]]:
    """The pure rule (``missing_quarters``) over every active agreement, in the list's order."""
    reports: dict[int, set[Quarter]] = {}
    for agreement_id, year, quarter in session.execute(
        sa.text("SELECT agreement_id, year, quarter FROM outcome_reports")
    ):
        reports.setdefault(agreement_id, set()).add(Quarter(year, quarter))
    rows = session.execute(
        sa.text(
            "SELECT a.id, a.number, a.start_on, a.end_on, v.county_code FROM pairing_agreements a"
            " JOIN villages v ON v.id = a.village_id WHERE a.status = 'active'"
            " AND v.county_code LIKE :county"
        ),
        {"county": county_code or "%"},
    ).all()
    late = [
        (county, number, a_id)
        for a_id, number, start_on, end_on, county in rows
        if missing_quarters(
            start_on=_day(start_on),
            end_on=_day(end_on),
            covered=reports.get(a_id, set()),
            today=TODAY,
        )
    ]
    return [(a_id, number) for _county, number, a_id in sorted(late)[:OVERDUE_LIST_LIMIT]]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def listed(result) -> list[tuple[int, str]]:
    return [(a.id, a.number) for a in result.agreements]


def test_the_list_stops_at_the_counties_that_fill_it_and_equals_an_independent_list(session):
    pinglu = make_village(session)  # 140829 平陆县
    ruicheng = village_in(session, "140830", "芮城县")
    yongji = village_in(session, "140881", "永济市")
    # Numbered so that the later counties' agreements sort first by number alone.
    for i in range(3):
        make_agreement(session, village=yongji, status=ACTIVE, number=f"JD-2024-{i:06d}")
    for i in range(2):
        make_agreement(session, village=ruicheng, status=ACTIVE, number=f"JD-2025-{i:06d}")
    for i in range(OVERDUE_LIST_LIMIT - 1):
        make_agreement(session, village=pinglu, status=ACTIVE, number=f"JD-2026-{i:06d}")
    reported = make_agreement(session, village=pinglu, status=ACTIVE, number="JD-2026-100000")
    for quarter in (1, 2, 3):  # every due quarter reported: not overdue
        make_report(session, reported, 2026, quarter)
    make_agreement(session, village=pinglu, status=AgreementStatus.proposed)
    make_agreement(session, village=pinglu, status=ACTIVE, start_on=date(2026, 10, 1))
    city = bureau_actor("140800")

    result = overdue(session, city, TODAY)
    counts = [(code, n) for code, _name, n in result.by_county]
    assert counts == [("140829", 19), ("140830", 2), ("140881", 3)]
    assert listed(result) == independent_list(session)
    assert [a.county_name for a in result.agreements] == ["平陆县"] * 19 + ["芮城县"]
    assert result.agreements[-1].number == "JD-2025-000000"

    for i in range(2):  # now 平陆 alone fills the list
        make_agreement(session, village=pinglu, status=ACTIVE, number=f"JD-2026-2{i:05d}")
    result = overdue(session, city, TODAY)
    assert listed(result) == independent_list(session)
    assert {a.county_name for a in result.agreements} == {"平陆县"}
    assert result.total == 21 + 2 + 3

    county = overdue(session, bureau_actor("140881"), TODAY)
    assert county.by_county == (("140881", "永济市", 3),)
    assert listed(county) == independent_list(session, "140881")
    assert len(county.agreements) == 3
