"""GraphQL enumerations over the domain's, described with the Chinese labels of ``app.labels``.

Values are UPPER_CASE in GraphQL and carry the domain value (``HelpKind.INDUSTRY`` ↔ "industry");
``domain(value)`` turns an argument back into the domain member the services expect.
"""

from enum import Enum, StrEnum
from typing import TypeVar

import strawberry

from app import labels
from app.actors import ROLE_LABEL, Role
from app.models import enums

E = TypeVar("E", bound=StrEnum)
_DOMAIN: dict[type[Enum], type[StrEnum]] = {}


def graphql_enum(domain: type[E], names: dict, description: str) -> type[Enum]:
    members = {
        member.name.upper(): strawberry.enum_value(member.value, description=names[member])
        for member in domain
    }
    graphql = Enum(domain.__name__, members)  # type: ignore[misc]
    _DOMAIN[graphql] = domain
    return strawberry.enum(graphql, description=description)


def domain(value: Enum | None):
    """The domain enumeration's member for a GraphQL enumeration value (None stays None)."""
    if value is None:
        return None
    return _DOMAIN[type(value)](value.value)


def domains(values) -> tuple:
    return tuple(domain(value) for value in values or ())


CountyCategory = graphql_enum(enums.CountyCategory, labels.COUNTY_CATEGORY, "县的类别")
HelpKind = graphql_enum(enums.HelpKind, labels.HELP_KIND, "帮扶方式")
NeedStatus = graphql_enum(enums.NeedStatus, labels.NEED_STATUS, "帮扶需求的状态")
EnterpriseKind = graphql_enum(enums.EnterpriseKind, labels.ENTERPRISE_KIND, "帮扶主体的类型")
RegistrationStatus = graphql_enum(
    enums.RegistrationStatus, labels.REGISTRATION_STATUS, "注册（登记）的审核状态"
)
ProductCategory = graphql_enum(enums.ProductCategory, labels.PRODUCT_CATEGORY, "产品类别")
Certification = graphql_enum(enums.Certification, labels.CERTIFICATION, "产品的第三方认证")
ProductStatus = graphql_enum(enums.ProductStatus, labels.PRODUCT_STATUS, "产品的上架状态")
AgreementStatus = graphql_enum(enums.AgreementStatus, labels.AGREEMENT_STATUS, "结对协议的状态")
ReportStatus = graphql_enum(enums.ReportStatus, labels.REPORT_STATUS, "帮扶成效报告的状态")
DemandStatus = graphql_enum(enums.DemandStatus, labels.DEMAND_STATUS, "采购需求的状态")
OrderStatus = graphql_enum(enums.OrderStatus, labels.ORDER_STATUS, "订单的状态")
UserRole = graphql_enum(
    enums.UserRole, {role: ROLE_LABEL[Role(role.value)] for role in enums.UserRole}, "账号角色"
)
