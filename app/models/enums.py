"""Domain enumerations (English values; Chinese labels live in ``app.labels``)."""

from enum import StrEnum


class CountyCategory(StrEnum):
    demonstration = "demonstration"
    overall = "overall"
    key = "key"


class HelpKind(StrEnum):
    """Forms of help an enterprise offers and a village needs; the order fixes the bit positions."""

    industry = "industry"
    employment = "employment"
    talent = "talent"
    funding = "funding"
    sales = "sales"
    welfare = "welfare"


class NeedStatus(StrEnum):
    open = "open"
    met = "met"
    withdrawn = "withdrawn"


class EnterpriseKind(StrEnum):
    private = "private"
    state_owned = "state_owned"
    agency = "agency"
    school = "school"
    hospital = "hospital"
    social_org = "social_org"


class RegistrationStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class ProductCategory(StrEnum):
    fruit = "fruit"
    vegetable = "vegetable"
    grain_oil = "grain_oil"
    livestock = "livestock"
    dried_nut = "dried_nut"
    herb = "herb"
    processed = "processed"
    handicraft = "handicraft"
    other = "other"


class Certification(StrEnum):
    """Third-party product certifications; the order fixes the bit positions."""

    green = "green"
    organic = "organic"
    geographic_indication = "geographic_indication"


class ProductStatus(StrEnum):
    draft = "draft"
    listed = "listed"
    delisted = "delisted"


class AgreementStatus(StrEnum):
    draft = "draft"  # from the bureau's coverage plan, for the enterprise to complete and accept
    proposed = "proposed"
    signed = "signed"
    returned = "returned"  # returned by the bureau at filing for correction (退回修改)
    active = "active"
    completed = "completed"
    declined = "declined"
    withdrawn = "withdrawn"
    terminated = "terminated"


OPEN_AGREEMENT_STATUSES = (
    AgreementStatus.draft,
    AgreementStatus.proposed,
    AgreementStatus.signed,
    AgreementStatus.returned,
    AgreementStatus.active,
)


class ReportStatus(StrEnum):
    submitted = "submitted"
    confirmed = "confirmed"
    verified = "verified"
    returned = "returned"


class CertificationStatus(StrEnum):
    pending = "pending"
    # Approved by the bureau and on public notice (公示); takes effect when the period ends.
    publicised = "publicised"
    approved = "approved"
    rejected = "rejected"


class ObjectionStatus(StrEnum):
    open = "open"
    upheld = "upheld"
    dismissed = "dismissed"


class RecipientKind(StrEnum):
    """Who a notification is addressed to: one user, or every staff member of an organisation."""

    user = "user"
    enterprise = "enterprise"
    cooperative = "cooperative"
    village = "village"


class DemandStatus(StrEnum):
    open = "open"
    matched = "matched"
    closed = "closed"


class OrderStatus(StrEnum):
    placed = "placed"
    confirmed = "confirmed"
    shipped = "shipped"
    received = "received"
    cancelled = "cancelled"


class OutboxOp(StrEnum):
    upsert = "upsert"
    delete = "delete"


# GB/T 4754-2017 门类 (sections) A–T.
INDUSTRY_SECTIONS = "ABCDEFGHIJKLMNOPQRST"


class UserRole(StrEnum):
    enterprise = "enterprise"
    cooperative = "cooperative"
    village = "village"
    bureau = "bureau"
    admin = "admin"


# The city whose bureau sees every county (运城市).
CITY_CODE = "140800"
