"""The bureau's review queues and the coverage planner (覆盖规划)."""

from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.permissions import is_city_bureau
from app.services.pairing import directory, planner, queries
from app.services.pairing.periods import local_today
from app.services.pairing.proposals import default_term
from app.web.forms import field_errors, in_unit_of_work, read_form
from app.web.pages import gate, load, unless_fixable
from app.web.pairing_common import done, page


async def review(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    queues = await load(request, lambda s: queries.review_queues(session=s, actor=actor))
    return page(request, "pairing/review.html", {"queues": queues})


async def coverage(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    if request.method == "GET":
        county = (request.query_params.get("county") or "").strip()[:6]
        return await _coverage_page(request, actor, county, None, {})
    data = await read_form(request, lists=("lines",))
    county = (data.get("county") or "").strip()[:6]
    values = {"start_on": data.get("start_on", ""), "years": data.get("years", "")}

    def accept(session):
        lines = planner.parse_lines(data.get("lines", []))
        return len(planner.accept_plan(session=session, actor=actor, lines=lines, data=values))

    try:
        created = await in_unit_of_work(request, accept)
    except DomainError as exc:
        unless_fixable(exc)
        status = 422 if exc.code not in ("plan_outdated", "duplicate_pairing") else 409
        return await _coverage_page(request, actor, county, values, field_errors(exc), status)
    return done(
        request,
        "/agreements?status=draft",
        f"已生成 {created} 份结对提议，等待帮扶主体确认承诺、村签约",
    )


async def _coverage_page(request, actor, county, values, errors, status_code=200):
    def work(session):
        plan = planner.plan_coverage(session=session, actor=actor, county_code=county or None)
        return plan, directory.counties(session=session)

    plan, counties = await load(request, work)
    if values is None:
        start, _end = default_term(local_today())
        values = {"start_on": start.isoformat(), "years": "3"}
    context = {
        "plan": plan,
        "county": county,
        "counties": [(c.code, c.name) for c in counties],
        "city_wide": is_city_bureau(actor),
        "values": values,
        "errors": errors,
    }
    return page(
        request,
        "pairing/coverage.html",
        context,
        partial="pairing/_coverage_plan.html",
        status_code=status_code,
    )
