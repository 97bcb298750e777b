"""Writing one imported row through the services that own its rules.

Villages, enterprises and cooperatives go through their own registration services; products,
whose service acts for a cooperative's staff, are entered here for the bureau with the products
service's input model, columns, audit event and search-outbox row.
"""

from sqlmodel import Session, select

from app.actors import Actor
from app.errors import NotFoundError
from app.identifiers import normalize_credit_code
from app.models import Cooperative, Product, Village
from app.models.enums import ProductStatus
from app.money import fen_to_yuan
from app.permissions import can_register_directly, require
from app.services import organisations, products, villages
from app.services.inputs import parse


def import_village(session: Session, actor: Actor, data: dict):
    return villages.create_village(session=session, actor=actor, data=data)


def import_enterprise(session: Session, actor: Actor, data: dict):
    return organisations.register_enterprise(session=session, actor=actor, data=data)


def import_cooperative(session: Session, actor: Actor, data: dict):
    code = data.pop("village_code", "")
    village_id = session.exec(select(Village.id).where(Village.code == code)).first()
    if village_id is None:
        raise NotFoundError(f"村级统计代码 {code} 不存在", field="village_code")
    data["village_id"] = village_id
    return organisations.register_cooperative(session=session, actor=actor, data=data)


def import_product(session: Session, actor: Actor, data: dict) -> Product:
    credit_code = normalize_credit_code(
        data.pop("cooperative_credit_code", ""), field="cooperative_credit_code"
    )
    cooperative = session.exec(
        select(Cooperative).where(Cooperative.credit_code == credit_code)
    ).first()
    if cooperative is None:
        raise NotFoundError("没有这个统一社会信用代码的合作社", field="cooperative_credit_code")
    village = session.get(Village, cooperative.village_id)
    require(can_register_directly(actor, village.county_code))
    status = ProductStatus(data.pop("status", ProductStatus.draft))
    if isinstance(data.get("price"), int):
        data["price"] = fen_to_yuan(data["price"])
    form = parse(products.ProductInput, data)
    product = Product(
        **products._columns(form),
        cooperative_id=cooperative.id,
        village_id=village.id,
        status=status,
    )
    session.add(product)
    products._record(session, actor, "product.import", product, f"导入产品“{product.name}”")
    products.reindex(session, product)
    return product


WRITERS = {
    "villages": import_village,
    "enterprises": import_enterprise,
    "cooperatives": import_cooperative,
    "products": import_product,
}
