"""All table models; importing this package registers every table on ``SQLModel.metadata``."""

from app.models.account import ApiToken, LoginAttempt, User
from app.models.audit import Counter, Event, SearchOutbox
from app.models.organisation import Cooperative, Enterprise
from app.models.pairing import INDICATORS, OutcomeReport, PairingAgreement
from app.models.product import Product
from app.models.region import County, Township, Village, VillageNeed
from app.models.trade import Demand, Order

__all__ = [
    "INDICATORS",
    "ApiToken",
    "Cooperative",
    "Counter",
    "County",
    "Demand",
    "Enterprise",
    "Event",
    "LoginAttempt",
    "Order",
    "OutcomeReport",
    "PairingAgreement",
    "Product",
    "SearchOutbox",
    "Township",
    "User",
    "Village",
    "VillageNeed",
]
