"""The 劳务协作 demo data: groups and postings in every one of the 13 counties; hires are
tied to their active agreement and their check dates follow the hire date."""

import sqlalchemy as sa
from sqlmodel import select

from app.db import Database, create_db_engine
from app.models.labour import LabourApplication
from app.seed import seed_database
from app.services import clock
from app.services.labour import hiring


def test_every_county_has_labour_data_counted_toward_agreements(database_factory):
    database = Database(create_db_engine(database_factory.new_url("seed_labour")))
    try:
        result = seed_database(database, scale="tiny", seed=7)
        assert result.counts["劳务供给"] > 0 and result.counts["招工岗位"] > 0
        with database.read_only() as session:
            for table in ("labour_supplies", "job_postings"):
                counties = session.execute(
                    sa.text(f"SELECT COUNT(DISTINCT county_code) FROM {table}")
                ).scalar_one()
                assert counties == 13, table
            for application in session.exec(select(LabourApplication)):
                assert application.check_3_due == clock.add_months(application.hired_on, 3)
                assert application.stable_count <= application.retained_count
                agreement = application.agreement_id
                assert hiring.hires_for_agreement(session, agreement) >= application.hired_count
                status = session.execute(
                    sa.text("SELECT status FROM pairing_agreements WHERE id = :a"), {"a": agreement}
                ).scalar_one()
                assert status == "active"
    finally:
        database.dispose()
