"""What products are made of: county categories, packs, the Specialty record, name parts."""

from dataclasses import dataclass

from app.models.enums import CountyCategory, ProductCategory

# The product categories (app.models.enums.ProductCategory), as the city's plan names them.
COUNTY_CATEGORIES = {
    "盐湖区": CountyCategory.demonstration,
    "河津市": CountyCategory.demonstration,
    "平陆县": CountyCategory.key,
    "垣曲县": CountyCategory.key,
    "绛县": CountyCategory.key,
}


def county_category(name: str) -> CountyCategory:
    return COUNTY_CATEGORIES.get(name, CountyCategory.overall)


def short_name(county: str) -> str:
    """万荣县 → 万荣, 盐湖区 → 盐湖; two-character names (绛县, 夏县) stay whole."""
    return county if len(county) <= 2 else county[:-1]


@dataclass(frozen=True)
class Pack:
    unit: str
    label: str  # appended to the product name, e.g. 5斤装
    jin: float  # how many 斤 (or items) one unit holds: the price multiplier
    premium: float = 1.0


LOOSE = (Pack("斤", "", 1), Pack("公斤", "", 2))
BOXES = (Pack("箱", "5斤装", 5, 1.1), Pack("箱", "10斤装", 10, 1.05), Pack("箱", "20斤装", 20))
GIFT = (Pack("盒", "礼盒装", 6, 1.5), Pack("盒", "精品礼盒4斤装", 4, 1.6))
BAGS = (Pack("袋", "500克装", 1, 1.15), Pack("袋", "2.5公斤装", 5, 1.05), Pack("袋", "5公斤装", 10))
PIECE = (Pack("件", "", 1),)
EGGS = (Pack("盒", "30枚装", 3.5, 1.1), Pack("箱", "60枚装", 7, 1.05), Pack("斤", "", 1))
FRUIT_PACKS = LOOSE + BOXES + GIFT
PACKED = BAGS + GIFT
ALL_YEAR = tuple(range(1, 13))


@dataclass(frozen=True)
class Specialty:
    origin: str  # 临猗, 平陆杜马 …; empty for generic items (the county or village name is used)
    words: tuple[str, ...]  # varieties, e.g. 红富士苹果
    category: ProductCategory
    price: tuple[int, int]  # 分 per 斤 (per item for 件)
    months: tuple[int, ...]  # harvest months; empty for processed goods
    packs: tuple[Pack, ...]
    industry: str  # for villages' main industries and cooperative names
    gi: bool = False  # a registered geographic indication exists for it


# Qualifiers put in front of product names; 有机 is added only when the product is certified.
QUALIFIERS = {
    ProductCategory.fruit: ("", "", "", "精品", "新鲜", "高山", "农家", "头茬"),
    ProductCategory.vegetable: ("", "", "", "新鲜", "农家", "头茬"),
    ProductCategory.processed: ("", "", "传统", "手工", "老字号"),
    ProductCategory.handicraft: ("", "", "手工", "非遗"),
}
DEFAULT_QUALIFIERS = ("", "", "", "精选", "农家", "特级")
FEATURES = {
    ProductCategory.fruit: "果形端正、色泽鲜艳、口感香甜，产地直发",
    ProductCategory.vegetable: "当天采摘、分拣包装，冷链直发",
    ProductCategory.grain_oil: "本地种植、传统工艺加工，无添加",
    ProductCategory.livestock: "农户散养、检疫合格，冷链配送",
    ProductCategory.dried_nut: "自然晾晒、颗粒饱满，耐储存",
    ProductCategory.herb: "道地药材、规范种植，检验合格",
    ProductCategory.processed: "传统配方、现做现发，适合团购和节日慰问",
    ProductCategory.handicraft: "非遗传承人指导、纯手工制作，适合文创礼品",
    ProductCategory.other: "产地直供、品质稳定，支持批量采购",
}
