"""Who hears of the certification domain's actions (消费帮扶产品认定 and objections to it)."""

from sqlmodel import Session

from app.models import CertificationApplication, CertificationObjection, Product
from app.models.enums import RecipientKind as K
from app.services.notice_rules import NOBODY, Notices, Parties, notice

ACTIONS = {
    "certification.apply": NOBODY,
    "certification.approve": notice("产品认定审核通过，进入公示期", K.cooperative),
    "certification.reject": notice("产品认定未通过", K.cooperative),
    "certification.take_effect": notice("产品认定公示期满，已生效", K.cooperative),
    "certification.refuse": notice("产品认定因异议成立未予认定", K.cooperative),
    "objection.file": notice("产品认定公示收到异议", K.cooperative),
    "objection.resolve": notice("产品认定异议已处理", K.cooperative),
    # One notice for a bulk dismissal; its per-objection events ("objection.dismiss_in_bulk") tell
    # no one, or a flood of objections would become a flood of notices.
    "objection.dismiss_bulk": notice("产品认定异议已处理", K.cooperative),
    "objection.dismiss_in_bulk": NOBODY,
}


def _application(session: Session, application: CertificationApplication) -> Parties:
    product = session.get(Product, application.product_id)
    return Parties({K.cooperative: product.cooperative_id}, f"/my/products/{product.id}")


def _objection(session: Session, objection: CertificationObjection) -> Parties:
    return _application(session, session.get(CertificationApplication, objection.application_id))


NOTICES = Notices(
    ACTIONS, {CertificationApplication: _application, CertificationObjection: _objection}
)
