"""Counties, townships (the real ones), generated villages and their needs lists.

Villages are spread over the real 161 townships, weighted by kind (towns most, street offices few).
Units that hold no villages in reality (prisons, detox centres, a factory, 社区 service units) get
none. Village codes are the township code plus 201, 202, …, so a township holds at most 799; the
province scale (~20,000 villages) keeps the 13 real counties and 161 townships and only adds
villages per township.
"""

import csv
import io
import math
from datetime import date, timedelta
from importlib import resources

import sqlalchemy as sa

from app.models import County, Township, Village, VillageNeed
from app.models.enums import CountyCategory, HelpKind, NeedStatus
from app.seed.catalogue import Specialty, county_category
from app.seed.context import (
    HISTORY_START,
    REFERENCE_DATE,
    REFERENCE_TIME,
    SeedRun,
    VillageRef,
    office_time,
    random_day,
    round_to,
    weighted,
)
from app.seed.names import mobile, person_name, village_name
from app.seed.specialties import GENERIC, SPECIALTIES

MAX_VILLAGES_PER_TOWNSHIP = 799  # codes 201–999
_KEY_SHARE = {
    CountyCategory.key: 0.35,
    CountyCategory.overall: 0.06,
    CountyCategory.demonstration: 0.05,
}
_LIFTED_SHARE = {
    CountyCategory.key: 0.3,
    CountyCategory.overall: 0.15,
    CountyCategory.demonstration: 0.06,
}
_NEED_STATUS = {NeedStatus.open: 0.7, NeedStatus.met: 0.2, NeedStatus.withdrawn: 0.1}
_LATEST = REFERENCE_TIME - timedelta(hours=1)


def read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("app").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def village_options(county_code: str) -> tuple[Specialty, ...]:
    """The specialties a village of this county may grow: its own first, then the generic ones."""
    return SPECIALTIES[county_code] + GENERIC


def seed_regions(run: SeedRun) -> None:
    counties = read_csv("yuncheng_counties.csv")
    townships = read_csv("yuncheng_townships.csv")
    categories = {c["code"]: county_category(c["name"]) for c in counties}
    with run.inserter(County, "县") as out:
        for c in counties:
            out.add({"code": c["code"], "name": c["name"], "category": categories[c["code"]].value})
    with run.inserter(Township, "乡镇") as out:
        for t in townships:
            out.add({"code": t["code"], "name": t["name"], "county_code": t["county_code"]})
    county_names = run.county_names = {c["code"]: c["name"] for c in counties}
    for code in county_names:
        run.towns[code] = tuple(
            t["name"] for t in townships if t["county_code"] == code and t["code"][6] in "12"
        )
    sizes = _allocate(run, townships)
    step = run.step("行政村", run.scale.villages)
    with run.inserter(Village, "行政村") as out:
        for township, size in zip(townships, sizes, strict=True):
            names: set[str] = set()
            for i in range(size):
                name = village_name(run.rng)
                while name in names:
                    name = village_name(run.rng)
                names.add(name)
                code = f"{township['code']}{201 + i:03d}"
                row = _village(
                    run,
                    len(run.villages) + 1,
                    code,
                    name,
                    township,
                    county_names,
                    categories[township["county_code"]],
                )
                out.add(row)
                step.advance()
    _mark_exact_counts(run)
    _seed_needs(run)


def _allocate(run: SeedRun, townships: list[dict[str, str]]) -> list[int]:
    """Villages per township: at least one where villages exist, the rest by jittered weight."""
    weights = [_township_weight(t) * run.rng.uniform(0.6, 1.4) for t in townships]
    holders = sum(1 for w in weights if w > 0)
    spare = run.scale.villages - holders
    if spare < 0:
        raise ValueError(f"at least {holders} villages are needed, one per township")
    total = sum(weights)
    shares = [spare * w / total for w in weights]
    sizes = [(1 if w > 0 else 0) + math.floor(s) for w, s in zip(weights, shares, strict=True)]
    by_remainder = sorted(range(len(shares)), key=lambda i: (-(shares[i] % 1), i))
    for i in by_remainder[: run.scale.villages - sum(sizes)]:
        sizes[i] += 1
    if max(sizes) > MAX_VILLAGES_PER_TOWNSHIP:
        raise ValueError("too many villages for one township's 3-digit village codes")
    return sizes


def _township_weight(township: dict[str, str]) -> float:
    kind, name = township["code"][6], township["name"]
    if kind == "0":
        return 0.4  # 街道
    if kind == "1":
        return 1.15  # 镇
    if kind == "2":
        return 1.0  # 乡
    return 0.5 if "开发区" in name else 0.0


