"""劳务协作 demo data in every county: villages' groups of available workers, enterprises' job
postings (帮扶车间 and nearby jobs in the village's township), and hires by paired enterprises
from their villages, counted toward the agreement, at every stage of the stable-employment checks
(all dates relative to REFERENCE_DATE).
"""

from datetime import timedelta

from app.models.enums import AgreementStatus
from app.models.flags import months_to_mask
from app.models.labour import (
    ApplicationStatus,
    JobPosting,
    LabourApplication,
    LabourSupply,
    PostingKind,
    PostingStatus,
)
from app.seed.context import REFERENCE_DATE, REFERENCE_TIME, SeedRun
from app.services import clock

_SKILLS = ("采摘", "分拣", "装卸", "瓦工", "电焊", "缝纫", "养殖", "驾驶", "烹饪", "保洁")
_JOBS = {
    PostingKind.workshop: ("帮扶车间缝纫工", "帮扶车间包装工", "果品分拣工"),
    PostingKind.nearby: ("苹果采摘工", "大棚管护员", "仓库装卸工"),
    PostingKind.away: ("建筑瓦工", "物流分拣员", "餐饮后厨帮工"),
}
# Hires per active agreement (in the first few per county), months before the reference date.
_HIRED_MONTHS_AGO = (1, 4, 7)


def _skills(run: SeedRun, k: int) -> str:
    return "、".join(run.rng.sample(_SKILLS, k))


def seed_labour(run: SeedRun) -> None:
    """About one supply group per twenty villages and per active agreement a posting and a hire."""
    villages = {v.id: v for v in run.villages}
    active = [a for a in run.agreements if a.status == AgreementStatus.active]
    per_county: dict[str, int] = {}
    supplies = run.inserter(LabourSupply, "劳务供给")
    postings = run.inserter(JobPosting, "招工岗位", after=supplies)
    applications = run.inserter(LabourApplication, "劳务报名", after=postings)
    supply_id = posting_id = application_id = 0
    with supplies, postings, applications:
        seen: set[str] = set()
        for index, village in enumerate(run.villages):
            if index % max(1, len(run.villages) // 150) and village.county_code in seen:
                continue
            first = village.county_code not in seen
            seen.add(village.county_code)
            supply_id += 1
            supplies.add(_supply(run, supply_id, village))
            if first or index % 5 == 0:
                employer = _local_employer(run, village.county_code)
                if employer is not None:
                    posting_id += 1
                    kind = PostingKind.nearby if index % 2 else PostingKind.workshop
                    postings.add(_posting(run, posting_id, employer, village, kind))
        for agreement in active:
            village = villages[agreement.village_id]
            county = village.county_code
            if per_county.get(county, 0) >= 3:
                continue
            n = per_county[county] = per_county.get(county, 0) + 1
            supply_id += 1
            supplies.add(_supply(run, supply_id, village))
            posting_id += 1
            kind = (PostingKind.workshop, PostingKind.nearby, PostingKind.away)[n % 3]
            postings.add(_posting(run, posting_id, agreement.enterprise_id, village, kind))
            application_id += 1
            ago = _HIRED_MONTHS_AGO[(n - 1) % len(_HIRED_MONTHS_AGO)]
            applications.add(
                _hire(run, application_id, supply_id, posting_id, agreement, village, ago)
            )


def _local_employer(run: SeedRun, county_code: str) -> int | None:
    """An approved enterprise of the county; where the county has none, one from elsewhere
    recruiting there (every county gets postings whatever the draw of organisations)."""
    approved = [e for e in run.enterprises if e.approved]
    for enterprise in approved:
        if enterprise.county_code == county_code:
            return enterprise.id
    return approved[0].id if approved else None


def _supply(run: SeedRun, ident: int, village) -> dict:
    start = run.rng.randint(1, 12)
    months = [(start - 1 + i) % 12 + 1 for i in range(run.rng.randint(3, 9))]
    return {
        "id": ident,
        "village_id": village.id,
        "county_code": village.county_code,
        "township_code": village.code[:9],
        "title": f"{village.name}务工组{ident}",
        "head_count": run.rng.randint(5, 40),
        "skills": _skills(run, run.rng.randint(1, 3)),
        "can_travel": run.rng.random() < 0.4,
        "available_months": months_to_mask(months),
        "note": "",
        "status": "open",
        "created_at": REFERENCE_TIME - timedelta(days=run.rng.randint(10, 200)),
        "updated_at": REFERENCE_TIME,
        "version": 1,
    }


def _posting(run: SeedRun, ident: int, enterprise_id: int, village, kind: PostingKind) -> dict:
    low = run.rng.randint(25, 40) * 10_000
    return {
        "id": ident,
        "enterprise_id": enterprise_id,
        "cooperative_id": None,
        "title": run.rng.choice(_JOBS[kind]),
        "positions": "",
        "county_code": village.county_code,
        "township_code": village.code[:9],
        "wage_min_fen": low,
        "wage_max_fen": low + run.rng.randint(5, 20) * 10_000,
        "start_month": run.rng.randint(1, 12),
        "term_months": run.rng.choice((3, 6, 12)),
        "housing": kind == PostingKind.away,
        "meals": kind != PostingKind.nearby,
        "skills": _skills(run, 1),
        "head_count": run.rng.randint(10, 60),
        "kind": kind.value,
        "status": PostingStatus.open.value,
        "created_at": REFERENCE_TIME - timedelta(days=run.rng.randint(30, 240)),
        "updated_at": REFERENCE_TIME,
        "version": 1,
    }


def _hire(run, ident, supply_id, posting_id, agreement, village, months_ago) -> dict:
    hired_on = clock.add_months(REFERENCE_DATE, -months_ago)
    due_3, due_6 = clock.add_months(hired_on, 3), clock.add_months(hired_on, 6)
    hired = run.rng.randint(3, 10)
    # Hires older than six months went through both checks; younger ones wait for the village
    # (whose 3-month check is then due: a to-do).
    done = due_6 <= REFERENCE_DATE
    retained = hired - run.rng.randint(0, 2) if done else 0
    stable = retained - run.rng.randint(0, 1) if done else 0
    status = ApplicationStatus.stable if done else ApplicationStatus.hired
    return {
        "id": ident,
        "posting_id": posting_id,
        "supply_id": supply_id,
        "village_id": village.id,
        "enterprise_id": agreement.enterprise_id,
        "cooperative_id": None,
        "county_code": village.county_code,
        "head_count": hired + 2,
        "note": "",
        "status": status.value,
        "interview_on": hired_on - timedelta(days=7),
        "hired_on": hired_on,
        "hired_count": hired,
        "check_3_due": due_3,
        "check_6_due": due_6,
        "retained_count": retained,
        "stable_count": stable,
        "agreement_id": agreement.id,
        "created_at": REFERENCE_TIME - timedelta(days=30 * months_ago + 14),
        "updated_at": REFERENCE_TIME,
        "version": 1,
    }
