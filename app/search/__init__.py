"""Search: a Whoosh index of products, villages and enterprises, fed from the database outbox.

Wiring (see docs/decisions/0005-search-whoosh.md)::

    service = app.search.startup(database, settings)   # in the application's lifespan (app/jobs.py)
    results = service.search_products(session, ProductQuery(text="苹果"))

``startup`` rebuilds a missing index, drains rows left by a crash, repairs drift, and registers the
after-commit drain on ``database``. Names below are imported lazily so that ``app.search.cli``
stays quick to load.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.config import Settings
    from app.db import Database
    from app.search.service import SearchService

_EXPORTS = {
    "SearchService": "app.search.service",
    "StartupReport": "app.search.service",
    "ProductQuery": "app.search.products",
    "ProductResults": "app.search.products",
    "ProductHit": "app.search.products",
    "ProductSort": "app.search.products",
    "PairingQuery": "app.search.pairing",
    "PairingResults": "app.search.pairing",
    "PairingHit": "app.search.pairing",
    "PairingSort": "app.search.pairing",
    "FacetValue": "app.search.results",
}

__all__ = [*_EXPORTS, "startup"]


def startup(database: "Database", settings: "Settings") -> "SearchService":
    """Make search ready for ``database`` and return the service for the app's state.

    Blocking (a missing index at province scale takes a few minutes to build): run it in a
    worker thread from an async lifespan.
    """
    from app.search.service import SearchService

    service = SearchService(settings.index_dir)
    service.startup(database)
    service.attach(database)
    return service


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
