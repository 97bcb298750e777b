"""The pairing summaries (migration 0010): kept by the lifecycle and report services in the
changing transaction, always equal to a rebuild from the agreements and reports."""

import threading
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from app import migrate
from app.db import Database, create_db_engine
from app.errors import DomainError
from app.models import OutcomeReport, PairingAgreement
from app.models.enums import AgreementStatus, ReportStatus
from app.seed import seed_database
from app.services.pairing import lifecycle
from app.services.pairing.followup import waive_report
from app.services.pairing.proposals import propose_agreement
from app.services.pairing.reports import (
    confirm_report,
    resubmit_report,
    return_report,
    submit_report,
    verify_report,
)
from app.services.pairing_summary import rebuild_pairing_summary, summary_selects
from tests.factories import make_agreement, make_enterprise, make_village
from tests.pairing_factories import bureau_actor, enterprise_actor, make_active, make_report
from tests.pairing_factories import village_actor as village_staff

BUREAU = bureau_actor("140829")


def kept(session: Session) -> dict[str, set[tuple]]:
    """Every summary's rows with a non-zero figure (a row counted down to zero stays)."""
    session.flush()
    return {
        table.name: {
            tuple(row)
            for row in session.execute(sa.select(table)).all()
            if any(row[len(table.primary_key.columns) :])
        }
        for table in summary_selects()
    }


def rebuilt(session: Session) -> dict[str, set[tuple]]:
    """The same rows computed from the agreements and reports."""
    return {
        table.name: {tuple(int(v) if not isinstance(v, str) else v for v in row) for row in rows}
        for table, rows in ((t, session.execute(s).all()) for t, s in summary_selects().items())
    }


def proposal(enterprise, village, **overrides) -> dict:
    return {
        "enterprise_id": enterprise.id,
        "village_id": village.id,
        "help_kinds": ["industry", "employment"],
        "start_on": "2026-01-01",
        "end_on": "2028-12-31",
        "commit_funding_business": "500,000",
        "commit_jobs": 25,
    } | overrides


def report_form(period: str, **overrides) -> dict:
    return {
        "period": period,
        "actual_funding_business": "12,345.67",
        "actual_jobs": "8",
        "narrative": "本季度建成冷库一座，吸纳 8 名脱贫群众就业。",
    } | overrides


def step(session, action: str, agreement: PairingAgreement, today: date | None = None):
    actor = {"sign": village_staff(agreement.village_id)}.get(action, BUREAU)
    return lifecycle.transition_agreement(
        session=session,
        actor=actor,
        agreement_id=agreement.id,
        expected_version=agreement.version,
        action=action,
        reason="企业经营困难" if action == "terminate" else "",
        today=today,
    )


def submit(session, agreement, period: str, today: date, **overrides) -> OutcomeReport:
    return submit_report(
        session=session,
        actor=enterprise_actor(agreement.enterprise_id),
        agreement_id=agreement.id,
        data=report_form(period, **overrides),
        today=today,
    )


def review(session, report: OutcomeReport, action: str) -> OutcomeReport:
    agreement = session.get(PairingAgreement, report.agreement_id)
    if action == "confirm":
        return confirm_report(
            session=session,
            actor=village_staff(agreement.village_id),
            report_id=report.id,
            expected_version=report.version,
        )
    if action == "return":
        return return_report(
            session=session,
            actor=BUREAU,
            report_id=report.id,
            expected_version=report.version,
            comment="就业人数与花名册不符",
        )
    return verify_report(
        session=session, actor=BUREAU, report_id=report.id, expected_version=report.version
    )


def test_every_lifecycle_step_keeps_the_summaries_equal_to_a_rebuild(session, today_is):
    today_is(date(2026, 1, 10))  # the terms start on 1 January 2026
    enterprise = make_enterprise(session)
    villages = [make_village(session) for _ in range(3)]
    actor = enterprise_actor(enterprise)
    checks = 0

    def check():
        nonlocal checks
        assert kept(session) == rebuilt(session)
        checks += 1

    long = propose_agreement(session=session, actor=actor, data=proposal(enterprise, villages[0]))
    short = propose_agreement(
        session=session,
        actor=actor,
        data=proposal(enterprise, villages[1], end_on="2026-12-31", commit_jobs=7),
    )
    ended = propose_agreement(session=session, actor=actor, data=proposal(enterprise, villages[2]))
    check()
    for agreement in (long, short, ended):
        step(session, "sign", agreement)
        check()
        step(session, "file", agreement)
        check()
    # 12 quarters 2026Q1–2028Q4: 50 000 000 分 and 25 jobs, each quarter's share rounded down.
    assert ("140829", 8104, 8115, 2, 100_000_000, 0, 50, 0, 0, 0, 8_333_332, 0, 4, 0, 0, 0) in (
        kept(session)["pairing_commitments"]
    )
    assert kept(session)["enterprise_agreements"] == {("140829", enterprise.id, 3)}

    report = submit(session, long, "2026Q2", date(2026, 7, 10))
    check()
    for action in ("confirm", "return"):
        review(session, report, action)
        check()
    resubmit_report(
        session=session,
        actor=actor,
        report_id=report.id,
        expected_version=report.version,
        data=report_form("2026Q2", actual_jobs="9"),
    )
    check()
    for action in ("confirm", "verify"):
        review(session, report, action)
        check()
    assert kept(session)["pairing_actuals"] == {("140829", 2026, 2, 1, 1_234_567, 0, 9, 0, 0, 0)}

    step(session, "terminate", ended)
    check()
    final = submit(session, short, "2026Q4", date(2027, 1, 5), actual_jobs="3")
    for action in ("confirm", "verify"):
        review(session, final, action)
    for period in ("2026Q1", "2026Q2", "2026Q3"):  # completion needs every quarter settled
        waive_report(
            session=session, actor=BUREAU, agreement_id=short.id, period=period, reason="免报"
        )
        check()
    step(session, "complete", short, today=date(2027, 1, 5))
    check()
    assert short.status == AgreementStatus.completed
    # The completed agreement still counts as filed; only the long one is still active.
    assert kept(session)["enterprise_agreements"] == {("140829", enterprise.id, 1)}
    assert sum(row[3] for row in kept(session)["pairing_commitments"]) == 2
    assert kept(session)["enterprise_reports"] == {
        (8105, "140829", enterprise.id, 1),
        (8107, "140829", enterprise.id, 1),
    }
    assert checks == 18


