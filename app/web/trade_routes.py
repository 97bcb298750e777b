"""Routes of the 消费帮扶 pages: products, certification, demands, orders."""

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
