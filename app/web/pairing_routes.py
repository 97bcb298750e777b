"""Routes of the 千企帮千村 pages: villages, recommendations, agreements, reports, review queues."""

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