def test_a_refused_step_changes_no_summary(session):
    agreement = make_active(session, village=make_village(session))
    before = kept(session)
    try:
        step(session, "file", agreement)
    except DomainError as error:
        assert error.code == "invalid_state"
    else:
        raise AssertionError("filing an active agreement was accepted")
    assert kept(session) == before == rebuilt(session)


def test_a_rebuild_equals_what_the_services_kept(session):
    agreement = make_active(session, village=make_village(session))
    make_report(session, agreement, 2026, 1, status=ReportStatus.verified, actual_jobs=4)
    make_report(session, agreement, 2026, 2)
    before = kept(session)
    rebuild_pairing_summary(session)
    assert kept(session) == before == rebuilt(session)
    assert before["pairing_actuals"] == {("140829", 2026, 1, 1, 0, 0, 4, 0, 0, 0)}


def summaries(database: Database) -> dict[str, set[tuple]]:
    with database.read_only() as session:
        return kept(session)


def test_the_migration_backfills_what_a_rebuild_computes(database_factory):
    url = database_factory.new_url("backfill")
    database = Database(create_db_engine(url))
    seed_database(database, scale="tiny", seed=3)  # ends with rebuild_pairing_summary
    with database.read_only() as session:
        assert kept(session) == rebuilt(session)
    seeded = summaries(database)
    assert all(seeded.values())  # every summary has rows to compare
    database.dispose()
    migrate.downgrade(url, "0009")
    migrate.upgrade(url, "0010")
    database = Database(create_db_engine(url))
    assert summaries(database) == seeded
    database.dispose()


def test_concurrent_filings_and_verifications_lose_no_update(fresh_db):
    with fresh_db.unit_of_work() as session:
        enterprise = make_enterprise(session, max_villages=10)  # room for all ten
        signed = [
            make_agreement(
                session,
                enterprise=enterprise,
                village=make_village(session),
                status=AgreementStatus.signed,
                commit_jobs=10 + i,
            ).id
            for i in range(8)
        ]
        active = make_active(session, enterprise=enterprise, village=make_village(session))
        confirmed = [
            make_report(session, active, 2026 + i // 4, i % 4 + 1, status=ReportStatus.confirmed).id
            for i in range(4)
        ]
        extra = make_active(session, enterprise=enterprise, village=make_village(session))
        confirmed += [
            make_report(session, extra, 2026 + i // 4, i % 4 + 1, status=ReportStatus.confirmed).id
            for i in range(4)
        ]
    start = threading.Barrier(2)
    failures: list[str] = []

    def work(half: int) -> None:
        start.wait()
        try:
            for agreement_id in signed[half::2]:
                with fresh_db.unit_of_work() as session:
                    lifecycle.file_agreement(
                        session=session,
                        actor=BUREAU,
                        agreement_id=agreement_id,
                        expected_version=1,
                    )
            for report_id in confirmed[half::2]:
                with fresh_db.unit_of_work() as session:
                    verify_report(
                        session=session, actor=BUREAU, report_id=report_id, expected_version=1
                    )
        except Exception as exc:  # the assertion below shows it
            failures.append(repr(exc))

    threads = [threading.Thread(target=work, args=(half,)) for half in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    with fresh_db.read_only() as session:
        figures = kept(session)
        assert figures == rebuilt(session)
        commitments = {row[:3]: row[3] for row in figures["pairing_commitments"]}
        assert commitments == {("140829", 8104, 8115): 8, ("140829", 8104, 8111): 2}
        assert figures["enterprise_agreements"] == {("140829", enterprise.id, 10)}
        assert {row[:4] for row in figures["pairing_actuals"]} == {
            ("140829", 2026, quarter, 2) for quarter in (1, 2, 3, 4)
        }
