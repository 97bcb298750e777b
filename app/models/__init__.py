"""All table models; importing this package registers every table on ``SQLModel.metadata``.

Every module of the package is imported below, so a domain's own models module registers its
tables without a line here; the names listed here are the ones imported from the package.
"""

import importlib
import pkgutil

from app.models.account import (
    ApiToken,
    Invitation,
    LoginAttempt,
    OrganisationClaim,
    PasswordReset,
    RecoveryCode,
    User,
    UserSession,
)
from app.models.audit import ChangeStamp, Counter, Event, SearchOutbox
from app.models.exports import ExportJob
from app.models.files import ProductImage, ReportEvidence
from app.models.jobs import Job, JobState
from app.models.limits import RateLimitCounter
from app.models.notifications import (
    CertificationObjection,
    MailMessage,
    MailSubscription,
    Notification,
)
from app.models.organisation import Cooperative, Enterprise
from app.models.pairing import INDICATORS, OutcomeReport, PairingAgreement, ReportRevision
from app.models.pairing_followup import ReportReminder, ReportWaiver
from app.models.pairing_summary import (
    EnterpriseAgreements,
    EnterpriseReports,
    PairingActual,
    PairingCommitment,
)
from app.models.product import CertificationApplication, Product
from app.models.region import County, Township, Village, VillageNeed
from app.models.summary import PurchasesYearly, SalesMonthly
from app.models.trade import Demand, Order

__all__ = [
    "INDICATORS",
    "ApiToken",
    "CertificationApplication",
    "CertificationObjection",
    "ChangeStamp",
    "Cooperative",
    "Counter",
    "County",
    "Demand",
    "Enterprise",
    "EnterpriseAgreements",
    "EnterpriseReports",
    "Event",
    "ExportJob",
    "Invitation",
    "Job",
    "JobState",
    "LoginAttempt",
    "MailMessage",
    "MailSubscription",
    "Notification",
    "Order",
    "OrganisationClaim",
    "OutcomeReport",
    "PairingActual",
    "PairingAgreement",
    "PairingCommitment",
    "PasswordReset",
    "Product",
    "ProductImage",
    "PurchasesYearly",
    "RateLimitCounter",
    "RecoveryCode",
    "ReportEvidence",
    "ReportReminder",
    "ReportRevision",
    "ReportWaiver",
    "SalesMonthly",
    "SearchOutbox",
    "Township",
    "User",
    "UserSession",
    "Village",
    "VillageNeed",
]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
