"""The state-machine helper: its checks and their order, guards, allowed actions, and that every
declared machine is consistent."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import pytest

from app.actors import ANONYMOUS, SYSTEM, Actor, Role
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.labels import EVENT_ACTION
from app.models import Order, OutcomeReport, PairingAgreement, Product
from app.models.enums import AgreementStatus, OrderStatus, ReportStatus
from app.services.order_states import ORDER, OrderCase
from app.services.pairing.periods import Quarter
from app.services.pairing.states import AGREEMENT, REPORT, AgreementCase, ReportCase
from app.services.state_machine import (
    Guard,
    Machine,
    Transition,
    all_transitions,
    anyone,
    button,
    machines,
)

A, R, S = AgreementStatus, ReportStatus, OrderStatus
VILLAGE = Actor(role=Role.village, village_id=7)
ENTERPRISE = Actor(role=Role.enterprise, enterprise_id=3)
BUREAU = Actor(role=Role.bureau, region_code="140829")
OTHER_BUREAU = Actor(role=Role.bureau, region_code="140830")
COOPERATIVE = Actor(role=Role.cooperative, cooperative_id=5)


def _agreement(status: A, version: int = 1, end_on: date = date(2027, 12, 31)) -> AgreementCase:
    agreement = PairingAgreement(
        id=1, status=status, version=version, village_id=7, enterprise_id=3, end_on=end_on
    )
    return AgreementCase(agreement, "140829")


def _report(status: R, version: int = 1) -> ReportCase:
    agreement = PairingAgreement(id=1, status=A.active, village_id=7, enterprise_id=3)
    report = OutcomeReport(id=2, agreement_id=1, status=status, version=version)
    return ReportCase(report, agreement, "140829")


def _order(status: S, rating: int | None = None) -> OrderCase:
    order = Order(id=4, status=status, version=1, buyer_id=3, product_id=6, rating=rating)
    return OrderCase(order, Product(id=6, cooperative_id=5))


# Checks and their order ----------------------------------------------------------------------


def test_a_transition_from_a_wrong_state_is_refused_with_its_message():
    with pytest.raises(ConflictError) as refused:
        AGREEMENT.check("sign", VILLAGE, _agreement(A.signed), 1)
    assert refused.value.message == "协议当前为“待备案”，不能签约"
    assert refused.value.code == "invalid_state"
    with pytest.raises(ConflictError) as refused:
        ORDER.check("ship", COOPERATIVE, _order(S.placed), 1)
    assert (refused.value.message, refused.value.code) == (
        "订单待确认，不能发货",
        "invalid_transition",
    )
    # A transition may word its own refusal.
    with pytest.raises(ConflictError, match="协议已签约或已结束，不能再修改"):
        AGREEMENT.check("revise", ENTERPRISE, _agreement(A.active), 1)


def test_a_forbidden_actor_gets_permission_denied_before_version_and_state():
    for actor in (ENTERPRISE, OTHER_BUREAU, ANONYMOUS):
        with pytest.raises(PermissionDeniedError):
            # Stale version and wrong state too: permission is checked first.
            AGREEMENT.check("sign", actor, _agreement(A.active, version=9), 1)
    assert isinstance(
        AGREEMENT.refusal("file", VILLAGE, _agreement(A.signed)), PermissionDeniedError
    )


def test_a_stale_version_is_a_conflict_before_the_state():
    with pytest.raises(ConflictError) as refused:
        AGREEMENT.check("sign", VILLAGE, _agreement(A.signed, version=2), 1)
    assert refused.value.code == "stale_version"
    assert refused.value.message == "该协议已被他人修改，请刷新后再试"
    with pytest.raises(ConflictError, match="订单已被他人处理，请刷新后再试"):
        ORDER.check("confirm", COOPERATIVE, _order(S.shipped), 0)


def test_a_per_state_permission_comes_after_the_version():
    # The bureau returns confirmed reports, the village submitted ones.
    with pytest.raises(PermissionDeniedError):
        REPORT.check("return", BUREAU, _report(R.submitted), 1)
    with pytest.raises(ConflictError) as refused:
        REPORT.check("return", BUREAU, _report(R.submitted, version=3), 1)
    assert refused.value.code == "stale_version"
    with pytest.raises(PermissionDeniedError):
        REPORT.check("return", ENTERPRISE, _report(R.submitted, version=3), 1)
    with pytest.raises(ConflictError, match="报告当前为“已核实”，不能退回修改"):
        REPORT.check("return", BUREAU, _report(R.verified), 1)
    REPORT.check("return", VILLAGE, _report(R.submitted), 1)


def test_guards_refuse_with_their_own_error_after_the_state():
    with pytest.raises(ConflictError) as refused:
        ORDER.check("rate", ENTERPRISE, _order(S.received, rating=5), 1)
    assert (refused.value.message, refused.value.code) == ("该订单已评价", "already_rated")
    case = _agreement(A.active)
    with pytest.raises(ValidationError) as refused:
        AGREEMENT.check("complete", BUREAU, case, 1)
    assert refused.value.code == "term_not_ended"
    assert refused.value.message == "协议期限至 2027年12月31日，期满后才能办结"
    ended = AgreementCase(
        case.agreement, "140829", term_ended=True, unsettled=lambda: [Quarter(2027, 4)]
    )
    refusal = AGREEMENT.refusal("complete", BUREAU, ended)
    assert (refusal.code, refusal.message) == (
        "quarters_unsettled",
        "以下季度尚无核实的成效报告，也未免报，不能办结：2027年第4季度",
    )
    # Deferred guards: the service validates its input in between.
    AGREEMENT.check("complete", BUREAU, case, 1, guards=False)


def test_apply_moves_the_object_and_an_unknown_action_is_a_validation_error():
    case = _agreement(A.proposed)
    assert AGREEMENT.apply("sign", VILLAGE, case, 1).event == "agreement.sign"
    assert case.agreement.status == A.signed
    with pytest.raises(ValidationError) as refused:
        AGREEMENT.check("approve", VILLAGE, case, 1)
    assert (refused.value.code, refused.value.field) == ("unknown_action", "action")


def test_a_machine_of_its_own_checks_in_the_same_order():
    class Light(StrEnum):
        off = "off"
        on = "on"
        broken = "broken"

    @dataclass
    class Lamp:
        status: Light
        version: int = 1
        fuse: bool = True

    lamp = Machine(
        name="lamp",
        model="Lamp",
        states=tuple(Light),
        initial=(Light.off,),
        terminal=(Light.broken,),
        entity=lambda case: case,
        wrong_state="不能{action}",
        stale="已变",
        state_label=str,
        transitions=(
            Transition(
                "switch_on",
                (Light.off,),
                Light.on,
                lambda actor, lamp: actor.role == Role.admin,
                "lamp.on",
                "开灯",
                guards=(Guard(lambda lamp: lamp.fuse, "保险丝断了", "no_fuse"),),
            ),
            Transition("switch_off", (Light.on,), Light.off, anyone, "lamp.off", "关灯"),
            Transition("break", (Light.on, Light.off), Light.broken, anyone, "lamp.break", "坏"),
        ),
    )
    admin = Actor(role=Role.admin)
    assert "lamp" not in {m.name for m in machines()}
    assert lamp.allowed(admin, Lamp(Light.off)) == ["switch_on", "break"]
    assert lamp.allowed(SYSTEM, Lamp(Light.off)) == ["break"]
    assert lamp.allowed(admin, Lamp(Light.off, fuse=False)) == ["break"]
    assert lamp.refusal("switch_on", admin, Lamp(Light.off, fuse=False)).code == "no_fuse"
    with pytest.raises(ConflictError, match="不能关灯"):
        lamp.apply("switch_off", admin, Lamp(Light.off), 1)
    on = Lamp(Light.off)
    lamp.apply("switch_on", admin, on, 1)
    assert on.status == Light.on


# Allowed actions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "rating", "actor", "expected"),
    [
        (S.placed, None, COOPERATIVE, ["confirm", "refuse"]),
        (S.placed, None, ENTERPRISE, ["cancel"]),
        (S.confirmed, None, COOPERATIVE, ["ship", "cancel"]),
        (S.shipped, None, ENTERPRISE, ["receive"]),
        (S.shipped, None, COOPERATIVE, []),
        (S.received, None, ENTERPRISE, ["rate"]),
        (S.received, 4, ENTERPRISE, []),
        (S.cancelled, None, ENTERPRISE, []),
        (S.placed, None, BUREAU, []),
    ],
)
def test_allowed_actions_are_what_the_checks_accept(status, rating, actor, expected):
    case = _order(status, rating)
    assert ORDER.allowed(actor, case) == expected
    for name in ORDER.names(offered_only=True):
        accepted = ORDER.refusal(name, actor, case) is None
        assert accepted == (name in expected)


def test_report_actions_follow_the_reviewer_and_the_stage():
    assert REPORT.allowed(VILLAGE, _report(R.submitted)) == ["confirm", "return"]
    assert REPORT.allowed(BUREAU, _report(R.confirmed)) == ["verify", "return"]
    assert REPORT.allowed(BUREAU, _report(R.submitted)) == []
    assert REPORT.allowed(ENTERPRISE, _report(R.returned)) == ["resubmit"]


def test_buttons_come_from_the_machine():
    assert button("order", "confirm") == "确认接单"
    assert button("agreement", "sign") == "签约"
    assert button("report", "verify") == "核实通过"
    assert AGREEMENT.done_messages()["terminate"] == "协议已终止"


# Every declared machine is consistent --------------------------------------------------------


@pytest.mark.parametrize("machine", machines(), ids=lambda m: m.name)
def test_every_declared_machine_is_consistent(machine):
    states = set(machine.states)
    assert set(machine.initial) <= states and set(machine.terminal) <= states
    assert machine.initial and not set(machine.initial) & set(machine.terminal)
    created = set()
    for t in machine.transitions:
        assert t.target in states, t.name
        assert set(t.sources) <= states, t.name
        assert set(t.by_state) <= set(t.sources), t.name
        assert t.event and t.event.split(".")[0] and "." in t.event, t.name
        assert t.label and t.button_text, t.name
        if t.creates:
            assert t.target in machine.initial and not t.offered, t.name
            created.add(t.target)
    # Every initial state is where some transition creates the object.
    assert created == set(machine.initial)
    # Terminal states have no way out; every other state has one.
    for state in machine.states:
        leaving = [t.name for t in machine.transitions if state in t.sources]
        assert bool(leaving) == (state not in machine.terminal), state
    # Every state is reachable from an initial state.
    reached, frontier = set(machine.initial), list(machine.initial)
    while frontier:
        state = frontier.pop()
        for t in machine.transitions:
            if state in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == states


def test_every_machine_is_listed_once_with_its_audit_actions():
    names = [m.name for m in machines()]
    assert names == sorted(set(names))
    assert {"agreement", "report", "order", "certification", "objection"} <= set(names)
    events = {(m.name, t.event) for m, t in all_transitions()}
    assert ("order", "order.rate") in events and ("objection", "objection.resolve") in events
    assert len(all_transitions()) == sum(len(m.transitions) for m in machines())
    # The agreement timeline names every agreement and report event a machine records.
    for machine in (AGREEMENT, REPORT):
        for t in machine.transitions:
            assert t.event in EVENT_ACTION, t.event
