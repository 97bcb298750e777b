"""Checking one imported row through the services that own its rules, then writing it.

Villages, enterprises and cooperatives go through their own services' ``check_new_*`` and
``add_*`` halves; products, whose service acts for a cooperative's staff, are entered here for
the bureau with the products service's input model, columns, audit event and search-outbox row.

Checking writes nothing (a read-only session is enough): a row may refer to one above it (a
cooperative to a village of the same file, a product to a cooperative), so what earlier rows
introduce is kept in ``Pending`` and looked up there before the database.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, SQLModel, select

from app.actors import Actor
from app.errors import ConflictError, NotFoundError
from app.identifiers import normalize_credit_code
from app.labels import REGISTRATION_STATUS
from app.models import Cooperative, Enterprise, Product, Village
from app.models.enums import ProductStatus, RegistrationStatus
from app.money import fen_to_yuan
from app.permissions import can_register_directly, require
from app.services import organisation_updates, organisations, products, villages
from app.services.bulk import add_created
from app.services.domain_events import Creation
from app.services.inputs import parse


@dataclass(frozen=True, slots=True)
class Checked:
    """A row that passed every rule: its unsaved row and the county its audit event names."""

    kind: str
    obj: SQLModel | None  # None for a skipped row
    county_code: str | None
    sheet: str
    row: int
    # A registered organisation this row updates (the import's preview shows its changes).
    update: organisation_updates.Update | None = None
    skipped: str = ""  # why the row is not written (a pending or rejected organisation)
    note: str = ""  # what the preview should say besides the changes

    @property
    def is_new(self) -> bool:
        return self.update is None and not self.skipped

    @property
    def where(self) -> str:
        return f"“{self.sheet}”第 {self.row} 行"


@dataclass
class Pending:
    """What the rows checked so far introduce, by village code and by credit code."""

    villages: dict[str, Checked] = field(default_factory=dict)
    organisations: dict[str, Checked] = field(default_factory=dict)


def check_village(
    session: Session, actor: Actor, data: dict, pending: Pending, sheet: str, row: int
):
    village = villages.check_new_village(session=session, actor=actor, data=data)
    checked = Checked("villages", village, village.county_code, sheet, row)
    _claim(pending.villages, village.code, checked, "code", "村级统计代码")
    return checked


def check_enterprise(
    session: Session, actor: Actor, data: dict, pending: Pending, sheet: str, row: int
):
    status = data.pop("status", None)
    credit_code = normalize_credit_code(data.get("credit_code", ""))
    existing = organisation_updates.registered(session, Enterprise, credit_code)
    if existing is not None:
        update = organisation_updates.check_enterprise_update(
            session=session, actor=actor, enterprise=existing, data=data
        )
        checked = _updating("enterprises", existing, update, status, sheet, row)
        _claim(pending.organisations, credit_code, checked, "credit_code", "统一社会信用代码")
        return checked
    if _unapproved(status):
        return _skipped("enterprises", status, sheet, row)
    enterprise = organisations.check_new_enterprise(session=session, actor=actor, data=data)
    checked = Checked("enterprises", enterprise, enterprise.county_code, sheet, row)
    _claim(
        pending.organisations, enterprise.credit_code, checked, "credit_code", "统一社会信用代码"
    )
    return checked


def check_cooperative(
    session: Session, actor: Actor, data: dict, pending: Pending, sheet: str, row: int
):
    code = data.pop("village_code", "")
    status = data.pop("status", None)
    village = _village(session, pending, code)
    if village is None:
        raise NotFoundError(f"村级统计代码 {code} 不存在", field="village_code")
    credit_code = normalize_credit_code(data.get("credit_code", ""))
    existing = organisation_updates.registered(session, Cooperative, credit_code)
    if existing is not None:
        update = organisation_updates.check_cooperative_update(
            session=session, actor=actor, cooperative=existing, data=data, village=village
        )
        checked = _updating("cooperatives", existing, update, status, sheet, row)
        _claim(pending.organisations, credit_code, checked, "credit_code", "统一社会信用代码")
        return checked
    if _unapproved(status):
        return _skipped("cooperatives", status, sheet, row)
    cooperative = organisations.check_new_cooperative(
        session=session, actor=actor, data=data, village=village
    )
    checked = Checked("cooperatives", cooperative, village.county_code, sheet, row)
    _claim(
        pending.organisations, cooperative.credit_code, checked, "credit_code", "统一社会信用代码"
    )
    return checked


def check_product(
    session: Session, actor: Actor, data: dict, pending: Pending, sheet: str, row: int
):
    credit_code = normalize_credit_code(
        data.pop("cooperative_credit_code", ""), field="cooperative_credit_code"
    )
    cooperative = _cooperative(session, pending, credit_code)
    if cooperative is None:
        raise NotFoundError("没有这个统一社会信用代码的合作社", field="cooperative_credit_code")
    village = (
        cooperative.village
        if cooperative.village_id is None
        else session.get(Village, cooperative.village_id)
    )
    require(can_register_directly(actor, village.county_code))
    status = ProductStatus(data.pop("status", ProductStatus.draft))
    if isinstance(data.get("price"), int):
        data["price"] = fen_to_yuan(data["price"])
    form = parse(products.ProductInput, data)
    product = Product(**products._columns(form), status=status)
    # Rows of this file are unsaved: refer to them as objects, and to saved rows by id only
    # (those belong to the checking session).
    if cooperative.id is None:
        product.cooperative = cooperative
    else:
        product.cooperative_id = cooperative.id
    if village.id is None:
        product.village = village
    else:
        product.village_id = village.id
    return Checked("products", product, village.county_code, sheet, row)


def _unapproved(status: Any) -> bool:
    return status is not None and status != RegistrationStatus.approved


def _status_label(status: Any) -> str:
    return REGISTRATION_STATUS[RegistrationStatus(status)]


def _skipped(kind: str, status: Any, sheet: str, row: int) -> Checked:
    reason = (
        f"审核状态为“{_status_label(status)}”，导入只登记已通过审核的单位，"
        "请由申请单位注册后在审核中处理"
    )
    return Checked(kind, None, None, sheet, row, skipped=reason)


def _updating(kind: str, existing, update, status: Any, sheet: str, row: int) -> Checked:
    note = ""
    if status is not None and status != existing.status:
        note = (
            f"审核状态仍为“{_status_label(existing.status)}”："
            "导入不改变审核状态，请在注册审核中处理"
        )
    return Checked(kind, existing, update.county_code, sheet, row, update=update, note=note)


def _village(session: Session, pending: Pending, code: str) -> Village | None:
    if code in pending.villages:
        return pending.villages[code].obj
    return session.exec(select(Village).where(Village.code == code)).first()


def _cooperative(session: Session, pending: Pending, credit_code: str) -> Cooperative | None:
    found = pending.organisations.get(credit_code)
    if found is not None:
        return found.obj if isinstance(found.obj, Cooperative) else None
    return session.exec(select(Cooperative).where(Cooperative.credit_code == credit_code)).first()


def _claim(seen: dict[str, Checked], key: str, checked: Checked, field: str, label: str) -> None:
    if key in seen:
        raise ConflictError(
            f"{label}与{seen[key].where}重复", code=f"{field}_repeated", field=field
        )
    seen[key] = checked


CHECKERS = {
    "villages": check_village,
    "enterprises": check_enterprise,
    "cooperatives": check_cooperative,
    "products": check_product,
}


def add_rows(session: Session, actor: Actor, rows: list[Checked]) -> None:
    """Write the checked rows kind by kind (a row refers only to earlier kinds), in batches;
    then the updates of registered organisations, one audited change each."""
    of = {kind: [r for r in rows if r.kind == kind and r.is_new] for kind in CHECKERS}
    villages.add_villages(session=session, actor=actor, villages=[r.obj for r in of["villages"]])
    organisations.add_enterprises(
        session=session, actor=actor, enterprises=[r.obj for r in of["enterprises"]]
    )
    organisations.add_cooperatives(
        session=session,
        actor=actor,
        cooperatives=[(r.obj, r.county_code) for r in of["cooperatives"]],
    )
    _add_products(session, actor, of["products"])
    for row in rows:
        if row.update is not None and row.update.changes:
            organisation_updates.apply_update(session=session, actor=actor, update=row.update)


def _add_products(session: Session, actor: Actor, rows: list[Checked]) -> None:
    new = [r.obj for r in rows]
    for product in new:
        if product.cooperative_id is None:
            product.cooperative_id = product.cooperative.id
        if product.village_id is None:
            product.village_id = product.village.id
    creations = [
        Creation("product.import", r.obj, f"导入产品“{r.obj.name}”", r.county_code) for r in rows
    ]
    add_created(session, actor=actor, creations=creations)


def taken_since_checked(session: Session, rows: list[Checked]) -> list[tuple[Checked, str]]:
    """Rows whose code another writer registered after the check: (row, field)."""
    new = [r for r in rows if r.is_new]
    codes = {r.obj.code: r for r in new if r.kind == "villages"}
    credit = {r.obj.credit_code: r for r in new if r.kind in ("enterprises", "cooperatives")}
    found = [(codes[c], "code") for c in _existing(session, Village.code, codes)]
    for model in (Enterprise, Cooperative):
        found += [(credit[c], "credit_code") for c in _existing(session, model.credit_code, credit)]
    return found


def _existing(session: Session, column, keys: dict) -> list[str]:
    keys, found = list(keys), []
    for start in range(0, len(keys), 500):
        found += session.exec(select(column).where(column.in_(keys[start : start + 500]))).all()
    return found
