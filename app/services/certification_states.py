"""The lifecycles of a consumption-assistance certification (消费帮扶产品认定) and of the
objections (异议) filed while it is on public notice, taken by ``app.services.certification`` and
``app.services.objections``:

    (cooperative) apply ─▶ pending ─approve (bureau)─▶ publicised ─take effect (notice over, no
    open objection)─▶ approved;   pending ─reject (bureau)─▶ rejected;
    publicised ─refuse (an objection upheld)─▶ rejected

    (anyone) file ─▶ open ─uphold (bureau)─▶ upheld;
                     open ─dismiss (bureau, one or many)─▶ dismissed

Certifications carry no form version: each move is a conditional UPDATE on the status it leaves,
so of two officers deciding at once one gets "already decided".
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.models import CertificationApplication, CertificationObjection
from app.models.enums import CertificationStatus, ObjectionStatus, ProductStatus
from app.permissions import can_certify_product, can_manage_product
from app.services.state_machine import Guard, Machine, Transition, anyone

C = CertificationStatus
J = ObjectionStatus


@dataclass(frozen=True, slots=True)
class CertificationCase:
    """An application with the county of its product's village (which bureau decides) and, for
    taking effect, the moment and how many objections are still open (asked last)."""

    application: CertificationApplication
    county_code: str = ""
    now: datetime | None = None
    open_objections: Callable[[], int] = lambda: 0


def _bureau(actor, case) -> bool:
    return can_certify_product(actor, case.county_code)


CERTIFICATION = Machine(
    name="certification",
    model="CertificationApplication",
    states=tuple(C),
    initial=(C.pending,),
    terminal=(C.approved, C.rejected),
    entity=lambda case: case.application,
    wrong_state="该申请已处理，请刷新页面",
    wrong_state_code="already_decided",
    transitions=(
        # Created by the cooperative for one of its products (subject: the product).
        Transition(
            "apply",
            (),
            C.pending,
            lambda actor, product: can_manage_product(actor, product.cooperative_id),
            "certification.apply",
            "申请认定",
            guards=(
                Guard(
                    lambda product: product.status != ProductStatus.delisted,
                    "已下架的产品不能申请认定，请先重新上架",
                    "product_delisted",
                ),
            ),
            offered=False,
        ),
        Transition(
            "approve",
            (C.pending,),
            C.publicised,
            _bureau,
            "certification.approve",
            "审核通过",
            button="通过并公示",
        ),
        Transition("reject", (C.pending,), C.rejected, _bureau, "certification.reject", "不通过"),
        # Taken by the periodic job (or the officer dismissing the last objection).
        Transition(
            "take_effect",
            (C.publicised,),
            C.approved,
            anyone,
            "certification.take_effect",
            "认定生效",
            guards=(
                Guard(
                    lambda case: case.application.notice_ends_at <= case.now,
                    "公示期尚未结束",
                    "notice_running",
                ),
                Guard(lambda case: not case.open_objections(), "尚有未处理的异议", "objected"),
            ),
            offered=False,
        ),
        # Follows an upheld objection (the officer's permission is the objection's).
        Transition(
            "refuse",
            (C.publicised,),
            C.rejected,
            _bureau,
            "certification.refuse",
            "异议成立，不予认定",
            offered=False,
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class ObjectionCase:
    """An objection (None before one is chosen) with the county of the certified product."""

    objection: CertificationObjection | None
    county_code: str


OBJECTION = Machine(
    name="objection",
    model="CertificationObjection",
    states=tuple(J),
    initial=(J.open,),
    terminal=(J.upheld, J.dismissed),
    entity=lambda case: case.objection,
    wrong_state="该异议已处理，请刷新页面",
    wrong_state_code="already_resolved",
    transitions=(
        # Anyone may object while the notice runs (the period is checked on the application).
        Transition("file", (), J.open, anyone, "objection.file", "提出异议", offered=False),
        Transition(
            "uphold",
            (J.open,),
            J.upheld,
            _bureau,
            "objection.resolve",
            "异议成立",
            button="异议成立，不予认定",
        ),
        Transition("dismiss", (J.open,), J.dismissed, _bureau, "objection.resolve", "异议不成立"),
        Transition(
            "dismiss_in_bulk",
            (J.open,),
            J.dismissed,
            _bureau,
            "objection.dismiss_in_bulk",
            "批量处理为异议不成立",
            wrong_state="所选异议中有已处理的，请刷新页面",
            offered=False,
        ),
    ),
)
