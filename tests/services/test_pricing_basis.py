"""The price check on the seeded 运城 data, whose prices are realistic: fewer than 5 % of listed
products are flagged (false warnings), and every seeded product says what one unit holds."""

import sqlalchemy as sa

from app.models import Product
from app.seed import seed_database
from app.services.pricing import count_flagged, price_checks

FALSE_WARNINGS_PERCENT = 5


def test_false_warnings_on_the_seed_stay_under_five_percent(fresh_db):
    seed_database(fresh_db, scale="tiny", seed=1)
    with fresh_db.read_only() as session:
        flagged, listed = count_flagged(session)
        assert listed > 200
        assert 100 * flagged < FALSE_WARNINGS_PERCENT * listed, (flagged, listed)
        # Every seeded product is compared per 斤 or per piece, with a stated basis
        products = session.execute(sa.select(Product)).scalars().all()
        assert all(p.net_weight_g or p.pieces_per_unit for p in products)
        assert all(p.variety and p.dispatch_place for p in products)
        checks = price_checks(session, [p.id for p in products])
        assert {c.basis for c in checks.values()} == {"jin", "piece"}
        assert all("与本县同品种" in c.basis_text for c in checks.values())
