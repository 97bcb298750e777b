"""Pairing agreements (结对帮扶协议) in every status, and their quarterly outcome reports.

Key villages are likelier to be paired, yet a few key villages are left without any partner so the
coverage pages have gaps to show. Every term starts within the date rules of decision 0030 as of
the day it was proposed: a few active agreements were entered after they began (补录, within the
grace, flagged ``late_start``); none starts more than the lead time ahead.

Reports cover each closed quarter an agreement was in force; the last closed quarter is missing
for about a quarter of the active agreements (they are overdue).
"""

from datetime import timedelta

from app.labels import HELP_KIND
from app.models import INDICATORS, PairingAgreement
from app.models.enums import OPEN_AGREEMENT_STATUSES, AgreementStatus, EnterpriseKind, HelpKind
from app.models.flags import from_mask, to_mask
from app.seed.context import (
    HISTORY_START,
    REFERENCE_DATE,
    AgreementRef,
    EnterpriseRef,
    SeedRun,
    VillageRef,
    WeightedPicker,
    add_years,
    office_time,
    quota,
    random_day,
    round_to,
    weighted,
)
from app.seed.reports import seed_reports
from app.services.clock import SHANGHAI
from app.services.pairing.periods import Quarter

STATUS_SHARES = {
    AgreementStatus.active: 0.48,
    AgreementStatus.completed: 0.18,
    AgreementStatus.terminated: 0.08,
    AgreementStatus.proposed: 0.07,
    AgreementStatus.signed: 0.05,
    AgreementStatus.declined: 0.08,
    AgreementStatus.withdrawn: 0.06,
}
SERVED = (AgreementStatus.active, AgreementStatus.completed, AgreementStatus.terminated)
UNPAIRED_KEY_SHARE = 0.08
# Every 25th agreement, when active and begun two months or more before the reference date, was
# entered after it began (补录, late_start). Chosen by id, not drawn: the random stream (and so
# every other seeded figure) stays as it was.
LATE_ENTRY_EVERY = 25
_OPEN = {s.value for s in OPEN_AGREEMENT_STATUSES}
_TERM_YEARS = {1: 0.2, 2: 0.25, 3: 0.35, 4: 0.1, 5: 0.1}
_KIND_WEIGHTS = {
    "private": 1.0,
    "state_owned": 2.0,
    "agency": 2.5,
    "school": 1.0,
    "hospital": 1.0,
    "social_org": 0.8,
}
_REASONS = {
    AgreementStatus.declined: (
        "村里已与其他单位签订同类帮扶协议",
        "帮扶内容与本村需求不匹配",
        "村两委研究后暂缓，待明年统筹安排",
        "企业承诺资金到位方式不明确",
    ),
    AgreementStatus.terminated: (
        "企业经营困难，无法继续履行协议",
        "帮扶项目因土地手续问题停止实施",
        "双方协商一致提前终止",
        "村庄整体搬迁，帮扶内容调整",
    ),
    AgreementStatus.withdrawn: ("企业调整年度帮扶计划，主动撤回", "重复提交，撤回本条"),
}


def seed_agreements(run: SeedRun) -> None:
    rng = run.rng
    n = run.scale.agreements
    statuses = quota(rng, {s.value: share for s, share in STATUS_SHARES.items()}, n)
    helpers = [e for e in run.enterprises if e.approved]
    helper_picker = WeightedPicker(helpers, [_KIND_WEIGHTS[e.kind] for e in helpers])
    key_villages = [v for v in run.villages if v.key]
    never = {
        v.id
        for v in rng.sample(key_villages, max(1, round(len(key_villages) * UNPAIRED_KEY_SHARE)))
    }
    candidates = [v for v in run.villages if v.id not in never]
    anywhere, by_county = _village_pickers(candidates)
    open_pairs: set[tuple[int, int]] = set()
    open_counts = dict.fromkeys((e.id for e in helpers), 0)
    step = run.step("帮扶协议", n)
    with run.inserter(PairingAgreement, "帮扶协议") as out:
        for aid, status_value in enumerate(statuses, start=1):
            status = AgreementStatus(status_value)
            is_open = status_value in _OPEN
            for _ in range(10_000):
                helper = helper_picker.pick(rng)
                if is_open and open_counts[helper.id] >= helper.capacity:
                    continue  # the enterprise's max_villages is taken up
                local = helper.county_code is not None and rng.random() < (
                    0.85 if helper.kind == EnterpriseKind.agency else 0.6
                )
                village = (by_county[helper.county_code] if local else anywhere).pick(rng)
                if not is_open or (helper.id, village.id) not in open_pairs:
                    break
            else:
                raise RuntimeError("no enterprise has room for another open agreement")
            if is_open:
                open_pairs.add((helper.id, village.id))
                open_counts[helper.id] += 1
            out.add(_after_review(aid, _agreement(run, aid, helper, village, status)))
            step.advance()
    seed_reports(run)


