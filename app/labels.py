"""Chinese labels for every enumeration a person reads: the one place they are defined."""

from enum import StrEnum

from app.models.enums import (
    AgreementStatus,
    Certification,
    CountyCategory,
    DemandStatus,
    EnterpriseKind,
    HelpKind,
    NeedStatus,
    OrderStatus,
    ProductCategory,
    ProductStatus,
    RegistrationStatus,
    ReportStatus,
)

COUNTY_CATEGORY = {
    CountyCategory.demonstration: "乡村振兴先行示范县",
    CountyCategory.overall: "整体推进县",
    CountyCategory.key: "重点帮扶县",
}
HELP_KIND = {
    HelpKind.industry: "产业合作",
    HelpKind.employment: "劳务协作",
    HelpKind.talent: "人才支援",
    HelpKind.funding: "资金支持",
    HelpKind.sales: "结对帮销",
    HelpKind.welfare: "公益帮扶",
}
NEED_STATUS = {NeedStatus.open: "待对接", NeedStatus.met: "已满足", NeedStatus.withdrawn: "已撤回"}
ENTERPRISE_KIND = {
    EnterpriseKind.private: "民营企业",
    EnterpriseKind.state_owned: "国有企业",
    EnterpriseKind.agency: "机关事业单位",
    EnterpriseKind.school: "学校",
    EnterpriseKind.hospital: "医院",
    EnterpriseKind.social_org: "社会组织",
}
REGISTRATION_STATUS = {
    RegistrationStatus.pending: "待审核",
    RegistrationStatus.approved: "已通过",
    RegistrationStatus.rejected: "未通过",
}
PRODUCT_CATEGORY = {
    ProductCategory.fruit: "水果",
    ProductCategory.vegetable: "蔬菜",
    ProductCategory.grain_oil: "粮油",
    ProductCategory.livestock: "畜禽肉蛋",
    ProductCategory.dried_nut: "干果坚果",
    ProductCategory.herb: "中药材",
    ProductCategory.processed: "加工食品",
    ProductCategory.handicraft: "手工艺品",
    ProductCategory.other: "其他",
}
CERTIFICATION = {
    Certification.green: "绿色食品",
    Certification.organic: "有机产品",
    Certification.geographic_indication: "地理标志",
}
PRODUCT_STATUS = {
    ProductStatus.draft: "草稿",
    ProductStatus.listed: "在售",
    ProductStatus.delisted: "已下架",
}
AGREEMENT_STATUS = {
    AgreementStatus.proposed: "待签约",
    AgreementStatus.signed: "待备案",
    AgreementStatus.active: "履行中",
    AgreementStatus.completed: "已完成",
    AgreementStatus.declined: "已婉拒",
    AgreementStatus.withdrawn: "已撤回",
    AgreementStatus.terminated: "已终止",
}
REPORT_STATUS = {
    ReportStatus.submitted: "待村确认",
    ReportStatus.confirmed: "待审核",
    ReportStatus.verified: "已核实",
    ReportStatus.returned: "已退回",
}
DEMAND_STATUS = {
    DemandStatus.open: "征集中",
    DemandStatus.matched: "已对接",
    DemandStatus.closed: "已关闭",
}
ORDER_STATUS = {
    OrderStatus.placed: "待确认",
    OrderStatus.confirmed: "待发货",
    OrderStatus.shipped: "已发货",
    OrderStatus.received: "已收货",
    OrderStatus.cancelled: "已取消",
}
# GB/T 4754-2017 门类.
INDUSTRY_SECTION = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}

# Status tone for badges: colour always comes with the label text (UI.md).
STATUS_TONE = {
    "proposed": "pending",
    "signed": "pending",
    "active": "ok",
    "completed": "done",
    "declined": "muted",
    "withdrawn": "muted",
    "terminated": "danger",
    "submitted": "pending",
    "confirmed": "pending",
    "verified": "ok",
    "returned": "danger",
    "placed": "pending",
    "shipped": "pending",
    "received": "ok",
    "cancelled": "muted",
    "draft": "muted",
    "listed": "ok",
    "delisted": "muted",
    "open": "pending",
    "matched": "ok",
    "closed": "muted",
    "met": "ok",
    "pending": "pending",
    "approved": "ok",
    "rejected": "danger",
}

_BY_ENUM: dict[type[StrEnum], dict] = {
    CountyCategory: COUNTY_CATEGORY,
    HelpKind: HELP_KIND,
    NeedStatus: NEED_STATUS,
    EnterpriseKind: ENTERPRISE_KIND,
    RegistrationStatus: REGISTRATION_STATUS,
    ProductCategory: PRODUCT_CATEGORY,
    Certification: CERTIFICATION,
    ProductStatus: PRODUCT_STATUS,
    AgreementStatus: AGREEMENT_STATUS,
    ReportStatus: REPORT_STATUS,
    DemandStatus: DEMAND_STATUS,
    OrderStatus: ORDER_STATUS,
}


def label(member: StrEnum) -> str:
    """The Chinese label of an enumeration member."""
    return _BY_ENUM[type(member)][member]


def status_tone(status: str) -> str:
    return STATUS_TONE.get(str(status), "muted")
