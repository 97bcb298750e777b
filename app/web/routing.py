"""The pages' routes: every URL the page adapter answers, in the order Starlette matches them.

The home page and the health check, then every domain's routes, gathered from
``app.web.<domain>_routes`` in the order of ``DOMAINS`` (app/domains.py). Starlette tries routes
in order and takes the first match: a domain's routes keep their own order, and routes of
different domains never match the same path (each domain has its own prefixes). The composition
root (app/asgi.py) mounts these beside ``/graphql``.
"""

from starlette.routing import BaseRoute, Route

from app.domains import Part
from app.web.health import healthz
from app.web.home import home

ROUTES_PART = Part("app.web.{domain}_routes", ("ROUTES", "MENU"))


def domain_routes() -> list[BaseRoute]:
    """The routes of every domain's pages; a domain without its routes module stops start-up."""
    return list(ROUTES_PART.gather("ROUTES"))


def page_routes() -> list[BaseRoute]:
    """The routes of every page, health check included."""
    return [
        Route("/", home, name="home"),
        Route("/healthz", healthz, name="healthz"),
        *domain_routes(),
    ]
