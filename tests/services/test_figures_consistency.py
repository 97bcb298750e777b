"""A label means the same number wherever it appears (未结对重点帮扶村 on the home page, the
dashboard, the ledger, the village directory), and terminated agreements are on neither side of
the committed-against-actual ratio (decision 0032)."""

from datetime import date

import sqlalchemy as sa

from app.actors import ANONYMOUS
from app.models import Village
from app.models.enums import AgreementStatus, ReportStatus
from app.services import ledger_sections, overview
from app.services.pairing.directory import VillageFilters, county_overview, list_villages
from app.services.stats.coverage import coverage
from app.services.stats.pairing import committed_by_county, committed_by_quarter
from tests.factories import make_agreement, make_county, make_township, make_village
from tests.pairing_factories import bureau_actor, make_report

A = AgreementStatus
CITY = bureau_actor("140800")


def _villages(session):
    make_county(session)
    make_county(session, code="140830", name="芮城县")
    make_township(session, code="140830100", name="古魏镇", county_code="140830")
    here = [make_village(session, key_village=True) for _ in range(5)]
    there = [
        make_village(
            session,
            code=f"140830100{n:03d}",
            township_code="140830100",
            county_code="140830",
            key_village=True,
        )
        for n in (201, 202)
    ]
    plain = make_village(session)
    return here, there, plain


def test_unpaired_key_villages_are_the_same_number_everywhere(session):
    here, there, plain = _villages(session)
    make_agreement(session, village=here[0], status=A.active)  # paired
    make_agreement(session, village=here[1], status=A.proposed)  # a proposal is not a pairing
    make_agreement(session, village=here[2], status=A.terminated)  # nor an ended one
    make_agreement(session, village=here[3], status=A.completed)
    make_agreement(session, village=there[0], status=A.active)
    make_agreement(session, village=plain, status=A.active)
    counted = session.execute(
        sa.select(Village.county_code, sa.func.count(Village.id))
        .where(overview.is_unpaired_key_village())
        .group_by(Village.county_code)
    ).all()
    by_rule = dict(counted)
    assert by_rule == {"140829": 4, "140830": 1}
    total = sum(by_rule.values())

    home = overview.home_figures(session=session)
    dashboard = coverage(session, CITY)
    directory = {c.code: c.unpaired_key_villages for c in county_overview(session=session)}
    ledger = {row[1]: row[6] for row in ledger_sections._coverage_rows(session, CITY, None)}
    listed = list_villages(
        session=session,
        actor=ANONYMOUS,
        filters=VillageFilters(key_only=True, unpaired_only=True),
    )
    assert home.unpaired_key_villages == total
    assert dashboard.total.unpaired_key_villages == total
    assert len(dashboard.unpaired_key) == total
    assert listed.total == total
    assert directory == ledger == {c.code: c.unpaired_key_villages for c in home.counties}
    assert {code: n for code, n in directory.items() if n} == by_rule
    county = coverage(session, bureau_actor("140830"))
    assert county.total.unpaired_key_villages == by_rule["140830"]


def test_terminated_agreements_are_on_neither_side_of_the_ratio(session):
    here, _there, _plain = _villages(session)
    commitments = {"commit_jobs": 40, "start_on": date(2026, 1, 1), "end_on": date(2026, 12, 31)}
    running = make_agreement(session, village=here[0], status=A.active, **commitments)
    ended = make_agreement(session, village=here[1], status=A.terminated, **commitments)
    make_report(session, running, 2026, 1, status=ReportStatus.verified, actual_jobs=8)
    make_report(session, ended, 2026, 1, status=ReportStatus.verified, actual_jobs=5)
    # A report of a terminated agreement that was never verified counts nowhere.
    make_report(session, ended, 2026, 2, status=ReportStatus.submitted, actual_jobs=3)
    (pinglu,) = [line for line in committed_by_county(session, CITY) if line.key == "140829"]
    assert (pinglu.agreements, pinglu.committed.jobs) == (1, 40)
    assert (pinglu.reports, pinglu.actual.jobs) == (1, 8)
    assert pinglu.terminated_actual.jobs == 5
    quarters = {line.key: line for line in committed_by_quarter(session, CITY, date(2026, 7, 20))}
    q1 = quarters["2026Q1"]
    assert (q1.committed.jobs, q1.actual.jobs, q1.terminated_actual.jobs) == (10, 8, 5)
    assert quarters["2026Q2"].terminated_actual.jobs == 0
