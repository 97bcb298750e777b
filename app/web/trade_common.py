"""Small helpers shared by the 消费帮扶 page handlers."""

from enum import StrEnum
from typing import TypeVar

from starlette.requests import Request
from starlette.responses import Response

from app.web.flash import flash
from app.web.forms import redirect
from app.web.redirects import same_site_path
from app.web.requests import is_htmx

E = TypeVar("E", bound=StrEnum)


def flash_back(request: Request, url: str, message: str) -> Response:
    """An action that failed outside any form: say why on the page we go back to."""
    flash(request, message, level="error")
    return redirect(url)


def finish(request: Request, url: str, message: str) -> Response:
    """After a successful post that leads elsewhere: flash, then 303 (or HX-Redirect for htmx)."""
    flash(request, message, level="success")
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": same_site_path(url)})
    return redirect(url)


def enum_param(request: Request, name: str, enum: type[E]) -> E | None:
    """A filter from the query string; unknown values mean no filter."""
    raw = request.query_params.get(name, "")
    try:
        return enum(raw) if raw else None
    except ValueError:
        return None
