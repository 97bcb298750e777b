"""The certification domain's kinds in the visibility tests: applications and objections; an
application in the second county and an objection on each county's application."""

import sqlalchemy as sa
from sqlmodel import Session

from app.models import CertificationApplication, CertificationObjection, Product, Village
from app.models.enums import CertificationStatus
from app.permissions import CERTIFICATION_APPLICATIONS, CERTIFICATION_OBJECTIONS
from app.services import certification, objections
from tests.authz.read_paths import ReadPath, one_by_one, where
from tests.authz.visibility_world import OtherCounty, Source
from tests.authz.world import World

SOURCES = (
    Source(
        CERTIFICATION_APPLICATIONS,
        lambda: (
            sa.select(CertificationApplication.id)
            .join(Product, Product.id == CertificationApplication.product_id)
            .join(Village, Village.id == Product.village_id)
        ),
        lambda: {"county_code": Village.county_code},
    ),
    Source(
        CERTIFICATION_OBJECTIONS,
        lambda: (
            sa.select(CertificationObjection.id)
            .join(
                CertificationApplication,
                CertificationApplication.id == CertificationObjection.application_id,
            )
            .join(Product, Product.id == CertificationApplication.product_id)
            .join(Village, Village.id == Product.village_id)
        ),
        lambda: {"county_code": Village.county_code},
    ),
)

READ_PATHS = (
    ReadPath(
        "certification queue",
        CERTIFICATION_APPLICATIONS,
        lambda s, a: {x.id for x in certification.certification_queue(session=s, actor=a)},
        domain=where(
            CertificationApplication,
            CertificationApplication.status == CertificationStatus.pending,
        ),
    ),
    ReadPath(
        "objection queue",
        CERTIFICATION_OBJECTIONS,
        lambda s, a: {x.id for x in objections.objection_queue(session=s, actor=a)},
        domain=where(CertificationObjection),
    ),
    ReadPath(
        "objection page",
        CERTIFICATION_OBJECTIONS,
        one_by_one(
            CertificationObjection,
            lambda s, a, key: objections.visible_objection(session=s, actor=a, objection_id=key),
        ),
    ),
)


def _applications_and_objections(session: Session, world: World, other: OtherCounty) -> None:
    far_application = CertificationApplication(product_id=other.draft.id)
    session.add(far_application)
    session.flush()
    for application_id in (world.trade["application"], far_application.id):
        session.add(CertificationObjection(application_id=application_id, reason="价格偏高"))


ROWS = (_applications_and_objections,)
