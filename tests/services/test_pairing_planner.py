"""The coverage planner: optimal against brute force, and accepted lines become proposals."""

import itertools
import random
from datetime import date

import numpy as np
import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import Event, PairingAgreement
from app.models.enums import AgreementStatus, HelpKind
from app.models.flags import from_mask, to_mask
from app.services.pairing.planner import (
    PLAN_NOTE,
    accept_plan,
    parse_lines,
    plan_assignment,
    plan_coverage,
)
from app.services.pairing.queries import list_agreements
from tests.factories import make_agreement, make_county, make_enterprise, make_township
from tests.pairing_factories import bureau_actor, enterprise_actor, make_need
from tests.web.web_factories import village_in

TODAY = date(2026, 5, 20)


def _brute_force(scores: np.ndarray, capacities: list[int]) -> int:
    rows, columns = scores.shape
    best = 0
    for choice in itertools.product(range(-1, columns), repeat=rows):
        used = [choice.count(j) for j in range(columns)]
        if any(u > c for u, c in zip(used, capacities, strict=True)):
            continue
        best = max(best, sum(scores[i, j] for i, j in enumerate(choice) if j >= 0))
    return best


def _check(scores: np.ndarray, capacities: list[int], pairs: list[tuple[int, int]]) -> int:
    rows = [r for r, _ in pairs]
    assert len(rows) == len(set(rows)), "a village was assigned twice"
    for column, capacity in enumerate(capacities):
        assert sum(1 for _, c in pairs if c == column) <= capacity
    return sum(int(scores[r, c]) for r, c in pairs)


@pytest.mark.parametrize("seed", range(60))
def test_the_plan_equals_brute_force_on_small_instances(seed):
    rng = random.Random(seed)
    rows, columns = rng.randint(1, 5), rng.randint(1, 3)
    scores = np.array(
        [[rng.randint(-20, 100) for _ in range(columns)] for _ in range(rows)], dtype=np.int64
    )
    capacities = [rng.randint(0, 3) for _ in range(columns)]
    pairs = plan_assignment(scores, capacities)
    assert _check(scores, capacities, pairs) == _brute_force(scores, capacities)


def test_capacity_is_shared_out_to_the_best_villages():
    scores = np.array([[90, 10], [80, 70], [60, 0]])
    # Enterprise 0 takes two villages; enterprise 1 one.
    assert sorted(plan_assignment(scores, [2, 1])) == [(0, 0), (1, 1), (2, 0)]
    assert sorted(plan_assignment(scores, [1, 1])) == [(0, 0), (1, 1)]
    assert plan_assignment(scores, [0, 0]) == []
    assert plan_assignment(np.zeros((0, 2), dtype=np.int64), [1, 1]) == []


def test_lines_are_parsed_from_form_values():
    assert parse_lines(["12:3", "7:3"]) == [(12, 3), (7, 3)]
    with pytest.raises(ValidationError):
        parse_lines(["12-3"])


@pytest.fixture
def region(session):
    """平陆: three unpaired key villages, one paired key village, one ordinary village; 芮城: one."""
    make_county(session)
    make_county(session, code="140830", name="芮城县", category="overall")
    pinglu = make_township(session)
    ruicheng = make_township(session, code="140830100", name="古魏镇", county_code="140830")
    villages = [village_in(session, pinglu, n, key_village=True) for n in (201, 202, 203)]
    paired = village_in(session, pinglu, 204, key_village=True)
    village_in(session, pinglu, 205)
    far = village_in(session, ruicheng, 201, key_village=True)
    make_need(session, villages[0], kind=HelpKind.sales)
    big = make_enterprise(session, max_villages=2, offers=to_mask(["sales", "funding"], HelpKind))
    small = make_enterprise(session, max_villages=1, industry="J", county_code="140830")
    full = make_enterprise(session, max_villages=1)
    make_agreement(session, enterprise=full, village=paired, status=AgreementStatus.active)
    return villages, far, big, small, full


