"""Every domain's page routes, gathered from ``app.web.<domain>_routes`` in the order of
``DOMAINS`` (app/domains.py).

Starlette tries routes in order and takes the first match: a domain's routes keep their own order,
and routes of different domains never match the same path (each domain has its own prefixes).
"""

from starlette.routing import BaseRoute

from app.domains import Part

ROUTES_PART = Part("app.web.{domain}_routes", ("ROUTES",))


def domain_routes() -> list[BaseRoute]:
    """The routes of every domain's pages; a domain without its routes module stops start-up."""
    return list(ROUTES_PART.gather("ROUTES"))
