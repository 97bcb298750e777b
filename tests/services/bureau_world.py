"""Seeded data for the dashboard, ledger and import tests: the tiny seed plus bureau accounts."""

from dataclasses import dataclass

from app.actors import SYSTEM, Actor
from app.db import Database, create_db_engine
from app.models.enums import UserRole
from app.seed import seed_database
from app.services.accounts import actor_for, create_user

PASSWORD = "Huanghe2026"
# username → the region its bureau account is scoped to
BUREAU_ACCOUNTS = {"city": "140800", "pinglu": "140829", "yanhu": "140802"}


@dataclass
class BureauWorld:
    database: Database
    actors: dict[str, Actor]


def build_bureau_world(database_factory, label: str = "bureau") -> BureauWorld:
    database = Database(create_db_engine(database_factory.new_url(label)))
    seed_database(database, scale="tiny", seed=1)
    actors = {}
    with database.unit_of_work() as session:
        for username, region in BUREAU_ACCOUNTS.items():
            user = create_user(
                session=session,
                actor=SYSTEM,
                account={"username": username, "display_name": username, "password": PASSWORD},
                role=UserRole.bureau,
                region_code=region,
            )
            actors[username] = actor_for(user)
        enterprise = create_user(
            session=session,
            actor=SYSTEM,
            account={"username": "qiye", "display_name": "qiye", "password": PASSWORD},
            role=UserRole.enterprise,
            enterprise_id=1,
        )
        actors["qiye"] = actor_for(enterprise)
    return BureauWorld(database, actors)
