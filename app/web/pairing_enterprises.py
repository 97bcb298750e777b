"""Enterprise pages: the public list of helping organisations and their profiles."""

from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.http import current_actor
from app.labels import ENTERPRISE_KIND, HELP_KIND, INDUSTRY_SECTION
from app.permissions import is_enterprise_staff
from app.services.pairing import directory, profiles
from app.services.pairing.directory import EXTERNAL, EnterpriseFilters
from app.services.pairing.listing import page_number
from app.web.pages import load, page_url
from app.web.pairing_common import page


async def enterprise_list(request: Request) -> Response:
    actor = current_actor(request)
    filters = EnterpriseFilters.from_mapping(request.query_params)
    number = page_number(request.query_params.get("page"))

    def work(session):
        return (
            directory.list_enterprises(session=session, actor=actor, filters=filters, page=number),
            directory.counties(session=session),
        )

    results, counties = await load(request, work)
    context = {
        "page": results,
        "filters": filters,
        "counties": [(c.code, c.name) for c in counties] + [(EXTERNAL, "运城市以外")],
        "kinds": list(ENTERPRISE_KIND.items()),
        "help_kinds": list(HELP_KIND.items()),
        "industries": [(k, f"{k} {v}") for k, v in INDUSTRY_SECTION.items()],
        "page_url": lambda n: page_url(request, n),
    }
    return page(
        request, "pairing/enterprises.html", context, partial="pairing/_enterprise_results.html"
    )


async def enterprise_detail(request: Request) -> Response:
    actor = current_actor(request)
    enterprise_id = request.path_params["enterprise_id"]
    profile = await load(
        request,
        lambda s: profiles.enterprise_profile(session=s, actor=actor, enterprise_id=enterprise_id),
    )
    context = {
        "profile": profile,
        "own": is_enterprise_staff(actor, profile.id),
        "can_recommend": actor.role in (Role.bureau, Role.admin),
    }
    return page(request, "pairing/enterprise.html", context)