# Some open agreements sit at the two newer steps: a draft of the bureau's coverage plan waiting
# for its enterprise (from every 4th proposal), and an agreement the bureau returned at filing
# (from every 3rd signed one). Picked by id, with no random draw, so every other figure of the
# seed stays as it was.
DRAFT_EVERY, RETURNED_EVERY = 4, 3
_RETURN_REASONS = (
    "缺少双方签字盖章页，请补齐后重新签约",
    "承诺资金与附件预算不一致，请核对后重新提交",
)


def _after_review(aid: int, row: dict) -> dict:
    if row["status"] == AgreementStatus.proposed.value and aid % DRAFT_EVERY == 0:
        return row | {"status": AgreementStatus.draft.value}
    if row["status"] == AgreementStatus.signed.value and aid % RETURNED_EVERY == 0:
        reason = _RETURN_REASONS[aid % len(_RETURN_REASONS)]
        return row | {"status": AgreementStatus.returned.value, "status_reason": reason}
    return row


def _village_pickers(candidates: list[VillageRef]):
    def weight(v: VillageRef) -> float:
        return 8.0 if v.key else 2.5 if v.lifted else 1.0

    anywhere = WeightedPicker(candidates, [weight(v) for v in candidates])
    grouped: dict[str, list[VillageRef]] = {}
    for v in candidates:
        grouped.setdefault(v.county_code, []).append(v)
    by_county = {c: WeightedPicker(vs, [weight(v) for v in vs]) for c, vs in grouped.items()}
    return anywhere, by_county


def _agreement(run: SeedRun, aid: int, helper: EnterpriseRef, village: VillageRef, status) -> dict:
    rng = run.rng
    offered = from_mask(helper.offers, HelpKind)
    kinds = rng.sample(offered, k=rng.randint(1, min(3, len(offered))))
    start, end, proposed, signed, filed, ended = _timeline(rng, status)
    if (
        status is AgreementStatus.active
        and aid % LATE_ENTRY_EVERY == 0
        and start <= REFERENCE_DATE - timedelta(days=60)
    ):
        # A paper agreement entered 1–15 days after it began: within the grace of its quarter.
        shift = (start - proposed.date()) + timedelta(days=1 + aid % 15)
        proposed, signed, filed = proposed + shift, signed + shift, filed + shift
    years = max(1, round((end - start).days / 365))
    commitments = _commitments(rng, set(kinds), years, village.households)
    if status in SERVED:
        until = min(end, ended.date() if ended else end, REFERENCE_DATE - timedelta(days=1))
        run.agreements.append(
            AgreementRef(aid, helper.id, village.id, status.value, start, end, until, commitments)
        )
    # Numbered like app.services.numbering: JD-<start year>-<sequence in that year>.
    counter = f"agreement:{start.year}"
    run.counters[counter] = run.counters.get(counter, 0) + 1
    labels = "、".join(HELP_KIND[k] for k in sorted(kinds, key=list(HelpKind).index))
    stamps = [t for t in (proposed, signed, filed, ended) if t is not None]
    return {
        "id": aid,
        "number": f"JD-{start.year}-{run.counters[counter]:06d}",
        "enterprise_id": helper.id,
        "village_id": village.id,
        "help_kinds": to_mask(kinds, HelpKind),
        "start_on": start,
        "end_on": end,
        **{f"commit_{name}": value for name, value in zip(INDICATORS, commitments, strict=True)},
        "note": f"围绕{village.name}的产业和民生需求，开展{labels}，按季度报送帮扶成效。",
        "status": status.value,
        "status_reason": rng.choice(_REASONS[status]) if status in _REASONS else "",
        "proposed_at": proposed,
        # 补录: the term began before the quarter it was entered in (decision 0030).
        "late_start": start < Quarter.of(proposed.astimezone(SHANGHAI).date()).start,
        "signed_at": signed,
        "filed_at": filed,
        "ended_at": ended,
        "updated_at": max(stamps),
    }


