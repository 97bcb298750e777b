"""Database refusals reported by their real cause: integrity errors by constraint kind and name
(never a blanket "duplicate"), numbers beyond 64 bits and NUL characters as domain errors."""

import pytest
import sqlalchemy as sa

from app.db_errors import CHECK, FOREIGN_KEY, NOT_NULL, UNIQUE, integrity_error, violation
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Counter, Order, OutcomeReport, PairingAgreement, Product, Village
from app.models.enums import AgreementStatus
from app.services.pairing.proposals import OPEN_PAIR
from app.services.pairing.reports import ONE_PER_PERIOD
from tests.factories import make_agreement, make_product, make_village


def refused(session, *rows) -> sa.exc.IntegrityError:
    with pytest.raises(sa.exc.IntegrityError) as caught, session.begin_nested():
        session.add_all(rows)
        session.flush()
    return caught.value


def test_a_unique_violation_is_a_conflict_that_says_what_exists(session):
    session.add(Counter(name="order:20260101", value=1))
    session.flush()
    exc = refused(session, Counter(name="order:20260101", value=2))
    assert violation(exc).kind == UNIQUE
    error = integrity_error(exc)
    assert (type(error), error.code) == (ConflictError, "unique_violation")
    assert "重复" not in error.message


def test_a_foreign_key_violation_is_not_found_never_a_duplicate(session):
    product = make_product(session)
    order = Order(
        number="DD-1",
        buyer_id=987654,
        product_id=product.id,
        quantity=1,
        unit_price_fen=1,
        amount_fen=1,
    )
    exc = refused(session, order)
    assert violation(exc).kind == FOREIGN_KEY
    error = integrity_error(exc, dict.fromkeys(OPEN_PAIR, ConflictError("重复")))
    assert (type(error), error.code) == (NotFoundError, "foreign_key_violation")
    assert "重复" not in error.message


def test_a_check_violation_names_its_constraint(session):
    product = make_product(session)
    product.price_fen = -1
    with pytest.raises(sa.exc.IntegrityError) as caught, session.begin_nested():
        session.flush()
    found = violation(caught.value)
    assert found.kind == CHECK
    assert "price_fen" in found.name
    error = integrity_error(caught.value)
    assert (type(error), error.code) == (ValidationError, "check_violation")


def test_a_not_null_violation_names_its_column(session):
    exc = refused(
        session,
        Village(code="140829100299", name=None, township_code="140829100", county_code="140829"),
    )
    found = violation(exc)
    assert found.kind == NOT_NULL
    assert found.column == "name"
    error = integrity_error(exc)
    assert (type(error), error.code, error.field) == (ValidationError, "not_null_violation", "name")


def test_the_open_pair_index_is_recognised_on_this_database(session):
    # Given an open agreement, when a second open one for the same pair is inserted
    agreement = make_agreement(session, status=AgreementStatus.proposed)
    twin = PairingAgreement(
        **{
            c: getattr(agreement, c)
            for c in ("enterprise_id", "village_id", "help_kinds", "start_on", "end_on")
        },
        number="JD-2026-999999",
        status=AgreementStatus.proposed,
    )
    exc = refused(session, twin)
    # Then the refusal is named as the services expect it, and only it says "duplicate"
    assert violation(exc).name in OPEN_PAIR
    error = integrity_error(exc, dict.fromkeys(OPEN_PAIR, ConflictError("重复", code="dup")))
    assert error.code == "dup"


def test_the_one_report_per_quarter_constraint_is_recognised_on_this_database(session):
    agreement = make_agreement(session, status=AgreementStatus.active)
    session.add(OutcomeReport(agreement_id=agreement.id, year=2026, quarter=1, narrative="x" * 10))
    session.flush()
    exc = refused(
        session, OutcomeReport(agreement_id=agreement.id, year=2026, quarter=1, narrative="y" * 10)
    )
    assert violation(exc).name in ONE_PER_PERIOD


def test_an_unexpected_integrity_error_leaves_the_unit_of_work_as_a_domain_error(fresh_db):
    with fresh_db.unit_of_work() as session:
        product_id = make_product(session).id
    with pytest.raises(NotFoundError) as caught, fresh_db.unit_of_work() as session:
        session.add(
            Order(
                number="DD-2",
                buyer_id=987654,
                product_id=product_id,
                quantity=1,
                unit_price_fen=1,
                amount_fen=1,
            )
        )
    assert caught.value.code == "foreign_key_violation"
    with fresh_db.read_only() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Order)).scalar_one() == 0


@pytest.mark.parametrize("key", [2**63, 2**64, 10**30, -(2**63) - 1])
def test_a_row_id_beyond_64_bits_is_not_found(session, key):
    # SQLite cannot bind the number (OverflowError); PostgreSQL compares it as numeric.
    try:
        assert session.get(Product, key) is None
        assert session.execute(sa.select(Product).where(Product.id == key)).first() is None
    except NotFoundError as exc:
        assert exc.message == "记录不存在"


@pytest.mark.parametrize("value", [2**63, 10**30])
def test_a_number_too_large_to_store_is_a_validation_error(session, value):
    product = make_product(session)
    with pytest.raises(ValidationError) as caught, session.begin_nested():
        session.execute(sa.update(Product).where(Product.id == product.id).values(stock=value))
    assert caught.value.code == "value_out_of_range"


def test_nul_in_a_query_is_a_validation_error_or_nothing(session, database_factory):
    make_village(session)
    query = sa.select(Village).where(Village.name == "南\x00坡村")
    if database_factory.is_postgres:
        with pytest.raises(ValidationError) as caught:
            session.execute(query)
        assert caught.value.code == "text_control"
    else:
        assert session.execute(query).first() is None
