"""Plausible names of helping organisations, with their credit-code prefix and GB/T 4754 section."""

from dataclasses import dataclass
from random import Random

from app.models.enums import EnterpriseKind
from app.seed import codes
from app.seed.catalogue import short_name
from app.seed.names import chinese_number

BRAND_CHARS = (
    "华鑫盛源丰泰瑞鼎宏德晋河东禾润康福安兴达汇金绿天中嘉恒新永昌隆盈瀚宸利佳祥和顺益晟昊诚信创"
)


@dataclass(frozen=True)
class Place:
    """Where an organisation is registered and located."""

    level: str  # city | county | external
    credit_region: str
    county_code: str | None
    county_name: str  # empty outside 运城
    external_region: str
    prefix: str  # 运城市, 万荣县, 北京 …
    townships: tuple[str, ...] = ()  # township names (towns and rural townships only)

    @property
    def region_label(self) -> str:
        return self.external_region or f"运城市{self.county_name}"


# Private companies: GB/T 4754 section → business words (weights give the section mix).
_PRIVATE_SECTIONS = {
    "A": (28, ("农业科技", "农业开发", "果业", "生态农业", "农牧", "种业", "现代农业")),
    "C": (
        20,
        ("食品", "农产品加工", "果汁", "机械制造", "镁业", "铝业", "化工", "包装材料", "制药"),
    ),
    "F": (20, ("商贸", "果品贸易", "供应链管理", "农产品电子商务", "超市连锁", "医药连锁")),
    "G": (6, ("物流", "冷链物流", "运输")),
    "I": (5, ("网络科技", "信息技术", "软件")),
    "E": (5, ("建筑工程", "建设工程", "路桥工程")),
    "H": (4, ("餐饮管理", "酒店管理")),
    "K": (3, ("房地产开发", "置业")),
    "D": (3, ("新能源", "光伏科技")),
    "L": (2, ("企业管理咨询", "文化传媒", "人力资源服务")),
    "B": (1, ("矿业",)),
    "M": (1, ("检测技术", "农业技术研究")),
    "N": (1, ("环保科技", "园林绿化")),
    "R": (1, ("文化旅游发展",)),
}
_COMPANY_SUFFIXES = (
    ("有限公司",) * 12 + ("有限责任公司",) * 3 + ("股份有限公司",) * 2 + ("集团有限公司",) * 3
)
_STATE_COMPANIES = (
    ("城市建设投资开发有限公司", "L"),
    ("交通建设投资集团有限公司", "E"),
    ("国有资本投资运营有限公司", "L"),
    ("农业产业发展投资有限公司", "A"),
    ("文化旅游发展集团有限公司", "R"),
    ("水务集团有限公司", "D"),
    ("供销集团有限公司", "F"),
    ("粮油储备有限公司", "F"),
    ("公共交通有限公司", "G"),
    ("热力有限公司", "D"),
    ("燃气有限公司", "D"),
    ("融资担保有限公司", "J"),
    ("农业发展有限公司", "A"),
    ("林业发展有限公司", "A"),
    ("物流集团有限公司", "G"),
)
_GOVERNMENT_DEPTS = (
    "财政局",
    "教育局",
    "农业农村局",
    "人力资源和社会保障局",
    "卫生健康委员会",
    "商务局",
    "文化和旅游局",
    "自然资源局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "市场监督管理局",
    "统计局",
    "审计局",
    "民政局",
    "司法局",
    "应急管理局",
    "林业局",
    "医疗保障局",
    "退役军人事务局",
    "行政审批服务管理局",
    "科学技术局",
    "工业和信息化局",
    "发展和改革委员会",
    "能源局",
    "机关事务管理局",
)
_INSTITUTIONS = (
    "农业技术推广中心",
    "果业发展中心",
    "农产品质量安全检验监测中心",
    "公共就业服务中心",
    "农业机械化服务中心",
    "畜牧兽医服务中心",
    "供销合作社联合社",
    "融媒体中心",
)
# Units every town or rural township has, with their credit-code authority and type.
_TOWN_UNITS = (
    ("人民政府", codes.GOVERNMENT),
    ("农业综合服务中心", codes.PUBLIC_INSTITUTION),
    ("便民服务中心", codes.PUBLIC_INSTITUTION),
    ("财政所", codes.PUBLIC_INSTITUTION),
    ("林业站", codes.PUBLIC_INSTITUTION),
    ("水利站", codes.PUBLIC_INSTITUTION),
    ("文化站", codes.PUBLIC_INSTITUTION),
    ("畜牧兽医站", codes.PUBLIC_INSTITUTION),
    ("农经站", codes.PUBLIC_INSTITUTION),
    ("农机站", codes.PUBLIC_INSTITUTION),
    ("退役军人服务站", codes.PUBLIC_INSTITUTION),
    ("综合行政执法队", codes.PUBLIC_INSTITUTION),
    ("司法所", codes.GOVERNMENT),
    ("自然资源所", codes.GOVERNMENT),
    ("市场监督管理所", codes.GOVERNMENT),
    ("派出所", codes.GOVERNMENT),
)
_CITY_SCHOOLS = (
    "运城中学",
    "运城市实验中学",
    "运城学院",
    "运城职业技术大学",
    "运城护理职业学院",
    "运城幼儿师范高等专科学校",
    "运城市职业教育中心",
    "康杰中学",
)
_CITY_HOSPITALS = (
    "运城市中心医院",
    "运城市第一医院",
    "运城市第三医院",
    "运城市中医医院",
    "运城市妇幼保健院",
    "运城市精神卫生中心",
)
_ASSOCIATIONS = (
    "果业",
    "农产品流通",
    "电子商务",
    "青年企业家",
    "乡村旅游",
    "农民专业合作社联合",
    "食品工业",
    "中药材产业",
    "蔬菜产业",
    "苹果产业",
    "个体私营企业",
)


