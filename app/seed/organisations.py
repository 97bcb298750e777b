"""Helping organisations (帮扶主体) of every kind and the villages' cooperatives (合作社)."""

import itertools
from datetime import date, timedelta

from app.models import Cooperative, Enterprise
from app.models.enums import EnterpriseKind, HelpKind, RegistrationStatus
from app.models.flags import to_mask
from app.seed import codes
from app.seed.context import (
    CooperativeRef,
    EnterpriseRef,
    SeedRun,
    WeightedPicker,
    office_time,
    quota,
    random_day,
)
from app.seed.names import mobile, office_phone, person_name
from app.seed.orgnames import Place, brand, enterprise_name, fallback_name
from app.seed.specialties import GENERIC, SPECIALTIES

KIND_SHARES = {
    EnterpriseKind.private: 0.56,
    EnterpriseKind.state_owned: 0.12,
    EnterpriseKind.agency: 0.13,
    EnterpriseKind.school: 0.07,
    EnterpriseKind.hospital: 0.05,
    EnterpriseKind.social_org: 0.07,
}
# (share registered outside 运城, share registered at city level)
_PLACE_ODDS = {
    EnterpriseKind.private: (0.18, 0.25),
    EnterpriseKind.state_owned: (0.08, 0.45),
    EnterpriseKind.agency: (0.0, 0.35),
    EnterpriseKind.school: (0.0, 0.2),
    EnterpriseKind.hospital: (0.0, 0.15),
    EnterpriseKind.social_org: (0.05, 0.4),
}
# Chance of offering each help kind, in HelpKind order.
_OFFER_ODDS = {
    EnterpriseKind.private: (0.6, 0.6, 0.2, 0.3, 0.7, 0.3),
    EnterpriseKind.state_owned: (0.5, 0.5, 0.3, 0.6, 0.6, 0.3),
    EnterpriseKind.agency: (0.1, 0.1, 0.5, 0.5, 0.8, 0.5),
    EnterpriseKind.school: (0.05, 0.05, 0.8, 0.05, 0.6, 0.6),
    EnterpriseKind.hospital: (0.05, 0.05, 0.7, 0.05, 0.5, 0.8),
    EnterpriseKind.social_org: (0.05, 0.1, 0.2, 0.5, 0.2, 0.9),
}
# Local organisations cluster in the city seat and the bigger county towns.
# How many villages each kind will pair with at once (max_villages).
_CAPACITY = {
    EnterpriseKind.private: (1, 5),
    EnterpriseKind.state_owned: (2, 8),
    EnterpriseKind.agency: (3, 10),
    EnterpriseKind.school: (1, 4),
    EnterpriseKind.hospital: (1, 4),
    EnterpriseKind.social_org: (1, 5),
}
_COUNTY_WEIGHTS = {"140802": 4.0, "140882": 2.0, "140881": 2.0}
_PUBLIC_BODIES = (EnterpriseKind.agency, EnterpriseKind.school, EnterpriseKind.hospital)
_SEAT = "140802"  # city-level organisations sit in 盐湖区
_REJECTIONS = (
    "营业执照信息与统一社会信用代码不一致",
    "未上传法定代表人授权书",
    "联系人电话无法接通",
)
_REGISTRATION = {"approved": 0.96, "pending": 0.03, "rejected": 0.01}


def seed_enterprises(run: SeedRun) -> None:
    rng = run.rng
    n = run.scale.enterprises
    kinds = quota(rng, {k.value: s for k, s in KIND_SHARES.items()}, n)
    statuses = quota(rng, _REGISTRATION, n)
    counties = list(run.county_names)
    # Companies cluster in the bigger towns; every county has its own public bodies.
    business_counties = WeightedPicker(counties, [_COUNTY_WEIGHTS.get(c, 1.0) for c in counties])
    public_counties = WeightedPicker(counties, [1.0] * len(counties))
    used_codes: set[str] = set()
    used_names: set[str] = set()
    step = run.step("帮扶主体", n)
    with run.inserter(Enterprise, "帮扶主体") as out:
        for i, (kind_value, status) in enumerate(zip(kinds, statuses, strict=True), start=1):
            kind = EnterpriseKind(kind_value)
            where = public_counties if kind in _PUBLIC_BODIES else business_counties
            place = _place(run, kind, where.pick(rng))
            place, name, prefix, section = _unique_name(run, kind, place, where, used_names)
            ref = EnterpriseRef(
                id=i,
                kind=kind.value,
                county_code=place.county_code,
                region_label=place.region_label,
                offers=_offers(rng, kind),
                approved=status == RegistrationStatus.approved,
                capacity=rng.randint(*_CAPACITY[kind]),
            )
            run.enterprises.append(ref)
            out.add(_enterprise_row(run, ref, place, name, prefix, section, status, used_codes))
            step.advance()


def _unique_name(run: SeedRun, kind, place: Place, counties: WeightedPicker, used: set[str]):
    """(place, name, credit-code prefix, section) with a name not yet in ``used``.

    Public bodies have few plausible names (one 财政局 per county): when the city's are taken the
    body moves to a county, and at province scale, when every form is taken, names get a number.
    """
    for tries in itertools.count():
        if tries and tries % 30 == 0 and place.level == "city":
            place = _county_place(run, counties.pick(run.rng))
        pick = enterprise_name if tries % 30 < 10 else fallback_name
        name, prefix, section = pick(run.rng, kind, place)
        if tries >= 90:
            name = f"{name}（{tries - 89}）"
        if name not in used:
            used.add(name)
            return place, name, prefix, section
    raise AssertionError("unreachable")


