"""The Jinja2 environment, what every page sees, and ``render`` with its htmx partial branch."""

import hashlib
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

import app as app_package
from app.actors import ROLE_LABEL
from app.config import Settings
from app.http import csrf_token, current_actor
from app.labels import label, status_tone
from app.services.pairing.terms import review_labels
from app.services.state_machine import button
from app.web.agreement_page import changes as event_changes
from app.web.coverage_map import county_map, township_grid
from app.web.flash import fragment_flashes, pop_flashes
from app.web.formatting import FILTERS
from app.web.navigation import navigation_for
from app.web.requests import wants_partial
from app.web.security import CSRF_FIELD

PACKAGE_DIR = Path(app_package.__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR.parent / "static"
LOCAL_HTMX_URL = "/static/vendor/htmx.min.js"
PRODUCT_NAME = "村企通"


class HtmxScript(NamedTuple):
    src: str
    integrity: str | None
    # This site's own copy, loaded by static/js/htmx-fallback.js when ``src`` fails (or None).
    fallback: str | None = None


def htmx_script(settings: Settings) -> HtmxScript:
    """Where pages load htmx from.

    Production uses ``settings.htmx_url`` with its SRI hash (the pinned file on a CDN that serves
    mainland China, by default), and falls back to the npm copy this site serves at
    ``/static/vendor/htmx.min.js`` under the same hash when the CDN fails. Development and tests
    use the npm copy directly, so they work offline and never depend on the CDN.
    """
    if settings.is_production:
        integrity = settings.htmx_integrity or None
        fallback = None if settings.htmx_url == LOCAL_HTMX_URL else LOCAL_HTMX_URL
        return HtmxScript(settings.htmx_url, integrity, fallback)
    return HtmxScript(LOCAL_HTMX_URL, None)


def _file_version(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]
    except (FileNotFoundError, IsADirectoryError):
        return ""


_cached_file_version = lru_cache(maxsize=64)(_file_version)


def file_version(path) -> str:
    """The short content hash static URLs carry as ``?v=`` (re-read when the file changes)."""
    try:
        stat = os.stat(path)
    except OSError:
        return ""
    return _version_at(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _version_at(path: str, _mtime_ns: int, _size: int) -> str:
    return _file_version(Path(path))


def static_url_function(*, cache: bool):
    """``static_url("css/app.css")`` → ``/static/css/app.css?v=<content hash>``."""
    version_of = _cached_file_version if cache else _file_version

    def static_url(path: str) -> str:
        version = version_of(STATIC_DIR / path)
        return f"/static/{path}?v={version}" if version else f"/static/{path}"

    return static_url


def csrf_input(request: Request) -> Markup:
    """The hidden field every plain form post carries."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, csrf_token(request)
    )


def format_value(value: Any, kind: str = "number") -> str:
    """Format ``value`` with the filter named ``kind`` (for macros that take the format as data)."""
    return FILTERS[kind](value)


def page_context(request: Request) -> dict[str, Any]:
    actor = current_actor(request)
    return {"actor": actor, "navigation": navigation_for(actor.role, request.url.path)}


def create_environment(settings: Settings) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=not settings.is_production,
        extensions=["jinja2.ext.do"],
    )
    env.filters.update(FILTERS, label=label, status_tone=status_tone, review_labels=review_labels)
    env.globals.update(
        product_name=PRODUCT_NAME,
        htmx=htmx_script(settings),
        static_url=static_url_function(cache=settings.is_production),
        label=label,
        button=button,
        status_tone=status_tone,
        role_label=ROLE_LABEL.__getitem__,
        format_value=format_value,
        pop_flashes=pop_flashes,
        csrf_token=csrf_token,
        csrf_input=csrf_input,
        county_map=county_map,
        township_grid=township_grid,
        event_changes=event_changes,
    )
    return env


class Templates(Jinja2Templates):
    def render(
        self,
        request: Request,
        name: str,
        context: Mapping[str, Any] | None = None,
        *,
        partial: str | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Render the page ``name``, or its ``partial`` (a template it includes) for htmx."""
        chosen = partial if partial is not None and wants_partial(request) else name
        response = self.TemplateResponse(
            request, chosen, dict(context or {}), status_code=status_code, headers=headers
        )
        if chosen != name:
            # A fragment takes the messages queued for this browser (app/web/flash.py).
            extra = fragment_flashes(request)
            if extra:
                response.body += extra.encode()
                response.headers["content-length"] = str(len(response.body))
        if partial is not None:
            # The same URL answers two ways: caches must key on the header.
            response.headers.append("Vary", "HX-Request")
        return response


def create_templates(settings: Settings) -> Templates:
    return Templates(env=create_environment(settings), context_processors=[page_context])


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any] | None = None,
    *,
    partial: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render with the application's templates (see ``Templates.render``)."""
    templates: Templates = request.app.state.templates
    return templates.render(
        request, name, context, partial=partial, status_code=status_code, headers=headers
    )
