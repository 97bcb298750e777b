"""The database itself refuses bad rows, whatever code writes them (SQLite and PostgreSQL)."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from app.models import (
    Cooperative,
    County,
    Enterprise,
    Order,
    OutcomeReport,
    PairingAgreement,
    Product,
    Village,
)
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_enterprise,
    make_product,
    make_township,
    make_village,
)


def assert_rejected(session: Session, statement) -> None:
    """The statement fails with an integrity error and the session stays usable."""
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.execute(statement)


def test_negative_price_is_rejected(session):
    product = make_product(session)
    assert_rejected(
        session, sa.update(Product).where(Product.id == product.id).values(price_fen=-1)
    )


def test_negative_stock_is_rejected(session):
    product = make_product(session)
    assert_rejected(session, sa.update(Product).where(Product.id == product.id).values(stock=-5))


def test_negative_commitment_is_rejected(session):
    agreement = make_agreement(session)
    assert_rejected(
        session,
        sa.update(PairingAgreement.__table__)
        .where(PairingAgreement.__table__.c.id == agreement.id)
        .values(commit_funding_business_fen=-100),
    )


def test_unknown_status_is_rejected(session):
    agreement = make_agreement(session)
    assert_rejected(
        session,
        sa.update(PairingAgreement.__table__)
        .where(PairingAgreement.__table__.c.id == agreement.id)
        .values(status="archived"),
    )


def test_unknown_county_category_is_rejected(session):
    assert_rejected(
        session, sa.insert(County).values(code="140800", name="运城市", category="capital")
    )


def test_term_ending_before_start_is_rejected(session):
    agreement = make_agreement(session)
    assert_rejected(
        session,
        sa.update(PairingAgreement.__table__)
        .where(PairingAgreement.__table__.c.id == agreement.id)
        .values(end_on=date(2025, 12, 31)),
    )


def test_duplicate_credit_code_is_rejected(session):
    enterprise = make_enterprise(session)
    assert_rejected(
        session,
        sa.insert(Enterprise).values(
            credit_code=enterprise.credit_code,
            name="另一家公司",
            kind="private",
            industry="C",
            county_code="140829",
            external_region="",
            offers=0,
            reserved_share_fen=0,
            introduction="",
            contact_name="",
            contact_phone="",
            status="approved",
            status_reason="",
            created_at=enterprise.created_at,
            updated_at=enterprise.updated_at,
        ),
    )


def test_duplicate_village_code_is_rejected(session):
    village = make_village(session)
    columns = [c.name for c in Village.__table__.columns if c.name != "id"]
    values = {c: getattr(village, c) for c in columns} | {"name": "重名村"}
    assert_rejected(session, sa.insert(Village).values(**values))


def test_village_code_outside_its_township_is_rejected(session):
    township = make_township(session)
    village = make_village(session)
    assert_rejected(
        session,
        sa.update(Village)
        .where(Village.id == village.id)
        .values(code=f"140830{township.code[6:]}201"),
    )


def test_missing_foreign_key_target_is_rejected(session):
    product = make_product(session)
    assert_rejected(
        session, sa.update(Product).where(Product.id == product.id).values(village_id=999_999)
    )


def test_second_open_agreement_for_the_same_pair_is_rejected(session):
    first = make_agreement(session)
    table = PairingAgreement.__table__
    row = {c.name: getattr(first, c.key) for c in table.columns if c.name != "id"}
    assert_rejected(session, sa.insert(table).values(**(row | {"number": "JD-2026-999999"})))


def test_closed_agreements_do_not_block_a_new_pairing(session):
    first = make_agreement(session, status="declined")
    second = make_agreement(
        session,
        enterprise=session.get(Enterprise, first.enterprise_id),
        village=session.get(Village, first.village_id),
    )
    assert second.id != first.id


def test_order_amount_must_equal_quantity_times_price(session):
    product = make_product(session)
    buyer = make_enterprise(session)
    row = {
        "number": "DD-20261129-000001",
        "buyer_id": buyer.id,
        "product_id": product.id,
        "quantity": 3,
        "unit_price_fen": 3500,
        "amount_fen": 10_000,
        "status": "placed",
        "shipping_address": "",
        "note": "",
        "cancel_reason": "",
        "rating_comment": "",
        "placed_at": product.created_at,
        "updated_at": product.created_at,
        "version": 1,
    }
    assert_rejected(session, sa.insert(Order.__table__).values(**row))
    session.execute(sa.insert(Order.__table__).values(**(row | {"amount_fen": 10_500})))


def test_report_quarter_must_be_one_to_four(session):
    agreement = make_agreement(session)
    assert_rejected(
        session,
        sa.insert(OutcomeReport.__table__).values(
            agreement_id=agreement.id,
            year=2026,
            quarter=5,
            actual_funding_business_fen=0,
            actual_funding_welfare_fen=0,
            actual_jobs=0,
            actual_trainees=0,
            actual_purchase_fen=0,
            actual_beneficiaries=0,
            narrative="",
            status="submitted",
            return_comment="",
            submitted_at=agreement.proposed_at,
            updated_at=agreement.proposed_at,
            version=1,
        ),
    )


def test_enterprise_needs_a_county_or_an_external_region(session):
    enterprise = make_enterprise(session)
    assert_rejected(
        session,
        sa.update(Enterprise)
        .where(Enterprise.id == enterprise.id)
        .values(county_code=None, external_region=""),
    )


def test_lifted_members_cannot_exceed_members(session):
    cooperative = make_cooperative(session)
    assert_rejected(
        session,
        sa.update(Cooperative)
        .where(Cooperative.id == cooperative.id)
        .values(members=3, lifted_members=4),
    )


def test_enterprise_capacity_cannot_be_negative(session):
    enterprise = make_enterprise(session)
    assert_rejected(
        session, sa.update(Enterprise).where(Enterprise.id == enterprise.id).values(max_villages=-1)
    )
