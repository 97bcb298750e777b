"""Chinese labels for every enumeration a person reads: the one place they are defined."""

from enum import StrEnum

from app.models.enums import (
    AgreementStatus,
    Certification,
    CertificationStatus,
    CountyCategory,
    DemandStatus,
    EnterpriseKind,
    HelpKind,
    NeedStatus,
    ObjectionStatus,
    OrderStatus,
    ProductCategory,
    ProductStatus,
    RegistrationStatus,
    ReportStatus,
)
from app.models.exports import ExportStatus

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
CERTIFICATION_STATUS = {
    CertificationStatus.pending: "待审核",
    CertificationStatus.publicised: "公示中",
    CertificationStatus.approved: "已认定",
    CertificationStatus.rejected: "未通过",
}
OBJECTION_STATUS = {
    ObjectionStatus.open: "待处理",
    ObjectionStatus.upheld: "异议成立",
    ObjectionStatus.dismissed: "异议不成立",
}
# Units a product is sold in; an order or a demand must use the product's own unit.
PRODUCT_UNITS = ("斤", "公斤", "吨", "箱", "件", "袋", "盒", "瓶", "桶", "罐", "只", "个", "套")
AGREEMENT_STATUS = {
    AgreementStatus.draft: "待企业确认",
    AgreementStatus.proposed: "待签约",
    AgreementStatus.signed: "待备案",
    AgreementStatus.returned: "退回修改",
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

# 千企帮千村 ------------------------------------------------------------------------------------
# Village traits shown as tags on profiles and lists.
VILLAGE_FLAG = {
    "key_village": "重点帮扶村",
    "lifted_village": "脱贫村",
    "relocation_site": "易地搬迁安置区",
    "pv_station": "村级光伏电站",
    "tourism_demo": "旅游示范村",
}
# The indicators an agreement commits to and a report accounts for (app.models.INDICATORS).
INDICATOR = {
    "funding_business_fen": "经营性资金",
    "funding_welfare_fen": "公益性资金",
    "jobs": "带动就业",
    "trainees": "技能培训",
    "purchase_fen": "采购帮销",
    "beneficiaries": "受益群众",
}
INDICATOR_UNIT = {"jobs": "人", "trainees": "人次", "beneficiaries": "人"}
# Parts of a recommendation score, shown next to each recommended village or enterprise.
SCORE_CRITERION = {
    "key_county": "重点帮扶县",
    "key_village": "重点帮扶村",
    "no_partner": "暂无结对帮扶单位",
    "need_match": "需求匹配",
    "industry_fit": "产业契合",
    "same_county": "同县就近",
    "partner_overdue": "现有结对单位成效报告逾期",
    "enterprise_overdue": "有逾期未报的成效报告",
}
# What an enterprise's industry (GB/T 4754 门类) can build on in a village.
INDUSTRY_TRAIT = {
    "agriculture": "特色种养",
    "tourism": "乡村旅游",
    "solar": "村级光伏",
    "relocation": "易地搬迁安置区就近就业",
}
AGREEMENT_ACTION = {
    "revise": "修改承诺",
    "sign": "签约",
    "decline": "婉拒",
    "withdraw": "撤回",
    "file": "备案",
    "complete": "办结",
    "terminate": "终止",
    "accept": "确认结对",
    "refuse": "谢绝结对",
    "return": "退回修改",
    "resubmit": "修改后重新提交",
}
REPORT_ACTION = {
    "submit": "提交",
    "resubmit": "修改后重新提交",
    "confirm": "确认",
    "return": "退回修改",
    "verify": "核实",
    "correct": "更正",
}
# Audit-trail actions as the timeline of an agreement shows them.
EVENT_ACTION = {
    "agreement.propose": "提出结对",
    "agreement.plan": "覆盖规划生成草案",
    "agreement.revise": "修改承诺",
    "agreement.sign": "村签约",
    "agreement.decline": "村婉拒",
    "agreement.withdraw": "撤回提案",
    "agreement.file": "备案生效",
    "agreement.complete": "办结",
    "agreement.terminate": "终止",
    "agreement.remind": "催报成效报告",
    "agreement.waive": "季度免报",
    "agreement.accept": "企业确认规划结对",
    "agreement.refuse": "企业谢绝规划结对",
    "agreement.return": "备案退回修改",
    "agreement.resubmit": "修改后重新提交签约",
    "report.submit": "提交成效报告",
    "report.resubmit": "重新提交成效报告",
    "report.confirm": "村确认成效报告",
    "report.return": "退回成效报告",
    "report.verify": "核实成效报告",
    "report.correct": "更正成效报告",
    "village.update": "更新村情",
    "need.add": "新增需求",
    "need.update": "修改需求",
    "need.status": "需求状态变更",
}

EXPORT_STATUS = {
    ExportStatus.queued: "排队中",
    ExportStatus.running: "导出中",
    ExportStatus.done: "已完成",
    ExportStatus.failed: "失败",
}

# Status tone for badges: colour always comes with the label text, never colour alone.
STATUS_TONE = {
    "queued": "pending",
    "running": "pending",
    "done": "ok",
    "failed": "danger",
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
    "publicised": "pending",
    "upheld": "danger",
    "dismissed": "muted",
}

_BY_ENUM: dict[type[StrEnum], dict] = {
    ExportStatus: EXPORT_STATUS,
    CountyCategory: COUNTY_CATEGORY,
    HelpKind: HELP_KIND,
    NeedStatus: NEED_STATUS,
    EnterpriseKind: ENTERPRISE_KIND,
    RegistrationStatus: REGISTRATION_STATUS,
    ProductCategory: PRODUCT_CATEGORY,
    Certification: CERTIFICATION,
    ProductStatus: PRODUCT_STATUS,
    CertificationStatus: CERTIFICATION_STATUS,
    ObjectionStatus: OBJECTION_STATUS,
    AgreementStatus: AGREEMENT_STATUS,
    ReportStatus: REPORT_STATUS,
    DemandStatus: DEMAND_STATUS,
    OrderStatus: ORDER_STATUS,
}


def label(member: StrEnum) -> str:
    """The Chinese label of an enumeration member."""
    return _BY_ENUM[type(member)][member]


def register(enum: type[StrEnum], labels: dict, tones: dict | None = None) -> None:
    """Give a domain's own enumeration its Chinese labels (and status tones), from the domain's
    module: every member must have a label, and an enumeration is labelled once."""
    missing = [member.value for member in enum if member not in labels]
    if missing:
        raise ValueError(f"{enum.__name__}: no label for {', '.join(missing)}")
    if _BY_ENUM.get(enum, labels) != labels:
        raise ValueError(f"{enum.__name__} is labelled twice")
    _BY_ENUM[enum] = dict(labels)
    for member, tone in (tones or {}).items():
        if STATUS_TONE.get(str(member), tone) != tone:
            raise ValueError(f"status {member!s} already has the tone {STATUS_TONE[str(member)]}")
        STATUS_TONE[str(member)] = tone


def status_tone(status: str) -> str:
    return STATUS_TONE.get(str(status), "muted")
