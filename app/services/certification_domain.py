"""The certification domain's declarations (app/services/domains.py): applications and objections
waiting for the bureau."""

from datetime import date

import sqlalchemy as sa

from app.actors import Actor, Role
from app.models import (
    CertificationApplication,
    CertificationObjection,
    Cooperative,
    Product,
    Village,
)
from app.models.enums import CertificationStatus
from app.permissions import CERTIFICATION_APPLICATIONS, CERTIFICATION_OBJECTIONS
from app.services import certification_notices
from app.services.certification_states import CERTIFICATION, OBJECTION
from app.services.inbox import Kind
from app.services.objections import open_in_region


def _certifications(actor: Actor, today: date) -> sa.Select:
    return (
        sa.select(
            Product.name.label("title"),
            Cooperative.name.label("detail"),
            CertificationApplication.id.label("link_id"),
            CertificationApplication.applied_at.label("since"),
        )
        .join(Product, Product.id == CertificationApplication.product_id)
        .join(Cooperative, Cooperative.id == Product.cooperative_id)
        .join(Village, Village.id == Product.village_id)
        .where(
            CertificationApplication.status == CertificationStatus.pending,
            CERTIFICATION_APPLICATIONS.where(actor, county_code=Village.county_code),
        )
    )


def _objections(actor: Actor, today: date) -> sa.Select:
    columns = sa.select(
        Product.name.label("title"),
        sa.func.substr(CertificationObjection.reason, 1, 60).label("detail"),
        CertificationObjection.id.label("link_id"),
        CertificationObjection.filed_at.label("since"),
    )
    return open_in_region(columns, actor)


VISIBILITY = (CERTIFICATION_APPLICATIONS, CERTIFICATION_OBJECTIONS)
INBOX_KINDS = (
    Kind("certifications", "待审核的产品认定", Role.bureau, "/certifications", _certifications),
    Kind(
        "objections",
        "待处理的公示异议",
        Role.bureau,
        "/certifications/objections",
        _objections,
    ),
)
LEDGER_SECTIONS = ()
DASHBOARD_PANELS = ()
STATE_MACHINES = (CERTIFICATION, OBJECTION)
NOTICES = (certification_notices.NOTICES,)
