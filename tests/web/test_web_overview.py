"""app/services/overview.py: the home page figures."""

from collections import Counter

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.models import Cooperative, Enterprise, PairingAgreement, Product, Village
from app.models.enums import AgreementStatus, CountyCategory
from app.services.overview import CountyFigures, home_figures
from tests.web.web_factories import make_home_scenario, make_yuncheng_counties


@pytest.fixture
def statements(shared_db):
    """The SQL statements sent while the test runs (SQLite's own BEGIN left out)."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith("BEGIN"):
            sent.append(statement)

    sa.event.listen(shared_db.engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(shared_db.engine, "before_cursor_execute", record)


def test_empty_database_gives_empty_figures(session):
    figures = home_figures(session=session)
    assert figures.is_empty
    assert (figures.villages, figures.agreements, figures.enterprises) == (0, 0, 0)
    assert figures.agreements_by_status == tuple((s, 0) for s in AgreementStatus)


def test_counties_without_villages_show_zeros(session):
    make_yuncheng_counties(session)
    figures = home_figures(session=session)
    assert not figures.is_empty
    assert [(g.category, len(g.counties)) for g in figures.categories] == [
        (CountyCategory.demonstration, 2),
        (CountyCategory.overall, 8),
        (CountyCategory.key, 3),
    ]
    assert [c.name for c in figures.categories[2].counties] == ["绛县", "垣曲县", "平陆县"]
    assert figures.villages == figures.key_villages == figures.paired_villages == 0


def test_figures_of_the_scenario(session):
    make_home_scenario(session)
    figures = home_figures(session=session)
    assert figures.categories[0].counties[0] == CountyFigures(
        code="140802",
        name="盐湖区",
        category=CountyCategory.demonstration,
        villages=2,
        key_villages=1,
        paired_villages=0,
        unpaired_key_villages=1,
    )
    assert figures.categories[2].counties[2] == CountyFigures(
        code="140829",
        name="平陆县",
        category=CountyCategory.key,
        villages=3,
        key_villages=2,
        paired_villages=2,
        unpaired_key_villages=1,
    )
    assert (
        figures.villages,
        figures.key_villages,
        figures.paired_villages,
        figures.unpaired_key_villages,
    ) == (5, 3, 2, 2)
    assert dict(figures.agreements_by_status) == {
        AgreementStatus.draft: 0,
        AgreementStatus.proposed: 1,
        AgreementStatus.signed: 0,
        AgreementStatus.returned: 0,
        AgreementStatus.active: 3,
        AgreementStatus.completed: 1,
        AgreementStatus.declined: 0,
        AgreementStatus.withdrawn: 0,
        AgreementStatus.terminated: 1,
    }
    assert [type(status) for status, _ in figures.agreements_by_status] == [AgreementStatus] * 9
    assert figures.agreements == 6
    assert (figures.enterprises, figures.cooperatives, figures.listed_products) == (2, 1, 2)
    assert (figures.categories[2].villages, figures.categories[2].paired_villages) == (3, 2)


def test_figures_equal_counts_made_row_by_row(session):
    make_home_scenario(session)
    figures = home_figures(session=session)

    villages = session.exec(select(Village)).all()
    agreements = session.exec(select(PairingAgreement)).all()
    paired = {a.village_id for a in agreements if a.status == AgreementStatus.active}
    for county in figures.counties:
        mine = [v for v in villages if v.county_code == county.code]
        assert county.villages == len(mine)
        assert county.key_villages == sum(v.key_village for v in mine)
        assert county.paired_villages == sum(v.id in paired for v in mine)
        assert county.unpaired_key_villages == sum(
            v.key_village and v.id not in paired for v in mine
        )
    assert figures.villages == len(villages)
    by_status = Counter(AgreementStatus(a.status) for a in agreements)
    assert dict(figures.agreements_by_status) == {s: by_status[s] for s in AgreementStatus}
    approved = "approved"
    assert figures.enterprises == sum(
        e.status == approved for e in session.exec(select(Enterprise))
    )
    assert figures.cooperatives == sum(
        c.status == approved for c in session.exec(select(Cooperative))
    )
    assert figures.listed_products == sum(
        p.status == "listed" for p in session.exec(select(Product))
    )


def test_figures_take_three_aggregate_queries_whatever_the_data(session, statements):
    make_home_scenario(session)
    session.flush()
    statements.clear()
    home_figures(session=session)
    assert len(statements) == 3
    assert all("GROUP BY" in s.upper() for s in statements[:2])