def test_the_plan_covers_as_many_key_villages_as_capacity_allows(session, region):
    villages, far, big, small, _full = region
    plan = plan_coverage(session=session, actor=bureau_actor("140800"), today=TODAY)
    assert (plan.villages, plan.enterprises, plan.places) == (4, 2, 3)
    assigned = {(line.village.id, line.enterprise.id) for line in plan.lines}
    assert len(plan.lines) == 3
    # The village needing sales goes to the enterprise offering sales, in the same county.
    assert (villages[0].id, big.id) in assigned
    # 平陆 is a key county (+20): its villages outrank 芮城's even with the 芮城 enterprise's
    # same-county bonus (65 against 45 + 10), so 芮城's village waits for more capacity.
    assert {line.enterprise.id for line in plan.lines} == {big.id, small.id}
    assert [v.id for v in plan.unassigned] == [far.id]
    # big: 85 (sales need, same county) + 75; small: 65.
    assert plan.total_score == 225
    first = plan.lines[0]
    assert first.key == f"{first.village.id}:{first.enterprise.id}"
    assert first.parts[0].text == "重点帮扶县"


def test_a_county_bureau_plans_for_its_county_only(session, region):
    _villages, far, _big, _small, _full = region
    plan = plan_coverage(session=session, actor=bureau_actor("140830"), today=TODAY)
    assert [line.village.id for line in plan.lines] == [far.id]


def test_only_bureau_officers_plan(session, region):
    _villages, _far, big, _small, _full = region
    with pytest.raises(PermissionDeniedError):
        plan_coverage(session=session, actor=enterprise_actor(big), today=TODAY)


def test_accepted_lines_become_drafts_the_enterprise_sees(session, region):
    villages, _far, big, _small, _full = region
    agreements = accept_plan(
        session=session,
        actor=bureau_actor("140829"),
        lines=[(villages[0].id, big.id), (villages[1].id, big.id)],
        data={"start_on": "2026-07-01", "years": "2"},
        today=TODAY,
    )
    # Drafts: the enterprise completes the commitments and accepts before the village signs.
    assert [a.status for a in agreements] == [AgreementStatus.draft] * 2
    first = agreements[0]
    assert (first.start_on, first.end_on, first.note) == (
        date(2026, 7, 1),
        date(2028, 6, 30),
        PLAN_NOTE,
    )
    # Help kinds: what the enterprise offers that the village needs, else all it offers.
    assert from_mask(first.help_kinds, HelpKind) == [HelpKind.sales]
    assert from_mask(agreements[1].help_kinds, HelpKind) == [HelpKind.funding, HelpKind.sales]
    assert session.exec(select(Event.action)).all() == ["agreement.plan", "agreement.plan"]
    seen = list_agreements(session=session, actor=enterprise_actor(big), today=TODAY)
    assert {row.id for row in seen.items} == {a.id for a in agreements}


def test_accepting_beyond_an_enterprise_s_capacity_is_refused(session, region):
    villages, _far, big, _small, _full = region
    with pytest.raises(ConflictError) as caught:
        accept_plan(
            session=session,
            actor=bureau_actor("140829"),
            lines=[(v.id, big.id) for v in villages],
            data={},
            today=TODAY,
        )
    assert caught.value.message == "方案生成后情况已有变化，请重新生成方案"
    assert session.exec(select(sa.func.count()).select_from(PairingAgreement)).one() == 1


def test_a_village_paired_since_the_plan_is_refused(session, region):
    villages, _far, big, small, _full = region
    make_agreement(session, enterprise=small, village=villages[2])
    with pytest.raises(ConflictError):
        accept_plan(
            session=session,
            actor=bureau_actor("140829"),
            lines=[(villages[2].id, big.id)],
            data={},
            today=TODAY,
        )


def test_a_bureau_cannot_accept_lines_of_another_county(session, region):
    _villages, far, big, _small, _full = region
    with pytest.raises(PermissionDeniedError):
        accept_plan(
            session=session,
            actor=bureau_actor("140829"),
            lines=[(far.id, big.id)],
            data={},
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("lines", "message"),
    [([], "请至少选择一条结对"), ([(1, 1), (1, 2)], "同一个村只能选择一条结对")],
)
def test_accepting_needs_distinct_lines(session, region, lines, message):
    with pytest.raises(ValidationError) as caught:
        accept_plan(
            session=session, actor=bureau_actor("140829"), lines=lines, data={}, today=TODAY
        )
    assert caught.value.message == message