def _timeline(rng, status: AgreementStatus):
    """(start_on, end_on, proposed_at, signed_at, filed_at, ended_at) consistent with ``status``."""
    ref = REFERENCE_DATE
    signed = filed = ended = None
    if status in SERVED:
        if status is AgreementStatus.active:
            start = random_day(rng, HISTORY_START, ref - timedelta(days=20))
            years = _years(rng, lambda y: add_years(start, y) > ref)
        elif status is AgreementStatus.completed:
            start = random_day(rng, HISTORY_START, ref - timedelta(days=368))
            years = _years(rng, lambda y: add_years(start, y) < ref)
        else:
            start = random_day(rng, HISTORY_START, ref - timedelta(days=120))
            years = _years(rng, lambda y: True)
        end = add_years(start, years)
        proposed = office_time(rng, start - timedelta(days=rng.randint(10, 45)))
        signed = office_time(rng, proposed.date() + timedelta(days=rng.randint(2, 10)))
        filed = office_time(rng, signed.date() + timedelta(days=rng.randint(1, 7)))
        if status is AgreementStatus.completed:
            ended = office_time(rng, end)
        elif status is AgreementStatus.terminated:
            last = min(end, ref) - timedelta(days=1)
            ended = office_time(rng, random_day(rng, start + timedelta(days=90), last))
        return start, end, proposed, signed, filed, ended
    if status is AgreementStatus.proposed:
        proposed_on = random_day(rng, ref - timedelta(days=45), ref - timedelta(days=1))
        start = proposed_on + timedelta(days=rng.randint(10, 60))
    elif status is AgreementStatus.signed:
        proposed_on = random_day(rng, ref - timedelta(days=75), ref - timedelta(days=12))
        signed = office_time(rng, proposed_on + timedelta(days=rng.randint(2, 10)))
        start = signed.date() + timedelta(days=rng.randint(0, 40))
    else:  # declined or withdrawn before signing
        proposed_on = random_day(rng, HISTORY_START, ref - timedelta(days=16))
        ended = office_time(rng, proposed_on + timedelta(days=rng.randint(1, 14)))
        start = proposed_on + timedelta(days=rng.randint(10, 60))
    proposed = office_time(rng, proposed_on)
    end = add_years(start, _years(rng, lambda y: True))
    return start, end, proposed, signed, filed, ended


def _years(rng, allowed) -> int:
    table = {y: w for y, w in _TERM_YEARS.items() if allowed(y)}
    return weighted(rng, table)


def _commitments(rng, kinds: set[HelpKind], years: int, households: int) -> tuple[int, ...]:
    """Totals over the whole term, in INDICATORS order."""
    span = years**0.5
    business = welfare = jobs = trainees = purchase = 0
    if kinds & {HelpKind.industry, HelpKind.funding}:
        business = round_to(rng.uniform(1e7, 2e8) * span, 100_000)
    if kinds & {HelpKind.welfare, HelpKind.funding}:
        welfare = round_to(rng.uniform(2e6, 5e7) * span, 100_000)
    if HelpKind.employment in kinds:
        jobs = rng.randint(3, 60)
    if kinds & {HelpKind.talent, HelpKind.employment}:
        trainees = rng.randint(10, 200)
    if HelpKind.sales in kinds:
        purchase = round_to(rng.uniform(5e6, 3e8) * span, 100_000)
    beneficiaries = rng.randint(20, max(21, min(800, households * 3)))
    return business, welfare, jobs, trainees, purchase, beneficiaries
