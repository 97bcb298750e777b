"""A certification on public notice (公示) for the page tests of the trade site."""

from app.models import CertificationApplication
from app.services import certification
from tests.trade_factories import bureau_actor, days_from_today


def publicise(site) -> int:
    """Apply for the site's product and approve it: it is on notice; returns the application."""
    with site.db.unit_of_work() as session:
        application = CertificationApplication(product_id=site.product_id)
        session.add(application)
        session.flush()
        certification.approve_certification(
            session=session,
            actor=bureau_actor(),
            application_id=application.id,
            data={"expires_on": days_from_today(300).isoformat()},
        )
        return application.id
