"""Province-scale rows for the search benchmark: 运城 specialty products, villages, enterprises.

Used when ``app.seed`` is not available; deterministic for a given seed. Rows go in with Core
``INSERT`` batches (the ORM would dominate the set-up time at 100,000 products).
"""

import csv
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources

import sqlalchemy as sa

from app.identifiers import CREDIT_CODE_CHARS, credit_code_check_char
from app.models import Cooperative, County, Enterprise, Product, Township, Village
from app.models.enums import CountyCategory, EnterpriseKind, ProductCategory, ProductStatus

CATEGORY_OF_COUNTY = {
    "盐湖区": CountyCategory.demonstration,
    "河津市": CountyCategory.demonstration,
    "平陆县": CountyCategory.key,
    "垣曲县": CountyCategory.key,
    "绛县": CountyCategory.key,
}

# category → (base product, varieties); a variety is written before the base (红富士 + 苹果).
PRODUCTS = {
    ProductCategory.fruit: [
        ("苹果", ["红富士", "嘎啦", "冰糖心", "秦冠", "瑞阳", ""]),
        ("梨", ["玉露香", "酥", "黄冠", "早酥", "香"]),
        ("桃", ["油", "蟠", "水蜜", "黄"]),
        ("冬枣", ["", "脆甜", "沾化"]),
        ("石榴", ["软籽", "甜", "大红"]),
        ("葡萄", ["巨峰", "阳光玫瑰", "红提"]),
        ("西瓜", ["麒麟", "黑美人", "沙地"]),
        ("猕猴桃", ["红心", "徐香", ""]),
        ("樱桃", ["美早", "红灯", ""]),
        ("柿子", ["磨盘", "脆", ""]),
    ],
    ProductCategory.vegetable: [
        ("百合", ["杜马", "鲜", "食用"]),
        ("芦笋", ["绿", "白", ""]),
        ("山药", ["铁棍", ""]),
        ("黄花菜", ["", "干"]),
        ("辣椒", ["线", "朝天", ""]),
        ("西红柿", ["普罗旺斯", "沙瓤", ""]),
        ("大葱", ["", "章丘"]),
        ("红薯", ["蜜", "紫", ""]),
        ("南瓜", ["贝贝", "板栗", ""]),
    ],
    ProductCategory.grain_oil: [
        ("小米", ["黄", "有机", "月子", ""]),
        ("面粉", ["石磨", "全麦", "高筋"]),
        ("荞麦", ["", "苦"]),
        ("莜面", ["", "手工"]),
        ("绿豆", ["", "明"]),
        ("黑豆", ["", "青仁"]),
        ("菜籽油", ["压榨", "小榨", ""]),
        ("核桃油", ["冷榨", ""]),
        ("玉米糁", ["", "黄"]),
    ],
    ProductCategory.livestock: [
        ("鸡蛋", ["土", "笨", "散养"]),
        ("土鸡", ["散养", "农家"]),
        ("黑猪肉", ["", "生态"]),
        ("黄河鲤鱼", ["", "野生"]),
        ("羊肉", ["", "滩"]),
        ("牛肉", ["", "黄"]),
    ],
    ProductCategory.dried_nut: [
        ("核桃", ["薄皮", "纸皮", ""]),
        ("核桃仁", ["", "原味"]),
        ("板枣", ["稷山", "古法", ""]),
        ("红枣", ["免洗", "骏", "灰"]),
        ("花椒", ["大红袍", "青", ""]),
        ("柿饼", ["", "吊"]),
        ("杏仁", ["甜", "苦"]),
    ],
    ProductCategory.herb: [
        ("连翘", ["", "青"]),
        ("柴胡", ["", "北"]),
        ("黄芩", ["", "野生"]),
        ("丹参", ["", "紫"]),
        ("酸枣仁", ["", "野生"]),
        ("远志", ["", ""]),
    ],
    ProductCategory.processed: [
        ("煮饼", ["闻喜", "传统"]),
        ("麻花", ["稷山", "手工"]),
        ("麻片", ["芮城", ""]),
        ("苹果醋", ["", "发酵"]),
        ("蜂蜜", ["槐花", "枣花", "荆条"]),
        ("粉条", ["红薯", "手工"]),
        ("挂面", ["手工", "空心"]),
        ("老陈醋", ["", "手工"]),
        ("红枣夹核桃", ["", ""]),
    ],
    ProductCategory.handicraft: [
        ("剪纸", ["民间", "新绛"]),
        ("澄泥砚", ["绛州", ""]),
        ("布老虎", ["手工", ""]),
        ("草编", ["", "麦秆"]),
        ("面塑", ["", "花馍"]),
    ],
}
CATEGORY_WEIGHTS = {
    ProductCategory.fruit: 30,
    ProductCategory.vegetable: 15,
    ProductCategory.grain_oil: 14,
    ProductCategory.livestock: 10,
    ProductCategory.dried_nut: 14,
    ProductCategory.herb: 5,
    ProductCategory.processed: 10,
    ProductCategory.handicraft: 2,
}
ADJECTIVES = ["古法", "石磨", "农家", "有机", "精品", "特级", "手工", "现摘", "新鲜", "高山"]
SPECS = [" 5斤装", " 礼盒装", " 10斤箱", " 500克", " 家庭装", " 2.5公斤", " 整箱"]
FEATURES = {
    ProductCategory.fruit: "果形端正，皮薄汁多，酸甜适口，昼夜温差大，糖分积累足。",
    ProductCategory.vegetable: "露地种植，不打催熟剂，清晨采收，当天分拣装箱。",
    ProductCategory.grain_oil: "黄土旱塬种植，一年一季，颗粒饱满，传统工艺加工。",
    ProductCategory.livestock: "林下散养，喂食玉米和青草，生长周期长，肉质紧实。",
    ProductCategory.dried_nut: "自然晾晒，颗粒均匀，不添加防腐剂，耐储存。",
    ProductCategory.herb: "道地药材，规范化种植基地，产地初加工，批次可追溯。",
    ProductCategory.processed: "老字号配方，当地原料，手工制作，真空包装。",
    ProductCategory.handicraft: "非遗传承人指导，脱贫户手工制作，每件略有不同。",
}
SERVICES = [
    "合作社统一采摘分级，顺丰冷链发货。",
    "支持企业食堂、工会福利团购，可开发票。",
    "消费帮扶产品，带动脱贫户稳定增收。",
    "产地直发，坏果包赔。",
    "量大从优，可定制礼盒。",
]
VILLAGE_PARTS = (
    "东西南北上下前后大小新老",
    "王张李赵刘杨陈薛柴卫郭段裴董姚杜吕任梁侯",
    "庄家屯营堡坡沟峪窑寨湾店头河口",
)
ENTERPRISE_TRADES = ["农业科技", "食品", "商贸", "物流", "建设", "电子商务", "医药", "文化旅游"]
NOW = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Counts:
    villages: int
    cooperatives: int
    enterprises: int
    products: int