def brand(rng: Random) -> str:
    first, second = rng.sample(BRAND_CHARS, 2)
    return first + second


def enterprise_name(rng: Random, kind: EnterpriseKind, place: Place) -> tuple[str, str, str]:
    """(name, credit-code prefix, industry section) for a new organisation of ``kind``."""
    if kind is EnterpriseKind.private:
        return _private(rng, place)
    if kind is EnterpriseKind.state_owned:
        return _state_owned(rng, place)
    if kind is EnterpriseKind.agency:
        return _agency(rng, place)
    if kind is EnterpriseKind.school:
        return _school(rng, place)
    if kind is EnterpriseKind.hospital:
        return _hospital(rng, place)
    return _social_org(rng, place)


def fallback_name(rng: Random, kind: EnterpriseKind, place: Place) -> tuple[str, str, str]:
    """A brand-based name from a space large enough to stay unique at province scale."""
    prefix = place.prefix
    if kind is EnterpriseKind.school:
        return f"{prefix}{brand(rng)}学校", codes.PRIVATE_NON_ENTERPRISE, "P"
    if kind is EnterpriseKind.hospital:
        return f"{prefix}{brand(rng)}医院", codes.PRIVATE_NON_ENTERPRISE, "Q"
    if kind is EnterpriseKind.social_org:
        return f"{prefix}{brand(rng)}公益服务中心", codes.PRIVATE_NON_ENTERPRISE, "S"
    if kind is EnterpriseKind.agency:
        if place.townships:
            return _town_unit(rng, place)
        return f"{place.prefix}{rng.choice(_INSTITUTIONS)}", codes.PUBLIC_INSTITUTION, "S"
    if kind is EnterpriseKind.state_owned:
        company, section = rng.choice(_STATE_COMPANIES)
        return f"{prefix}{brand(rng)}{company}", codes.COMPANY, section
    words, section = _private_words(rng)
    return f"{prefix}{brand(rng)}{words}{rng.choice(_COMPANY_SUFFIXES)}", codes.COMPANY, section


