"""``/healthz`` for load balancers and ``check-deploy``: is the database reachable?"""

import logging

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse

log = logging.getLogger(__name__)
NO_STORE = {"Cache-Control": "no-store"}


def healthz(request: Request) -> JSONResponse:
    try:
        with request.app.state.database.read_only() as session:
            session.execute(sa.text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        log.exception("health check failed: database unreachable")
        return JSONResponse(
            {"status": "error", "database": "unreachable"}, status_code=503, headers=NO_STORE
        )
    return JSONResponse({"status": "ok", "database": "ok"}, headers=NO_STORE)
