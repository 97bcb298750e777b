"""The README's table of demo accounts says what the seed really creates: each account exists
with the role, region and organisation the table describes, and signs in with the password
the README gives."""

import re
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import Cooperative, Enterprise, PairingAgreement, Product, User, Village
from app.models.enums import AgreementStatus, ProductStatus, RegistrationStatus, UserRole
from app.seed import seed_database
from app.services.passwords import verify_password

README = Path(__file__).resolve().parents[2] / "README.md"
ROLE_TEXT = {
    "乡村振兴局（市级）": (UserRole.bureau, "140800"),
    "乡村振兴局（县级）": (UserRole.bureau, "140829"),
    "帮扶主体": (UserRole.enterprise, None),
    "合作社": (UserRole.cooperative, None),
    "村级用户": (UserRole.village, None),
    "系统管理员": (UserRole.admin, None),
}


def readme_accounts() -> tuple[str, list[tuple[str, str, str]]]:
    """The README's demo password and its table rows: (username, role, description)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## 演示账号", 1)[1].split("\n## ", 1)[0]
    password = re.search(r"密码均为 `([^`]+)`", section).group(1)
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]+?) \|\s*([^|]*?)\s*\|$", section, re.M)
    return password, rows


def test_the_readme_lists_one_account_per_role():
    _password, rows = readme_accounts()
    assert sorted(role for _u, role, _d in rows) == sorted(ROLE_TEXT)


@pytest.fixture(scope="module")
def seeded(database_factory):
    from app.db import Database, create_db_engine

    database = Database(create_db_engine(database_factory.new_url("readme_accounts")))
    # The demo scale: what `make run` seeds and the README describes.
    seed_database(database, scale="city", seed=1, demo_accounts=True)
    yield database
    database.dispose()


def _active_agreement(session, **where) -> bool:
    column, value = next(iter(where.items()))
    return (
        session.exec(
            select(PairingAgreement.id).where(
                getattr(PairingAgreement, column) == value,
                PairingAgreement.status == AgreementStatus.active,
            )
        ).first()
        is not None
    )


def _described(session, user: User, description: str) -> None:
    """What the description claims of the account's organisation holds."""
    if "平陆县" in description:
        county = (
            user.region_code
            or (user.enterprise_id and session.get(Enterprise, user.enterprise_id).county_code)
            or (user.village_id and session.get(Village, user.village_id).county_code)
            or session.get(Cooperative, user.cooperative_id).village.county_code
        )
        assert county == "140829", description
    if "履行中结对协议" in description:
        assert _active_agreement(session, enterprise_id=user.enterprise_id), description
    if "在售产品" in description:
        listed = session.exec(
            select(Product.id).where(
                Product.cooperative_id == user.cooperative_id,
                Product.status == ProductStatus.listed,
            )
        ).first()
        assert listed is not None, description
    if "已结对" in description:
        assert _active_agreement(session, village_id=user.village_id), description
    if "重点帮扶村" in description:
        assert session.get(Village, user.village_id).key_village, description


def test_every_readme_account_is_seeded_as_described(seeded):
    password, rows = readme_accounts()
    with seeded.read_only() as session:
        for username, role_text, description in rows:
            user = session.exec(select(User).where(User.username == username)).first()
            assert user is not None, f"{username} is in the README but not seeded"
            role, region = ROLE_TEXT[role_text]
            assert (user.role, user.region_code) == (role, region), username
            assert user.is_active and user.status == RegistrationStatus.approved, username
            assert verify_password(user.password_hash, password), username
            _described(session, user, description)
