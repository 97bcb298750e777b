"""When a term may start and which quarters a report may be for, at each boundary; the clock's
fake today; migration 0017 flagging the rows made before the rules."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from app import migrate
from app.config import Environment, Settings, get_settings
from app.db import create_db_engine
from app.deploy import deployment_problems
from app.errors import ValidationError
from app.models import Event, PairingAgreement
from app.services import clock
from app.services.pairing import accept_plan, propose_agreement, revise_proposal
from app.services.pairing.periods import local_today
from app.services.pairing.terms import add_months, check_start
from tests.factories import make_agreement, make_enterprise, make_village
from tests.pairing_factories import bureau_actor, enterprise_actor, make_report


@pytest.mark.parametrize(
    ("today", "start", "late"),
    [
        # The last day of a quarter: its first day is not late, the grace reaches 30 days back.
        (date(2026, 12, 31), date(2026, 10, 1), False),
        (date(2026, 12, 31), date(2026, 9, 30), True),
        (date(2026, 12, 31), date(2026, 9, 1), True),
        # The first day of the next quarter (and year): yesterday is already a late start.
        (date(2027, 1, 1), date(2027, 1, 1), False),
        (date(2027, 1, 1), date(2026, 12, 31), True),
        (date(2027, 1, 1), date(2026, 12, 2), True),
        # The lead-time edge: six months ahead to the day.
        (date(2027, 1, 15), date(2027, 7, 15), False),
    ],
)
def test_a_start_within_the_window_is_accepted(today, start, late):
    assert check_start(start, today=today) is late


@pytest.mark.parametrize(
    ("today", "start", "code", "message"),
    [
        (
            date(2026, 12, 31),
            date(2026, 8, 31),
            "start_too_early",
            "开始日期不能早于本季度（2026年第4季度）第一天 2026年10月1日；"
            "补录已签订的纸质协议，最早可从 2026年9月1日 开始",
        ),
        (
            date(2027, 1, 1),
            date(2026, 12, 1),
            "start_too_early",
            "开始日期不能早于本季度（2027年第1季度）第一天 2027年1月1日；"
            "补录已签订的纸质协议，最早可从 2026年12月2日 开始",
        ),
        (
            date(2027, 1, 15),
            date(2027, 7, 16),
            "start_too_far",
            "开始日期不能晚于 2027年7月15日（最多提前 6 个月）",
        ),
    ],
)
def test_a_start_outside_the_window_is_a_chinese_field_error(today, start, code, message):
    with pytest.raises(ValidationError) as refused:
        check_start(start, today=today)
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        code,
        "start_on",
        message,
    )


def test_without_a_grace_the_error_offers_no_late_start(monkeypatch):
    monkeypatch.setattr(get_settings(), "agreement_late_start_grace_days", 0)
    with pytest.raises(ValidationError) as refused:
        check_start(date(2026, 12, 31), today=date(2027, 1, 1))
    assert refused.value.message == "开始日期不能早于本季度（2027年第1季度）第一天 2027年1月1日"


def test_months_ahead_keep_the_day_or_take_the_month_s_last():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 30), 2) == date(2027, 1, 30)


def test_shanghai_not_utc_decides_the_quarter():
    # 2026-12-31T17:00Z is already 1 January 2027 in Shanghai: a start in December is late.
    moment = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    today = local_today(moment)
    assert today == date(2027, 1, 1)
    assert check_start(date(2026, 12, 31), today=today) is True
    assert check_start(date(2026, 12, 31), today=moment.date()) is False


def test_the_clock_takes_the_fake_today_in_development_only(today_is, monkeypatch):
    today_is(date(2027, 1, 15))
    assert clock.today() == local_today() == date(2027, 1, 15)
    assert clock.local_date(clock.now()) == date(2027, 1, 15)
    monkeypatch.setattr(get_settings(), "environment", Environment.production)
    assert clock.today() == datetime.now(clock.SHANGHAI).date()  # ignored in production


def test_check_deploy_refuses_a_fake_today():
    settings = Settings(
        environment=Environment.production, secret_key="s" * 40, fake_today=date(2027, 1, 15)
    )
    assert "CUNQI_FAKE_TODAY 只用于开发与演示，生产环境必须不设置" in deployment_problems(settings)
    clean = Settings(environment=Environment.production, secret_key="s" * 40)
    assert not any("FAKE_TODAY" in p for p in deployment_problems(clean))


def _proposal(enterprise, village, start: str, end: str) -> dict:
    return {
        "enterprise_id": enterprise.id,
        "village_id": village.id,
        "help_kinds": ["industry"],
        "start_on": start,
        "end_on": end,
        "commit_beneficiaries": 50,
    }


def _count(session, model) -> int:
    return session.exec(select(sa.func.count()).select_from(model)).one()


def test_a_late_start_proposal_is_stored_flagged_and_too_early_writes_nothing(session, today_is):
    enterprise, village = make_enterprise(session), make_village(session)
    actor = enterprise_actor(enterprise)
    today_is(date(2027, 1, 10))
    before = (_count(session, PairingAgreement), _count(session, Event))
    with pytest.raises(ValidationError) as refused:
        propose_agreement(
            session=session,
            actor=actor,
            data=_proposal(enterprise, village, "2026-11-30", "2029-11-29"),
        )
    assert refused.value.code == "start_too_early"
    assert (_count(session, PairingAgreement), _count(session, Event)) == before
    late = propose_agreement(
        session=session,
        actor=actor,
        data=_proposal(enterprise, village, "2026-12-15", "2029-12-14"),
    )
    assert late.late_start is True
    # Revising to a start inside the quarter clears the flag; to one too early is refused.
    revised = revise_proposal(
        session=session,
        actor=actor,
        agreement_id=late.id,
        expected_version=late.version,
        data={
            "help_kinds": ["industry"],
            "start_on": "2027-02-01",
            "end_on": "2030-01-31",
            "commit_beneficiaries": 50,
        },
    )
    assert revised.late_start is False
    with pytest.raises(ValidationError):
        revise_proposal(
            session=session,
            actor=actor,
            agreement_id=late.id,
            expected_version=revised.version,
            data={
                "help_kinds": ["industry"],
                "start_on": "2026-10-01",
                "end_on": "2029-09-30",
                "commit_beneficiaries": 50,
            },
        )
    assert session.get(PairingAgreement, late.id).start_on == date(2027, 2, 1)


def test_a_coverage_plan_starting_too_far_ahead_is_refused(session, today_is):
    today_is(date(2027, 1, 10))
    village = make_village(session, key_village=True)
    enterprise = make_enterprise(session)
    with pytest.raises(ValidationError) as refused:
        accept_plan(
            session=session,
            actor=bureau_actor("140829"),
            lines=[(village.id, enterprise.id)],
            data={"start_on": "2027-08-01", "years": "3"},
        )
    assert refused.value.code == "start_too_far"
    assert _count(session, PairingAgreement) == 0


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_migration_0017_flags_the_rows_that_break_the_rules_and_deletes_none(database_factory):
    url = database_factory.new_url("terms")
    engine = create_db_engine(url)
    proposed = _at("2026-05-10T02:00:00")
    with Session(engine) as session:
        enterprise = make_enterprise(session, max_villages=10)

        def agreement(start: date, end: date, at: datetime = proposed) -> int:
            row = make_agreement(
                session,
                enterprise=enterprise,
                start_on=start,
                end_on=end,
                proposed_at=at,
                status="active",
            )
            return row.id

        ids = {
            "before_quarter": agreement(date(2026, 1, 1), date(2028, 12, 31)),
            "late": agreement(date(2026, 3, 15), date(2028, 3, 14)),
            "fine": agreement(date(2026, 4, 1), date(2028, 3, 31)),
            "far": agreement(date(2026, 12, 1), date(2028, 11, 30)),
            # Proposed at 01:00 on 1 January 2027 in Shanghai (still 2026 in UTC).
            "new_year": agreement(
                date(2026, 11, 15), date(2028, 11, 14), _at("2026-12-31T17:00:00")
            ),
        }
        fine = session.get(PairingAgreement, ids["fine"])
        late = session.get(PairingAgreement, ids["late"])
        reports = {
            # 23:00 on 30 June in Shanghai: the quarter had not ended.
            "early": make_report(session, fine, 2026, 2, submitted_at=_at("2026-06-30T15:00:00")),
            # 00:00 on 1 July in Shanghai: it had.
            "on_time": make_report(session, late, 2026, 2, submitted_at=_at("2026-06-30T16:00:00")),
            "outside": make_report(session, fine, 2025, 4, submitted_at=_at("2026-06-01T00:00:00")),
        }
        report_ids = {name: r.id for name, r in reports.items()}
        session.commit()
    engine.dispose()
    migrate.downgrade(url, "0016")
    migrate.upgrade(url, "0017")
    engine = create_db_engine(url)
    with engine.connect() as conn:
        agreements = {
            row.id: (row.late_start, row.review_flags)
            for row in conn.execute(
                sa.text("SELECT id, late_start, review_flags FROM pairing_agreements")
            )
        }
        flagged_reports = dict(
            conn.execute(sa.text("SELECT id, review_flags FROM outcome_reports")).all()
        )
        revisions = conn.execute(sa.text("SELECT revision FROM outcome_reports")).scalars().all()
    engine.dispose()
    assert len(agreements) == 5 and len(flagged_reports) == 3  # nothing deleted
    assert {name: (bool(agreements[i][0]), agreements[i][1]) for name, i in ids.items()} == {
        "before_quarter": (False, "start_before_quarter"),
        "late": (True, ""),
        "fine": (False, ""),
        "far": (False, "start_too_far_ahead"),
        "new_year": (False, "start_before_quarter"),
    }
    assert {name: flagged_reports[i] for name, i in report_ids.items()} == {
        "early": "report_quarter_not_ended",
        "on_time": "",
        "outside": "report_outside_term",
    }
    assert set(revisions) == {1}


def test_the_bureau_filters_the_agreements_to_review(session):
    from app.services.pairing import list_agreements

    flagged = make_agreement(session, review_flags="start_before_quarter")
    late = make_agreement(session, late_start=True)
    make_agreement(session)
    page = list_agreements(session=session, actor=bureau_actor("140800"), needs_review=True)
    assert {row.id for row in page.items} == {flagged.id, late.id}
    assert {row.id: (row.late_start, row.review_flags) for row in page.items} == {
        flagged.id: (False, "start_before_quarter"),
        late.id: (True, ""),
    }
