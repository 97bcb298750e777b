"""The floor for bench/graphql.py: hand-written endpoints returning the GraphQL operations' JSON.

Each runs the fewest statements that produce the data, with Core selects (no ORM objects), for
a city-bureau reader (who may see every row, so no scope conditions are needed).
"""

import base64
from datetime import date

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.models import (
    Cooperative,
    County,
    Enterprise,
    OutcomeReport,
    PairingAgreement,
    Product,
    Village,
)
from app.models.enums import HelpKind, ProductStatus
from app.models.flags import from_mask
from app.money import fen_to_yuan

PAGE = 20


def gid(name: str, key) -> str:
    return base64.b64encode(f"{name}:{key}".encode()).decode()


def cursor(position: int) -> str:
    return base64.b64encode(f"cursor:{position}".encode()).decode()


def _read(request: Request, work):
    database = request.app.state.database

    def run():
        with database.read_only() as session:
            return work(session)

    return run_in_threadpool(run)


# A filtered page of villages with their agreements ------------------------------------------


def _villages(session, county: str, offset: int) -> dict:
    base = (
        sa.select(Village.id, Village.code, Village.name, County.name.label("county"))
        .join(County, County.code == Village.county_code)
        .where(Village.county_code == county, Village.key_village.is_(True))
    )
    total = session.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    rows = session.execute(base.order_by(Village.code).limit(PAGE + 1).offset(offset)).all()
    villages, more = rows[:PAGE], len(rows) > PAGE
    agreements = _agreements(session, [v.id for v in villages])
    latest = _latest_reports(session, [a["key"] for items in agreements.values() for a in items[1]])
    nodes = []
    for village in villages:
        count, items = agreements.get(village.id, (0, []))
        for item in items:
            item["latestReport"] = latest.get(item.pop("key"))
        nodes.append(
            {
                "id": gid("Village", village.id),
                "code": village.code,
                "name": village.name,
                "county": {"name": village.county},
                "agreements": {"totalCount": count, "nodes": items},
            }
        )
    return {
        "totalCount": total,
        "pageInfo": {
            "hasNextPage": more,
            "endCursor": cursor(offset + len(villages) - 1) if villages else None,
        },
        "nodes": nodes,
    }


def _agreements(session, village_ids: list[int]) -> dict:
    if not village_ids:
        return {}
    a = PairingAgreement
    numbered = (
        sa.select(
            a.id,
            a.number,
            a.status,
            a.start_on,
            a.end_on,
            a.village_id,
            a.enterprise_id,
            sa.func.row_number()
            .over(partition_by=a.village_id, order_by=(a.proposed_at.desc(), a.id.desc()))
            .label("position"),
            sa.func.count().over(partition_by=a.village_id).label("total"),
        )
        .where(a.village_id.in_(village_ids))
        .subquery()
    )
    rows = session.execute(
        sa.select(numbered, Enterprise.name.label("enterprise"))
        .join(Enterprise, Enterprise.id == numbered.c.enterprise_id)
        .where(numbered.c.position <= 5)
        .order_by(numbered.c.village_id, numbered.c.position)
    )
    found: dict[int, tuple[int, list]] = {}
    for row in rows:
        _, items = found.setdefault(row.village_id, (row.total, []))
        items.append(
            {
                "key": row.id,
                "id": gid("PairingAgreement", row.id),
                "number": row.number,
                "status": str(row.status).upper(),
                "startOn": row.start_on.isoformat(),
                "endOn": row.end_on.isoformat(),
                "enterprise": {"id": gid("Enterprise", row.enterprise_id), "name": row.enterprise},
            }
        )
    return found


def _latest_reports(session, agreement_ids: list[int]) -> dict:
    if not agreement_ids:
        return {}
    r = OutcomeReport
    numbered = (
        sa.select(
            r.agreement_id,
            r.year,
            r.quarter,
            r.status,
            sa.func.row_number()
            .over(
                partition_by=r.agreement_id, order_by=(r.year.desc(), r.quarter.desc(), r.id.desc())
            )
            .label("position"),
        )
        .where(r.agreement_id.in_(agreement_ids))
        .subquery()
    )
    rows = session.execute(sa.select(numbered).where(numbered.c.position == 1))
    return {
        row.agreement_id: {"period": f"{row.year}Q{row.quarter}", "status": str(row.status).upper()}
        for row in rows
    }


async def villages(request: Request) -> JSONResponse:
    county = request.query_params["county"]
    offset = int(request.query_params.get("offset", 0))
    data = await _read(request, lambda session: _villages(session, county, offset))
    return JSONResponse({"data": {"villages": data}})


# One agreement with its parties and reports ------------------------------------------------------


