"""Lifecycles declared as data: one ``Machine`` per kind of object that moves through states.

A machine lists its states (which are initial, which terminal) and its transitions. A transition
is one row: its name, the states it leaves, the state it reaches, who may take it (a predicate
from ``app.permissions`` over the actor and the *subject*), guards (further conditions, each with
its Chinese refusal), the audit action it records and its Chinese labels (the verb in refusals,
the button text, the message after success). A transition with no source states creates the
object: its target is an initial state.

The *subject* is whatever the rules read: usually a small dataclass holding the object and the
facts around it (the village's county, the product, today's date). ``Machine.entity`` takes the
object out of it, whose ``status`` (and ``version``) the machine reads and sets.

One machine answers the three questions every page and service asks, with the same rules:

- may this actor take this transition on this subject now (``refusal``, ``may``)?
- take it (``check`` then ``move``, or ``apply``): the checks run in a fixed order — who may take
  it, the version the actor saw (optimistic locking), who may take it from the current state, the
  state, the guards — and raise the project's usual errors;
- which transitions may the actor take now, in display order (``allowed``), which pages turn
  into buttons.

``machines()`` lists every declared machine (tests check each one is consistent and that each
transition has its audit action, notification decision and authorization-matrix entry).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from app.actors import Actor
from app.errors import ConflictError, DomainError, PermissionDeniedError, ValidationError
from app.labels import label
from app.permissions.base import DENIED_MESSAGE

Permission = Callable[[Actor, Any], bool]


def anyone(actor: Actor, subject: Any) -> bool:
    """The transition is open to every actor (system steps, public filings)."""
    return True


@dataclass(frozen=True, slots=True)
class Guard:
    """A condition besides state and permission; ``message`` (or ``message(subject)``) says why
    it refuses."""

    holds: Callable[[Any], bool]
    message: str | Callable[[Any], str]
    code: str
    error: type[DomainError] = ConflictError
    field: str | None = None

    def refusal(self, subject: Any) -> DomainError | None:
        if self.holds(subject):
            return None
        message = self.message(subject) if callable(self.message) else self.message
        return self.error(message, code=self.code, field=self.field)


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    sources: tuple[Enum, ...]  # () : the transition creates the object
    target: Enum
    allowed: Permission  # who may take it at all (checked before the version)
    event: str  # the audit action it records
    label: str  # the verb: "不能{label}", and the button unless ``button`` says otherwise
    guards: tuple[Guard, ...] = ()
    # Who may take it from a given source state (checked after the version, before the state).
    by_state: Mapping[Enum, Permission] = field(default_factory=dict)
    wrong_state: str | None = None  # the refusal from a wrong state, if not the machine's
    button: str = ""  # the button's text on a page ("" : the label)
    done: str = ""  # the message after success ("" : none shown)
    offered: bool = True  # False: taken by the system or a form elsewhere, never a button

    @property
    def creates(self) -> bool:
        return not self.sources

    @property
    def button_text(self) -> str:
        return self.button or self.label


@dataclass(frozen=True)
class Machine:
    """The lifecycle of one kind of object (``name``: "agreement", "order" …)."""

    name: str
    model: str  # the model's class name, as audit events name their objects
    states: tuple[Enum, ...]
    initial: tuple[Enum, ...]
    terminal: tuple[Enum, ...]
    transitions: tuple[Transition, ...]  # in the order pages show their buttons
    entity: Callable[[Any], Any]  # the object inside a subject
    # The refusal from a wrong state: str.format(state=<status label>, action=<label>).
    wrong_state: str
    wrong_state_code: str = "invalid_state"
    # The conflict for a stale version (None: this kind is not versioned by forms).
    stale: str | None = None
    unknown_action: str = "不支持的操作"
    state_label: Callable[[Enum], str] = label  # the state's name in the refusal

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: a transition name is declared twice")

    # Declarations --------------------------------------------------------------------------

    def transition(self, name: str) -> Transition:
        for transition in self.transitions:
            if transition.name == name:
                return transition
        raise ValidationError(self.unknown_action, code="unknown_action", field="action")

    def names(self, *, offered_only: bool = False) -> tuple[str, ...]:
        return tuple(t.name for t in self.transitions if t.offered or not offered_only)

    def buttons(self) -> dict[str, str]:
        """Each offered transition's button text (for the templates)."""
        return {t.name: t.button_text for t in self.transitions if t.offered}

    def done_messages(self) -> dict[str, str]:
        return {t.name: t.done for t in self.transitions if t.done}

    # The checks, one by one, in the order ``check`` runs them --------------------------------

    def state_of(self, subject: Any) -> Enum:
        return self.entity(subject).status

    def authorize(self, name: str, actor: Actor, subject: Any) -> None:
        if not self.transition(name).allowed(actor, subject):
            raise _denied()

    def authorize_any(self, names: Iterable[str], actor: Actor, subject: Any) -> None:
        """Refuse unless the actor may take at least one of ``names`` (before the choice is
        read from a form)."""
        if not any(self.transition(n).allowed(actor, subject) for n in names):
            raise _denied()

    def check_version(self, subject: Any, expected_version: int) -> None:
        if self.stale is not None and self.entity(subject).version != expected_version:
            raise ConflictError(self.stale, code="stale_version")

    def check_state(self, name: str, actor: Actor, subject: Any) -> None:
        error = self._state_refusal(self.transition(name), actor, subject)
        if error is not None:
            raise error

    def check_guards(self, name: str, subject: Any) -> None:
        for guard in self.transition(name).guards:
            error = guard.refusal(subject)
            if error is not None:
                raise error

    def check(
        self,
        name: str,
        actor: Actor,
        subject: Any,
        expected_version: int | None = None,
        *,
        guards: bool = True,
    ) -> Transition:
        """Raise the first refusal: permission, version, state (with its permission), guards.

        ``guards=False`` leaves the guards to a later ``check_guards`` (when input must be
        validated first)."""
        transition = self.transition(name)
        self.authorize(name, actor, subject)
        if expected_version is not None:
            self.check_version(subject, expected_version)
        self.check_state(name, actor, subject)
        if guards:
            self.check_guards(name, subject)
        return transition

    def move(self, name: str, subject: Any) -> Enum:
        """Set the transition's target state; returns the state it left."""
        entity = self.entity(subject)
        was = entity.status
        entity.status = self.transition(name).target
        return was

    def apply(
        self, name: str, actor: Actor, subject: Any, expected_version: int | None = None
    ) -> Transition:
        """``check`` then ``move``: the object is in the target state when this returns."""
        transition = self.check(name, actor, subject, expected_version)
        self.move(name, subject)
        return transition

    # Questions pages ask ---------------------------------------------------------------------

    def refusal(self, name: str, actor: Actor, subject: Any) -> DomainError | None:
        """Why ``actor`` may not take ``name`` on ``subject`` now (None: they may)."""
        try:
            transition = self.transition(name)
        except DomainError as error:
            return error
        if not transition.allowed(actor, subject):
            return _denied()
        error = self._state_refusal(transition, actor, subject)
        if error is not None:
            return error
        for guard in transition.guards:
            error = guard.refusal(subject)
            if error is not None:
                return error
        return None

    def may(self, name: str, actor: Actor, subject: Any) -> bool:
        return self.refusal(name, actor, subject) is None

    def allowed(self, actor: Actor, subject: Any) -> list[str]:
        """The transitions ``actor`` may take on ``subject`` now, in display order."""
        return [
            t.name
            for t in self.transitions
            if t.offered and not t.creates and self.may(t.name, actor, subject)
        ]

    def _state_refusal(
        self, transition: Transition, actor: Actor, subject: Any
    ) -> DomainError | None:
        state = self.state_of(subject)
        by_state = transition.by_state.get(state)
        if by_state is not None and not by_state(actor, subject):
            return _denied()
        if state not in transition.sources:
            message = transition.wrong_state or self.wrong_state
            return ConflictError(
                message.format(state=self.state_label(state), action=transition.label),
                code=self.wrong_state_code,
            )
        return None


def _denied() -> PermissionDeniedError:
    return PermissionDeniedError(DENIED_MESSAGE)


def machines() -> list[Machine]:
    """Every domain's machines (``STATE_MACHINES`` in ``app.services.<domain>_domain``), by name."""
    from app.services.domains import state_machines  # the domains' modules import this one

    return sorted(state_machines(), key=lambda m: m.name)


def all_transitions() -> list[tuple[Machine, Transition]]:
    """Every transition of every machine, with its machine (the audit action of each is
    ``transition.event``)."""
    return [(m, t) for m in machines() for t in m.transitions]


def machine(name: str) -> Machine:
    """The declared machine called ``name`` (KeyError when no domain declares one)."""
    return _by_name()[name]


@cache
def _by_name() -> dict[str, Machine]:
    """Every machine by name, read once (templates ask for one per button they draw)."""
    return {m.name: m for m in machines()}


def button(machine_name: str, transition_name: str) -> str:
    """The text of a transition's button (templates call it as ``button("order", "ship")``)."""
    return machine(machine_name).transition(transition_name).button_text