def _village(run, vid, code, name, township, county_names, category) -> dict:
    rng = run.rng
    county_code = township["county_code"]
    key = rng.random() < _KEY_SHARE[category]
    lifted = rng.random() < (0.85 if key else _LIFTED_SHARE[category])
    households = int(120 + 780 * rng.random() ** 1.6)
    population = int(households * rng.uniform(2.5, 3.4))
    share = rng.uniform(0.08, 0.25) + (0.05 if key else 0) if lifted else rng.uniform(0, 0.05)
    lifted_households = min(households, int(households * share))
    monitored = int(households * rng.uniform(0, 0.03 if lifted else 0.01))
    options = village_options(county_code)
    own = len(SPECIALTIES[county_code])
    chosen = rng.sample(range(own), k=min(own, rng.choice((1, 1, 2, 2, 3))))
    if rng.random() < 0.35:
        chosen.append(own + rng.randrange(len(GENERIC)))
    industries = list(dict.fromkeys(options[i].industry for i in chosen))
    county = county_names[county_code]
    run.villages.append(
        VillageRef(
            vid, code, name, county_code, township["name"], key, lifted, households, tuple(chosen)
        )
    )
    arable = households * rng.randint(3, 9)
    created = office_time(rng, random_day(rng, date(2023, 6, 1), date(2023, 10, 31)))
    lifted_text = f"其中脱贫户{lifted_households}户、监测户{monitored}户，" if lifted else ""
    return {
        "id": vid,
        "code": code,
        "name": name,
        "township_code": township["code"],
        "county_code": county_code,
        "key_village": key,
        "lifted_village": lifted,
        "relocation_site": rng.random() < (0.012 if category is CountyCategory.key else 0.003),
        "pv_station": False,
        "tourism_demo": False,
        "population": population,
        "households": households,
        "lifted_households": lifted_households,
        "monitored_households": monitored,
        "main_industries": "、".join(industries),
        "resources": f"耕地{arable}亩，其中水浇地{int(arable * rng.uniform(0.3, 0.9))}亩；"
        f"{rng.choice(_RESOURCES)}",
        "introduction": f"{name}隶属{county}{township['name']}，全村{households}户{population}人，"
        f"{lifted_text}主导产业为{'、'.join(industries)}。",
        "contact_name": person_name(rng),
        "contact_phone": mobile(rng),
        "created_at": created,
        "updated_at": created,
    }


_RESOURCES = (
    "村集体有闲置校舍一处，可改建为农产品分拣车间。",
    "靠近中条山，林地资源丰富，适合发展林下经济。",
    "紧邻黄河滩地，土壤肥沃，灌溉便利。",
    "有传统窑洞民居和古戏台，具备发展乡村旅游的条件。",
    "村内有冷库一座（300吨），可承接农产品仓储。",
    "交通便利，距县城15公里，距高速出口8公里。",
    "村集体经济合作社已成立，有土地流转基础。",
)


def _mark_exact_counts(run: SeedRun) -> None:
    """Flag exactly ~194 光伏 villages and ~50 旅游示范村 (plan 十五, 十四), scaled to size."""
    table = Village.__table__
    n = run.scale.villages
    for column, count, weight in (
        ("pv_station", round(194 * n / 3000), lambda v: 5.0 if v.lifted else 0.3),
        ("tourism_demo", round(50 * n / 3000), lambda v: 3.0 if v.lifted else 1.0),
    ):
        # Weighted sampling without replacement (Efraimidis–Spirakis): top keys u^(1/w).
        keyed = sorted(run.villages, key=lambda v, w=weight: -(run.rng.random() ** (1 / w(v))))
        ids = sorted(v.id for v in keyed[:count])
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            run.session.execute(
                sa.update(table).where(table.c.id.in_(chunk)).values({column: True})
            )


def _seed_needs(run: SeedRun) -> None:
    rng = run.rng
    step = run.step("帮扶需求", len(run.villages))
    need_id = 0
    with run.inserter(VillageNeed, "帮扶需求") as out:
        for village in run.villages:
            step.advance()
            if rng.random() > (0.9 if village.key else 0.55):
                continue
            industry = village_options(village.county_code)[village.specialties[0]]
            for kind in rng.sample(list(HelpKind), k=rng.choice((1, 1, 2, 3))):
                need_id += 1
                out.add(_need(rng, need_id, village, kind, industry))


def _need(rng, need_id: int, village: VillageRef, kind: HelpKind, industry: Specialty) -> dict:
    word = industry.words[0]
    amount = headcount = None
    if kind is HelpKind.industry:
        amount = round_to(rng.uniform(2e7, 3e8), 1_000_000)
        text = f"扩大{industry.industry}规模，需建设冷库、分拣车间和水肥一体化设施。"
    elif kind is HelpKind.employment:
        headcount = rng.randint(8, 80)
        text = f"村里有{headcount}名脱贫劳动力希望就近务工，盼望企业提供稳定岗位。"
    elif kind is HelpKind.talent:
        headcount = rng.randint(1, 5)
        text = f"需要{industry.industry}、电商运营方面的技术人员驻村指导{headcount}人。"
    elif kind is HelpKind.funding:
        amount = round_to(rng.uniform(1e7, 2e8), 1_000_000)
        text = "村集体经济项目缺少启动资金，计划用于光伏运维和农机购置。"
    elif kind is HelpKind.sales:
        amount = round_to(rng.uniform(5e6, 1.5e8), 100_000)
        text = f"{word}等产品需要稳定的销售渠道和团购客户，预计销售额{amount // 1_000_000}万元。"
    else:
        amount = round_to(rng.uniform(2e6, 3e7), 100_000)
        text = rng.choice(
            (
                "村小学需要图书、课桌椅和取暖设备。",
                "老年人日间照料中心需要添置设施。",
                "困难家庭学生需要助学帮扶。",
                "残疾人家庭需要康复器具和护理帮助。",
            )
        )
    status = weighted(rng, _NEED_STATUS)
    created = office_time(rng, random_day(rng, HISTORY_START, REFERENCE_DATE - timedelta(days=2)))
    updated = created
    if status is not NeedStatus.open:
        updated = min(created + timedelta(days=rng.randint(10, 200)), _LATEST)
    return {
        "id": need_id,
        "village_id": village.id,
        "kind": kind.value,
        "description": text,
        "amount_fen": amount,
        "headcount": headcount,
        "status": status.value,
        "created_at": created,
        "updated_at": max(updated, created),
    }