def _agreement(session, key: int) -> dict | None:
    a = PairingAgreement
    row = session.execute(
        sa.select(
            a,
            Enterprise.name.label("enterprise_name"),
            Enterprise.credit_code,
            Enterprise.kind,
            Village.code.label("village_code"),
            Village.name.label("village_name"),
            County.name.label("county"),
        )
        .join(Enterprise, Enterprise.id == a.enterprise_id)
        .join(Village, Village.id == a.village_id)
        .join(County, County.code == Village.county_code)
        .where(a.id == key)
    ).first()
    if row is None:
        return None
    agreement = row.PairingAgreement
    reports = session.execute(
        sa.select(
            OutcomeReport.year,
            OutcomeReport.quarter,
            OutcomeReport.status,
            OutcomeReport.actual_jobs,
            OutcomeReport.actual_purchase_fen,
        )
        .where(OutcomeReport.agreement_id == key)
        .order_by(OutcomeReport.year, OutcomeReport.quarter)
    )
    return {
        "id": gid("PairingAgreement", agreement.id),
        "number": agreement.number,
        "status": str(agreement.status).upper(),
        "helpKinds": [kind.name.upper() for kind in from_mask(agreement.help_kinds, HelpKind)],
        "startOn": _iso(agreement.start_on),
        "endOn": _iso(agreement.end_on),
        "commitFundingBusiness": fen_to_yuan(agreement.commit_funding_business_fen),
        "commitFundingWelfare": fen_to_yuan(agreement.commit_funding_welfare_fen),
        "commitJobs": agreement.commit_jobs,
        "commitTrainees": agreement.commit_trainees,
        "commitPurchase": fen_to_yuan(agreement.commit_purchase_fen),
        "enterprise": {
            "id": gid("Enterprise", agreement.enterprise_id),
            "name": row.enterprise_name,
            "creditCode": row.credit_code,
            "kind": str(row.kind).upper(),
        },
        "village": {
            "id": gid("Village", agreement.village_id),
            "code": row.village_code,
            "name": row.village_name,
            "county": {"name": row.county},
        },
        "reports": [
            {
                "period": f"{r.year}Q{r.quarter}",
                "status": str(r.status).upper(),
                "actualJobs": r.actual_jobs,
                "actualPurchase": fen_to_yuan(r.actual_purchase_fen),
            }
            for r in reports
        ],
    }


def _iso(day: date) -> str:
    return day.isoformat()


async def agreement(request: Request) -> JSONResponse:
    key = int(request.query_params["id"])
    data = await _read(request, lambda session: _agreement(session, key))
    return JSONResponse({"data": {"agreement": data}})


# A page of products of one category in one county, cheapest first ------------------------------


def _products(session, category: str, county: str, offset: int) -> dict:
    in_county = sa.select(Village.id).where(Village.county_code == county)
    conditions = (
        Product.category == category,
        Product.status == ProductStatus.listed,
        Product.village_id.in_(in_county),
    )
    total = session.execute(
        sa.select(sa.func.count()).select_from(Product).where(*conditions)
    ).scalar_one()
    # The page first, then the names for its 20 rows: joining first lets SQLite pick a worse plan.
    page = session.execute(
        sa.select(
            Product.id,
            Product.name,
            Product.price_fen,
            Product.unit,
            Product.stock,
            Product.cooperative_id,
            Product.village_id,
        )
        .where(*conditions)
        .order_by(Product.price_fen, Product.id)
        .limit(PAGE)
        .offset(offset)
    ).all()
    names = {
        row.id: row
        for row in session.execute(
            sa.select(
                Product.id,
                Cooperative.name.label("cooperative"),
                Village.name.label("village"),
                County.name.label("county"),
            )
            .join(Cooperative, Cooperative.id == Product.cooperative_id)
            .join(Village, Village.id == Product.village_id)
            .join(County, County.code == Village.county_code)
            .where(Product.id.in_([row.id for row in page]))
        )
    }
    return {
        "totalCount": total,
        "nodes": [
            {
                "id": gid("Product", row.id),
                "name": row.name,
                "price": fen_to_yuan(row.price_fen),
                "unit": row.unit,
                "stock": row.stock,
                "cooperative": {
                    "id": gid("Cooperative", row.cooperative_id),
                    "name": names[row.id].cooperative,
                },
                "village": {
                    "name": names[row.id].village,
                    "county": {"name": names[row.id].county},
                },
            }
            for row in page
        ],
    }


async def products(request: Request) -> JSONResponse:
    params = request.query_params
    category, county, offset = params["category"], params["county"], int(params.get("offset", 0))
    data = await _read(request, lambda session: _products(session, category, county, offset))
    return JSONResponse({"data": {"products": data}})


FLOOR_ROUTES = [
    Route("/floor/villages", villages),
    Route("/floor/agreement", agreement),
    Route("/floor/products", products),
]
