"""Routes of 劳务协作."""

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []

MENU = ()
