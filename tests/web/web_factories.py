"""Data for the page tests, built with the shared factories in tests/factories.py."""

from sqlmodel import Session

from app.models import County, Township, Village
from app.models.enums import AgreementStatus, CountyCategory, ProductStatus, RegistrationStatus
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_county,
    make_enterprise,
    make_product,
    make_township,
    make_village,
)

# The 13 counties of 运城市 and their categories (app/data/yuncheng_counties.csv).
YUNCHENG_COUNTIES = (
    ("140802", "盐湖区", CountyCategory.demonstration),
    ("140821", "临猗县", CountyCategory.overall),
    ("140822", "万荣县", CountyCategory.overall),
    ("140823", "闻喜县", CountyCategory.overall),
    ("140824", "稷山县", CountyCategory.overall),
    ("140825", "新绛县", CountyCategory.overall),
    ("140826", "绛县", CountyCategory.key),
    ("140827", "垣曲县", CountyCategory.key),
    ("140828", "夏县", CountyCategory.overall),
    ("140829", "平陆县", CountyCategory.key),
    ("140830", "芮城县", CountyCategory.overall),
    ("140881", "永济市", CountyCategory.overall),
    ("140882", "河津市", CountyCategory.demonstration),
)


def make_yuncheng_counties(session: Session) -> list[County]:
    return [
        make_county(session, code=code, name=name, category=category)
        for code, name, category in YUNCHENG_COUNTIES
    ]


def village_in(session: Session, township: Township, number: int, **overrides) -> Village:
    return make_village(
        session,
        code=f"{township.code}{number:03d}",
        township_code=township.code,
        county_code=township.county_code,
        **overrides,
    )


def make_home_scenario(session: Session) -> None:
    """13 counties; 3 villages in 平陆县 and 2 in 盐湖区; organisations, products, agreements.

    Expected: 5 villages, 3 key, 2 paired (v1, v3), 2 unpaired key (v2, v5); agreements active 3,
    proposed 1, completed 1, terminated 1; 2 approved enterprises, 1 approved cooperative,
    2 listed products.
    """
    make_yuncheng_counties(session)
    pinglu = make_township(session, code="140829100", county_code="140829")
    yanhu = make_township(session, code="140802001", name="中城街道", county_code="140802")
    v1 = village_in(session, pinglu, 201, key_village=True)
    v2 = village_in(session, pinglu, 202, key_village=True)
    v3 = village_in(session, pinglu, 203)
    village_in(session, yanhu, 201)
    v5 = village_in(session, yanhu, 202, key_village=True)

    e1 = make_enterprise(session)
    e2 = make_enterprise(session, county_code="140802")
    make_enterprise(session, status=RegistrationStatus.pending)

    c1 = make_cooperative(session, village=v1)
    c2 = make_cooperative(session, village=v3, status=RegistrationStatus.rejected)
    make_product(session, cooperative=c1, status=ProductStatus.listed)
    make_product(session, cooperative=c1, status=ProductStatus.listed)
    make_product(session, cooperative=c1, status=ProductStatus.draft)
    make_product(session, cooperative=c2, status=ProductStatus.delisted)

    active = AgreementStatus.active
    make_agreement(session, enterprise=e1, village=v1, status=active)
    make_agreement(session, enterprise=e1, village=v3, status=active)
    make_agreement(session, enterprise=e2, village=v3, status=active)
    make_agreement(session, enterprise=e2, village=v2, status=AgreementStatus.proposed)
    make_agreement(session, enterprise=e1, village=v5, status=AgreementStatus.completed)
    make_agreement(session, enterprise=e2, village=v1, status=AgreementStatus.terminated)