def province_counts(products: int) -> Counts:
    """The design's province scale, scaled to the number of products asked for."""
    return Counts(
        villages=max(products // 5, 50),
        cooperatives=max(products // 7, 20),
        enterprises=max(products // 10, 20),
        products=products,
    )


def _credit_code(n: int, prefix: str) -> str:
    body = prefix + "".join(CREDIT_CODE_CHARS[(n // 31**i) % 31] for i in range(9))[::-1]
    return body + credit_code_check_char(body)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (resources.files("app") / "data" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _insert(conn: sa.Connection, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), 5000):
        conn.execute(sa.insert(table), rows[start : start + 5000])


def _short(county_name: str) -> str:
    return county_name[:-1] if len(county_name) > 2 else county_name


def product_name(rng: random.Random, category: ProductCategory, county: str) -> str:
    base, varieties = rng.choice(PRODUCTS[category])
    parts = []
    if rng.random() < 0.6:
        parts.append(_short(county))
    if rng.random() < 0.3:
        parts.append(rng.choice(ADJECTIVES))
    parts.append(rng.choice(varieties) + base)
    name = "".join(parts)
    return name + rng.choice(SPECS) if rng.random() < 0.4 else name


def generate(engine: sa.Engine, counts: Counts, *, seed: int = 1) -> None:
    """Insert counties, townships, villages, cooperatives, enterprises and listed products."""
    rng = random.Random(seed)
    counties = _read_csv("yuncheng_counties.csv")
    townships = _read_csv("yuncheng_townships.csv")
    county_name = {c["code"]: c["name"] for c in counties}
    township_name = {t["code"]: t["name"] for t in townships}
    with engine.begin() as conn:
        _insert(conn, County.__table__, [
            {"code": c["code"], "name": c["name"],
             "category": CATEGORY_OF_COUNTY.get(c["name"], CountyCategory.overall).value}
            for c in counties
        ])  # fmt: skip
        _insert(conn, Township.__table__, townships)
        villages, used = [], set()
        for i in range(counts.villages):
            township = townships[i % len(townships)]
            code = f"{township['code']}{200 + i // len(townships):03d}"
            name = "".join(rng.choice(part) for part in VILLAGE_PARTS) + "村"
            used.add(code)
            villages.append({
                "id": i + 1, "code": code, "name": name, "township_code": township["code"],
                "county_code": township["county_code"], "key_village": rng.random() < 0.2,
                "lifted_village": rng.random() < 0.3, "relocation_site": False,
                "pv_station": rng.random() < 0.05, "tourism_demo": rng.random() < 0.03,
                "population": 1200, "households": 400, "lifted_households": 40,
                "monitored_households": 3,
                "main_industries": "、".join(rng.sample(
                    [b for pool in PRODUCTS.values() for b, _v in pool], 2)),
                "resources": "黄河沿岸，光照充足，耕地连片。",
                "introduction": f"{name}位于{county_name[township['county_code']]}"
                                f"{township_name[township['code']]}，以特色种植为主。",
                "created_at": NOW, "updated_at": NOW,
            })  # fmt: skip
        _insert(conn, Village.__table__, villages)
        cooperatives = []
        for i in range(counts.cooperatives):
            village = villages[rng.randrange(len(villages))]
            cooperatives.append({
                "id": i + 1, "credit_code": _credit_code(i, "93140800"),
                "name": f"{_short(county_name[village['county_code']])}{village['name']}"
                        f"{rng.choice(['种植', '养殖', '农产品', '果业'])}专业合作社",
                "village_id": village["id"], "members": 30, "lifted_members": 8,
                "status": "approved", "created_at": NOW, "updated_at": NOW,
            })  # fmt: skip
        _insert(conn, Cooperative.__table__, cooperatives)
        kinds = list(EnterpriseKind)
        enterprises = [{
            "id": i + 1, "credit_code": _credit_code(i, "91140800"),
            "name": f"运城{rng.choice('恒泰宏达鑫源惠农晋南盛丰')}{rng.choice('华泰诚瑞隆兴')}"
                    f"{rng.choice(ENTERPRISE_TRADES)}有限公司{i}",
            "kind": rng.choice(kinds).value, "industry": rng.choice("ACFGIL"),
            "county_code": counties[i % len(counties)]["code"], "external_region": "",
            "offers": rng.randrange(1, 64), "reserved_share_fen": 0,
            "introduction": "积极参与千企帮千村行动，开展产业合作与结对帮销。",
            "status": "approved", "created_at": NOW, "updated_at": NOW,
        } for i in range(counts.enterprises)]  # fmt: skip
        _insert(conn, Enterprise.__table__, enterprises)
        categories = list(CATEGORY_WEIGHTS)
        weights = list(CATEGORY_WEIGHTS.values())
        products = []
        for i in range(counts.products):
            coop = cooperatives[rng.randrange(len(cooperatives))]
            village = villages[coop["village_id"] - 1]
            county = county_name[village["county_code"]]
            category = rng.choices(categories, weights)[0]
            created = NOW - timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
            rated = rng.randrange(0, 40)
            certified = rng.random() < 0.25
            products.append({
                "id": i + 1, "cooperative_id": coop["id"], "village_id": village["id"],
                "name": product_name(rng, category, county), "category": category.value,
                "unit": rng.choice(["斤", "公斤", "箱", "件"]),
                "price_fen": rng.randrange(300, 30000, 10), "min_order": 1,
                "stock": 0 if rng.random() < 0.1 else rng.randrange(1, 5000),
                "harvest_months": sum(1 << m for m in rng.sample(range(12), rng.randrange(1, 5))),
                "certifications": rng.randrange(0, 8) if rng.random() < 0.3 else 0,
                "assistance_certified_until": date(2027, rng.randrange(1, 13), 1)
                if certified else None,
                "description": f"产自{county}{township_name[village['township_code']]}"
                               f"{village['name']}。{FEATURES[category]}{rng.choice(SERVICES)}",
                "status": (ProductStatus.listed if rng.random() < 0.95
                           else ProductStatus.delisted).value,
                "rating_total": rated * rng.randrange(3, 6), "rating_count": rated,
                "created_at": created, "updated_at": created,
            })  # fmt: skip
        _insert(conn, Product.__table__, products)
