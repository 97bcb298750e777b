"""The fixed mix of 200 product queries for ``bench/search.py`` (same mix every run)."""

import random

from app.search.products import ProductQuery, ProductSort

SINGLE = [
    "苹果", "红枣", "小米", "核桃", "花椒", "百合", "蜂蜜", "石榴", "葡萄", "鸡蛋",
    "枣", "梨", "桃", "醋", "面粉", "粉条", "柿子", "山药", "芦笋", "连翘",
    "pingguo", "pg", "hetao", "xiaomi", "huajiao", "fengmi", "hongzao", "jidan", "baihe", "mahua",
]  # fmt: skip
COMPOUND = [
    "红富士苹果", "冰糖心苹果", "古法板枣", "稷山板枣", "杜马百合", "大红袍花椒", "核桃仁",
    "玉露香梨", "石磨面粉", "黄河鲤鱼", "土鸡蛋", "槐花蜜", "闻喜煮饼", "稷山麻花", "芮城麻片",
    "红薯粉条", "手工挂面", "阳光玫瑰葡萄", "软籽石榴", "铁棍山药", "黄小米", "老陈醋",
    "薄皮核桃", "绛州澄泥砚", "万荣苹果", "临猗苹果", "平陆百合", "永济芦笋", "垣曲木耳",
    "夏县西瓜",
]  # fmt: skip
MULTI = [
    "平陆 百合", "万荣 苹果", "稷山 板枣", "有机 小米", "苹果 礼盒", "芮城 花椒", "盐湖 葡萄",
    "新绛 蔬菜", "闻喜 煮饼", "垣曲 核桃", "绛县 山楂", "夏县 西瓜", "临猗 石榴", "永济 大米",
    "河津 小米", "冷链 直发", "散养 土鸡蛋", "地理标志 花椒", "绿色食品 苹果", "手工 挂面",
    "团购 蜂蜜", "非遗 剪纸", "精品 礼盒 苹果", "苹果 5斤装", "红枣 核桃", "黄河 滩 枣",
    "农家 小米", "高山 苹果", "产地直发 梨", "有机 面粉",
]  # fmt: skip
CATEGORIES = ["fruit", "vegetable", "grain_oil", "livestock", "dried_nut", "processed"]
COUNTIES = ["140802", "140821", "140822", "140824", "140826", "140827", "140829", "140830"]
CERTIFICATIONS = ["green", "geographic_indication", "assistance"]
PRICES = [(None, 2000), (1000, 5000), (5000, None), (300, 1500)]
SORTS = list(ProductSort)


def query_mix(seed: int = 2026) -> list[tuple[str, ProductQuery]]:
    """200 (kind, query) pairs: 60 text only, 100 text with filters, 40 filters only."""
    rng = random.Random(seed)
    words = SINGLE + COMPOUND + MULTI
    mix: list[tuple[str, ProductQuery]] = []
    for text in SINGLE[:20] + COMPOUND[:20] + MULTI[:20]:
        mix.append(("text", ProductQuery(text=text)))
    for _ in range(100):
        mix.append(("text+filters", _filtered(rng, rng.choice(words))))
    for _ in range(40):
        mix.append(("filters", _filtered(rng, "")))
    return mix


def _filtered(rng: random.Random, text: str) -> ProductQuery:
    low, high = rng.choice(PRICES) if rng.random() < 0.5 else (None, None)
    return ProductQuery(
        text=text,
        categories=tuple(rng.sample(CATEGORIES, rng.choice([0, 0, 1, 2]))),
        county_codes=tuple(rng.sample(COUNTIES, rng.choice([0, 0, 1, 2]))),
        county_category=rng.choice([None, None, None, "key", "overall"]),
        certifications=tuple(rng.sample(CERTIFICATIONS, rng.choice([0, 0, 1]))),
        price_min=low,
        price_max=high,
        in_stock=rng.random() < 0.4,
        harvest_month=rng.choice([None, None, None, 9, 10, 6]),
        sort=rng.choice(SORTS),
        page=rng.choice([1, 1, 1, 2, 3]),
    )  # fmt: skip
