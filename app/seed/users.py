"""Demo accounts, one per role, for development databases (listed in the README)."""

from dataclasses import dataclass

from sqlmodel import Session, select

from app.actors import SYSTEM
from app.models import Cooperative, Enterprise, PairingAgreement, Product, User, Village
from app.models.enums import AgreementStatus, ProductStatus, RegistrationStatus, UserRole
from app.services.accounts import create_user

DEMO_PASSWORD = "Cunqi2026"
DEMO_COUNTY = "140829"  # 平陆县, a key county: every role has work to do there.


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: UserRole
    links: dict


def demo_users(session: Session) -> list[DemoUser]:
    """The accounts to create, tied to seeded organisations that have something to show."""
    active = select(PairingAgreement.enterprise_id).where(
        PairingAgreement.status == AgreementStatus.active
    )
    enterprise = session.exec(
        select(Enterprise.id)
        .where(
            Enterprise.status == RegistrationStatus.approved,
            Enterprise.county_code == DEMO_COUNTY,
            Enterprise.id.in_(active),
        )
        .order_by(Enterprise.id)
    ).first()
    cooperative = session.exec(
        select(Cooperative.id)
        .join(Village, Village.id == Cooperative.village_id)
        .where(
            Cooperative.status == RegistrationStatus.approved,
            Village.county_code == DEMO_COUNTY,
            Cooperative.id.in_(
                select(Product.cooperative_id).where(Product.status == ProductStatus.listed)
            ),
        )
        .order_by(Cooperative.id)
    ).first()
    village = session.exec(
        select(Village.id)
        .where(
            Village.county_code == DEMO_COUNTY,
            Village.key_village.is_(True),
            # 已结对 (README): an agreement in force, not merely one proposed or declined.
            Village.id.in_(
                select(PairingAgreement.village_id).where(
                    PairingAgreement.status == AgreementStatus.active
                )
            ),
        )
        .order_by(Village.id)
    ).first()
    users = [
        DemoUser("shiju", "市局演示账号", UserRole.bureau, {"region_code": "140800"}),
        DemoUser("pinglu", "平陆县局演示账号", UserRole.bureau, {"region_code": DEMO_COUNTY}),
        DemoUser("admin", "系统管理员", UserRole.admin, {}),
    ]
    if enterprise is not None:
        users.append(
            DemoUser("qiye", "企业演示账号", UserRole.enterprise, {"enterprise_id": enterprise})
        )
    if cooperative is not None:
        users.append(
            DemoUser(
                "hezuoshe", "合作社演示账号", UserRole.cooperative, {"cooperative_id": cooperative}
            )
        )
    if village is not None:
        users.append(DemoUser("cungan", "村级演示账号", UserRole.village, {"village_id": village}))
    return users


def seed_demo_users(session: Session) -> int:
    """Create the demo accounts that don't exist yet; returns how many were created."""
    created = 0
    for user in demo_users(session):
        if session.exec(select(User.id).where(User.username == user.username)).first():
            continue
        create_user(
            session=session,
            actor=SYSTEM,
            account={
                "username": user.username,
                "display_name": user.display_name,
                "password": DEMO_PASSWORD,
            },
            role=user.role,
            **user.links,
        )
        created += 1
    return created