def _private_words(rng: Random) -> tuple[str, str]:
    sections = list(_PRIVATE_SECTIONS)
    section = rng.choices(sections, weights=[_PRIVATE_SECTIONS[s][0] for s in sections])[0]
    return rng.choice(_PRIVATE_SECTIONS[section][1]), section


def _private(rng: Random, place: Place) -> tuple[str, str, str]:
    words, section = _private_words(rng)
    if place.level == "external":
        prefix = place.prefix
    elif place.level == "city":
        prefix = rng.choice(("山西运城", "运城市", "运城", "山西"))
    else:
        prefix = rng.choice((place.prefix, place.prefix, "山西" + short_name(place.county_name)))
    return f"{prefix}{brand(rng)}{words}{rng.choice(_COMPANY_SUFFIXES)}", codes.COMPANY, section


def _state_owned(rng: Random, place: Place) -> tuple[str, str, str]:
    if place.level == "county" and rng.random() < 0.15:
        return f"山西{short_name(place.county_name)}农村商业银行股份有限公司", codes.COMPANY, "J"
    company, section = rng.choice(_STATE_COMPANIES)
    if place.level == "external":
        return f"{place.prefix}{brand(rng)}{company}", codes.COMPANY, section
    return f"{place.prefix}{company}", codes.COMPANY, section


def _agency(rng: Random, place: Place) -> tuple[str, str, str]:
    roll = rng.random()
    if place.level == "county" and roll < 0.3 and place.townships:
        return _town_unit(rng, place)
    if roll < 0.75:
        return f"{place.prefix}{rng.choice(_GOVERNMENT_DEPTS)}", codes.GOVERNMENT, "S"
    return f"{place.prefix}{rng.choice(_INSTITUTIONS)}", codes.PUBLIC_INSTITUTION, "S"


def _town_unit(rng: Random, place: Place) -> tuple[str, str, str]:
    unit, prefix = rng.choice(_TOWN_UNITS)
    return f"{place.prefix}{rng.choice(place.townships)}{unit}", prefix, "S"


def _school(rng: Random, place: Place) -> tuple[str, str, str]:
    roll = rng.random()
    if place.level == "city":
        name = (
            rng.choice(_CITY_SCHOOLS)
            if roll < 0.35
            else (f"运城市第{chinese_number(rng.randint(1, 15))}中学")
        )
    elif roll < 0.3 and place.townships:
        name = f"{place.prefix}{rng.choice(place.townships)}中学"
    elif roll < 0.6:
        name = f"{place.prefix}第{chinese_number(rng.randint(1, 6))}中学"
    else:
        name = place.prefix + rng.choice(
            ("中学", "职业中学", "实验小学", "实验中学", "第二实验小学")
        )
    return name, codes.PUBLIC_INSTITUTION, "P"


def _hospital(rng: Random, place: Place) -> tuple[str, str, str]:
    if place.level == "city":
        return rng.choice(_CITY_HOSPITALS), codes.PUBLIC_INSTITUTION, "Q"
    if rng.random() < 0.5 and place.townships:
        return f"{place.prefix}{rng.choice(place.townships)}卫生院", codes.PUBLIC_INSTITUTION, "Q"
    suffix = rng.choice(("人民医院", "中医医院", "妇幼保健院"))
    return place.prefix + suffix, codes.PUBLIC_INSTITUTION, "Q"


def _social_org(rng: Random, place: Place) -> tuple[str, str, str]:
    roll = rng.random()
    if roll < 0.55:
        name = f"{place.prefix}{rng.choice(_ASSOCIATIONS)}协会"
        if place.level == "city" and roll < 0.08:
            name = "运城市慈善总会"
        return name, codes.SOCIAL_GROUP, "S"
    if roll < 0.85:
        return f"{place.prefix}{brand(rng)}社会工作服务中心", codes.PRIVATE_NON_ENTERPRISE, "S"
    region = "山西" if place.level != "external" else place.prefix
    return f"{region}{brand(rng)}慈善基金会", codes.FOUNDATION, "S"
