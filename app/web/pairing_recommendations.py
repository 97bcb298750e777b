"""“推荐帮扶村” for an enterprise, likely helpers for a village, and the bureau's view of both."""

from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.services.pairing import directory
from app.services.pairing.directory import EnterpriseFilters
from app.services.pairing.listing import page_number
from app.services.pairing.recommendations import recommend_enterprises, recommend_villages
from app.web.pages import gate, int_or_none, load, page_url
from app.web.pairing_common import page

ROLES = (Role.enterprise, Role.village, Role.bureau, Role.admin)


async def recommendations(request: Request) -> Response:
    actor = gate(request, *ROLES)
    if isinstance(actor, Response):
        return actor
    query = request.query_params
    number = page_number(query.get("page"))
    enterprise_id = int_or_none(query.get("enterprise_id"))
    village_id = int_or_none(query.get("village_id"))
    if actor.role == Role.enterprise:
        enterprise_id, village_id = actor.enterprise_id, None
    elif actor.role == Role.village:
        enterprise_id, village_id = None, actor.village_id
    county_code = (query.get("county") or "").strip()[:6]
    key_only = query.get("key") == "1"

    def work(session):
        if enterprise_id:
            return "villages", recommend_villages(
                session=session,
                actor=actor,
                enterprise_id=enterprise_id,
                county_code=county_code or None,
                key_only=key_only,
                page=number,
            )
        if village_id:
            return "enterprises", recommend_enterprises(
                session=session, actor=actor, village_id=village_id, page=number
            )
        # A bureau officer who has not chosen yet: find an enterprise by name.
        found = directory.list_enterprises(
            session=session,
            actor=actor,
            filters=EnterpriseFilters(q=(query.get("q") or "").strip()[:40]),
            size=10,
        )
        return "choose", found

    if actor.role in (Role.enterprise, Role.village) and not (enterprise_id or village_id):
        return page(request, "pairing/not_approved.html", {})
    kind, result = await load(request, work)
    counties = await load(request, lambda s: directory.counties(session=s))
    context = {
        "kind": kind,
        "result": result,
        "county": county_code,
        "key_only": key_only,
        "counties": [(c.code, c.name) for c in counties],
        "q": query.get("q", ""),
        "page_url": lambda n: page_url(request, n),
        "is_bureau": actor.role in (Role.bureau, Role.admin),
        "can_propose": actor.role == Role.enterprise,
    }
    return page(
        request,
        "pairing/recommendations.html",
        context,
        partial="pairing/_recommendations.html",
    )
