"""Public disclosure pages (公示): pairings, certified products and notices, verified outcomes.

Open to everyone without signing in; the disclosure service decides what is public.
"""

from starlette.requests import Request
from starlette.responses import Response

from app.errors import DomainError, ThrottledError
from app.http import client_address, current_actor
from app.services import disclosure, objections
from app.services.paging import page_number
from app.web.forms import field_errors, in_unit_of_work, read_form
from app.web.pages import load, page_url, unless_fixable
from app.web.requests import throttled_headers, wants_partial
from app.web.templating import render
from app.web.trade_common import finish


async def pairings(request: Request) -> Response:
    county_code = request.query_params.get("county", "")
    number = page_number(request.query_params.get("page"))

    def work(session):
        counts = disclosure.pairing_counts(session=session)
        chosen = next((c for c in counts if c.code == county_code), None)
        page = None
        if chosen is None:
            coverage = disclosure.county_coverage(session=session)
        else:
            page = disclosure.active_pairings(session=session, county_code=chosen.code, page=number)
            coverage = disclosure.township_coverage(session=session, county_code=chosen.code)
        return counts, chosen, page, coverage

    counts, chosen, page, coverage = await load(request, work)
    context = {
        "counts": counts,
        "chosen": chosen,
        "page": page,
        "coverage": coverage,
        "page_url": lambda n: page_url(request, n),
        "section": "pairings",
    }
    return render(request, "disclosure/pairings.html", context, partial="disclosure/_pairings.html")


async def products(request: Request) -> Response:
    return await _products_page(request, {}, {}, None)


async def _products_page(
    request, errors, values, failed_id, *, status_code=200, headers=None
) -> Response:
    number = page_number(request.query_params.get("page"))

    def work(session):
        notices = disclosure.products_on_notice(session=session)
        certified = disclosure.certified_products(session=session, page=number)
        return notices, certified

    notices, certified = await load(request, work)
    context = {
        "notices": notices,
        "page": certified,
        "page_url": lambda n: page_url(request, n),
        "errors": errors,
        "values": values,
        "failed_id": failed_id,
        "section": "products",
    }
    return render(
        request, "disclosure/products.html", context, status_code=status_code, headers=headers
    )


async def file_objection(request: Request) -> Response:
    """Anyone may object to a certification on notice; errors come back by the fields (422)."""
    actor = current_actor(request)
    application_id = request.path_params["application_id"]
    data = await read_form(request)
    try:
        await in_unit_of_work(
            request,
            lambda s: objections.file_objection(
                session=s,
                actor=actor,
                application_id=application_id,
                data=data,
                address=client_address(request),
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        errors = field_errors(exc)
        # Too many objections: 429 with Retry-After, the form kept as it was typed.
        throttled = isinstance(exc, ThrottledError)
        status_code = 429 if throttled else 422
        headers = throttled_headers(exc) if throttled else None
        if wants_partial(request):
            context = {
                "notice_id": application_id,
                "errors": errors,
                "values": data,
                "submitted": False,
            }
            return render(
                request,
                "disclosure/_objection_form.html",
                context,
                status_code=status_code,
                headers=headers,
            )
        return await _products_page(
            request, errors, data, application_id, status_code=status_code, headers=headers
        )
    message = "异议已提交，乡村振兴局将在公示期内核查处理"
    if not wants_partial(request):
        return finish(request, "/disclosure/products", message)
    context = {"notice_id": application_id, "errors": {}, "values": {}, "submitted": True}
    return render(request, "disclosure/_objection_form.html", context)


async def outcomes(request: Request) -> Response:
    county_code = request.query_params.get("county", "")

    def work(session):
        counts = disclosure.pairing_counts(session=session)
        known = any(c.code == county_code for c in counts)
        code = county_code if known else None
        return counts, code, disclosure.verified_outcomes(session=session, county_code=code)

    counts, chosen, totals = await load(request, work)
    context = {"counts": counts, "chosen": chosen, "totals": totals, "section": "outcomes"}
    return render(request, "disclosure/outcomes.html", context, partial="disclosure/_outcomes.html")
