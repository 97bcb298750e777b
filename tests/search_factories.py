"""Rows in several real counties for the search tests, and indexes built from a session."""

import itertools
from pathlib import Path

from sqlmodel import Session

from app.models import Cooperative, Enterprise, Product, Township, Village
from app.models.enums import CountyCategory, ProductCategory, ProductStatus, RegistrationStatus
from app.search import index as index_files
from app.search.documents import all_product_documents
from app.search.pairing_documents import all_pairing_documents
from app.search.rebuild import write_all
from app.search.schema import PAIRING, PRODUCTS
from app.search.service import SearchService
from tests.factories import (
    make_cooperative,
    make_county,
    make_enterprise,
    make_product,
    make_township,
    make_village,
)

COUNTIES = {
    "140829": ("平陆县", CountyCategory.key),
    "140822": ("万荣县", CountyCategory.overall),
    "140824": ("稷山县", CountyCategory.overall),
    "140830": ("芮城县", CountyCategory.overall),
    "140802": ("盐湖区", CountyCategory.demonstration),
}
_numbers = itertools.count(200)


def village_in(session: Session, county_code: str = "140829", **overrides) -> Village:
    """A village of a real county (the county and one township are created when missing)."""
    name, category = COUNTIES[county_code]
    make_county(session, code=county_code, name=name, category=category)
    township_code = f"{county_code}100"
    township = session.get(Township, township_code) or make_township(
        session, code=township_code, name=f"{name[:2]}城关镇", county_code=county_code
    )
    n = next(_numbers)
    values = {
        "code": f"{township.code}{n % 800 + 200:03d}",
        "name": f"测{n}庄村",
        "township_code": township.code,
        "county_code": county_code,
    } | overrides
    return make_village(session, **values)


def cooperative_in(session: Session, county_code: str = "140829", **overrides) -> Cooperative:
    village = overrides.pop("village", None) or village_in(session, county_code)
    return make_cooperative(
        session, village=village, name=f"{village.name}果品专业合作社", **overrides
    )


def listed(session: Session, name: str, county_code: str = "140829", **overrides) -> Product:
    """A listed product of a cooperative in ``county_code`` (one cooperative per county)."""
    cooperative = overrides.pop("cooperative", None)
    if cooperative is None:
        cooperatives = session.info.setdefault("search_cooperatives", {})
        if county_code not in cooperatives:
            cooperatives[county_code] = cooperative_in(session, county_code).id
        cooperative = session.get(Cooperative, cooperatives[county_code])
    values = {
        "name": name,
        "status": ProductStatus.listed,
        "category": ProductCategory.fruit,
        "description": "",
    } | overrides
    return make_product(session, cooperative=cooperative, **values)


def approved_enterprise(session: Session, **overrides) -> Enterprise:
    return make_enterprise(session, **{"status": RegistrationStatus.approved} | overrides)


def index_from_session(session: Session, index_dir: Path) -> SearchService:
    """Build and publish an index of what ``session`` sees (uncommitted rows included)."""
    session.flush()
    directory = index_files.new_generation(index_dir)
    counts = {
        PRODUCTS: write_all(directory, PRODUCTS, all_product_documents(session), lambda n: None),
        PAIRING: write_all(directory, PAIRING, all_pairing_documents(session), lambda n: None),
    }
    index_files.mark_complete(directory, counts)
    index_files.publish(index_dir, directory)
    return SearchService(index_dir)