def _place(run: SeedRun, kind: EnterpriseKind, county: str) -> Place:
    rng = run.rng
    external, city = _PLACE_ODDS[kind]
    roll = rng.random()
    if roll < external:
        region = rng.choices(codes.EXTERNAL_REGIONS, weights=[r[3] for r in codes.EXTERNAL_REGIONS])
        code, label, prefix, _ = region[0]
        return Place("external", code, None, "", label, prefix)
    if roll < external + city:
        return Place("city", codes.CITY_REGION, _SEAT, run.county_names[_SEAT], "", "运城市")
    return _county_place(run, county)


def _county_place(run: SeedRun, county: str) -> Place:
    name = run.county_names[county]
    return Place("county", county, county, name, "", name, run.towns[county])


def _offers(rng, kind: EnterpriseKind) -> int:
    odds = _OFFER_ODDS[kind]
    kinds = [k for k, p in zip(HelpKind, odds, strict=True) if rng.random() < p]
    if not kinds:
        kinds = [max(zip(odds, HelpKind, strict=True))[1]]
    return to_mask(kinds, HelpKind)


def _enterprise_row(run, ref: EnterpriseRef, place, name, prefix, section, status, used) -> dict:
    rng = run.rng
    kind = EnterpriseKind(ref.kind)
    created = office_time(rng, random_day(rng, date(2023, 8, 1), date(2026, 9, 30)))
    founded = rng.randint(1985, 2022)
    return {
        "id": ref.id,
        "credit_code": codes.credit_code(rng, prefix, place.credit_region, used),
        "name": name,
        "kind": kind.value,
        "industry": section,
        "county_code": place.county_code,
        "external_region": place.external_region,
        "offers": ref.offers,
        "max_villages": ref.capacity,
        # 预留份额 of the public buyers is set once their orders exist (app/seed/shares.py).
        "reserved_share_fen": 0,
        "introduction": f"{name}成立于{founded}年，积极参与“千企帮千村”结对帮扶和消费帮扶，"
        f"重点面向{place.region_label if place.level == 'county' else '运城'}脱贫地区开展帮扶。",
        "contact_name": person_name(rng),
        "contact_phone": mobile(rng) if rng.random() < 0.7 else office_phone(rng),
        "status": status,
        "status_reason": rng.choice(_REJECTIONS) if status == RegistrationStatus.rejected else "",
        "created_at": created,
        "updated_at": created + timedelta(days=rng.randint(0, 3)),
    }


def seed_cooperatives(run: SeedRun) -> None:
    rng = run.rng
    n = run.scale.cooperatives
    weights = [1.0 + (1.0 if v.lifted else 0) + (0.5 if v.key else 0) for v in run.villages]
    picker = WeightedPicker(run.villages, weights)
    hosts = sorted((picker.pick(rng) for _ in range(n)), key=lambda v: v.id)
    statuses = quota(rng, {"approved": 0.97, "pending": 0.03}, n)
    used_codes: set[str] = set()
    used_names: set[str] = set()
    step = run.step("合作社", n)
    with run.inserter(Cooperative, "合作社") as out:
        for cid, (village, status) in enumerate(zip(hosts, statuses, strict=True), start=1):
            own = SPECIALTIES[village.county_code]
            specialties = [rng.choice(village.specialties)]
            if rng.random() < 0.3:  # a generic sideline such as eggs or millet
                specialties.append(len(own) + rng.randrange(len(GENERIC)))
            specialties = list(dict.fromkeys(specialties))
            options = own + GENERIC
            industry = options[specialties[0]].industry
            county = run.county_names[village.county_code]
            stem = f"{county}{village.name.removesuffix('村')}"
            name = f"{stem}{industry}专业合作社"
            while name in used_names:
                name = f"{stem}{brand(rng)}{industry}专业合作社"
            used_names.add(name)
            run.cooperatives.append(
                CooperativeRef(cid, village, tuple(specialties), status == "approved")
            )
            out.add(_cooperative_row(run, cid, village, name, industry, status, used_codes))
            step.advance()


def _cooperative_row(run, cid, village, name, industry, status, used) -> dict:
    rng = run.rng
    members = int(5 + 295 * rng.random() ** 2.2)
    share = rng.uniform(0.2, 0.7) if village.lifted else rng.uniform(0, 0.2)
    lifted = int(members * share)
    created = office_time(rng, random_day(rng, date(2023, 7, 1), date(2026, 9, 30)))
    return {
        "id": cid,
        "credit_code": codes.credit_code(rng, codes.COOPERATIVE, village.county_code, used),
        "name": name,
        "village_id": village.id,
        "members": members,
        "lifted_members": lifted,
        "introduction": f"{name}成立于{rng.randint(2008, 2022)}年，现有成员{members}户，"
        f"其中脱贫户{lifted}户，主要从事{industry}，实行统一农资、统一技术、统一销售。",
        "contact_name": person_name(rng),
        "contact_phone": mobile(rng),
        "status": status,
        "status_reason": "",
        "created_at": created,
        "updated_at": created + timedelta(days=rng.randint(0, 3)),
    }
