"""Factories per aggregate: valid rows with overridable fields, flushed so they have ids."""

import itertools
from datetime import date

from sqlmodel import Session, select

from app.identifiers import CREDIT_CODE_CHARS, credit_code_check_char
from app.models import (
    Cooperative,
    County,
    Enterprise,
    PairingAgreement,
    Product,
    Township,
    Village,
)
from app.models.enums import AgreementStatus, CountyCategory, EnterpriseKind, ProductCategory
from app.services import pairing_summary

_seq = itertools.count(1)


def valid_credit_code(prefix: str = "91140829") -> str:
    """A credit code with a correct check digit; unique per call."""
    n = next(_seq)
    body = prefix + "".join(CREDIT_CODE_CHARS[(n // 31**i) % 31] for i in range(9))[::-1]
    return body + credit_code_check_char(body)


def make_county(session: Session, **overrides) -> County:
    values = {"code": "140829", "name": "平陆县", "category": CountyCategory.key} | overrides
    county = session.get(County, values["code"]) or County(**values)
    session.add(county)
    session.flush()
    return county


def make_township(session: Session, **overrides) -> Township:
    county = make_county(session)
    values = {
        "code": f"{county.code}100",
        "name": "圣人涧镇",
        "county_code": county.code,
    } | overrides
    township = session.get(Township, values["code"]) or Township(**values)
    session.add(township)
    session.flush()
    return township


def make_village(session: Session, **overrides) -> Village:
    township = make_township(session)
    n = _free_village_number(session, township.code)
    values = {
        "code": f"{township.code}{n:03d}",
        "name": f"测试{n}村",
        "township_code": township.code,
        "county_code": township.county_code,
        "households": 300,
        "population": 1000,
    } | overrides
    village = Village(**values)
    session.add(village)
    session.flush()
    return village


def _free_village_number(session: Session, township_code: str) -> int:
    """The next of 200–999 not yet taken in the township: tests also give some codes themselves,
    and the sequence comes round again once a run has made 800 villages."""
    while True:
        n = next(_seq) % 800 + 200
        code = f"{township_code}{n:03d}"
        if session.exec(select(Village.id).where(Village.code == code)).first() is None:
            return n


def make_enterprise(session: Session, **overrides) -> Enterprise:
    county = make_county(session)
    values = {
        "credit_code": valid_credit_code(),
        "name": f"运城测试企业{next(_seq)}有限公司",
        "kind": EnterpriseKind.private,
        "industry": "A",
        "county_code": county.code,
    } | overrides
    enterprise = Enterprise(**values)
    session.add(enterprise)
    session.flush()
    return enterprise


def make_cooperative(session: Session, **overrides) -> Cooperative:
    village = overrides.pop("village", None) or make_village(session)
    values = {
        "credit_code": valid_credit_code("93140829"),
        "name": f"{village.name}种植专业合作社",
        "village_id": village.id,
        "members": 20,
        "lifted_members": 5,
    } | overrides
    cooperative = Cooperative(**values)
    session.add(cooperative)
    session.flush()
    return cooperative


def make_product(session: Session, **overrides) -> Product:
    cooperative = overrides.pop("cooperative", None) or make_cooperative(session)
    values = {
        "cooperative_id": cooperative.id,
        "village_id": cooperative.village_id,
        "name": "平陆杜马百合",
        "category": ProductCategory.vegetable,
        "unit": "斤",
        "price_fen": 3500,
        "stock": 100,
    } | overrides
    product = Product(**values)
    session.add(product)
    session.flush()
    return product


def make_agreement(session: Session, **overrides) -> PairingAgreement:
    enterprise = overrides.pop("enterprise", None) or make_enterprise(session)
    village = overrides.pop("village", None) or make_village(session)
    values = {
        "number": f"JD-2026-{next(_seq):06d}",
        "enterprise_id": enterprise.id,
        "village_id": village.id,
        "help_kinds": 1,
        "start_on": date(2026, 1, 1),
        "end_on": date(2028, 12, 31),
        "status": AgreementStatus.proposed,
    } | overrides
    agreement = PairingAgreement(**values)
    session.add(agreement)
    session.flush()
    # Count it in the dashboard's summaries as if it had been filed through the services.
    county = session.get(Village, agreement.village_id).county_code
    pairing_summary.agreement_moved(session, agreement, county, AgreementStatus.proposed)
    return agreement
