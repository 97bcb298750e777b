"""The GraphiQL page (development only): our own page, served through Strawberry's documented
``render_graphql_ide`` override, not Strawberry's page patched by string replacement.

It loads the same pinned GraphiQL, React and explorer builds as Strawberry's page did, each with
its Subresource Integrity hash, and sends the session's CSRF token with every operation.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jinja2

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
UNPKG = "https://unpkg.com"


@dataclass(frozen=True)
class Asset:
    kind: str  # "script" or "style"
    url: str
    integrity: str


ASSETS = (
    Asset(
        "script",
        f"{UNPKG}/react@18.2.0/umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    Asset(
        "script",
        f"{UNPKG}/react-dom@18.2.0/umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    Asset(
        "style",
        f"{UNPKG}/graphiql@3.8.3/graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Asset(
        "style",
        f"{UNPKG}/@graphiql/plugin-explorer@1.0.2/dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
    Asset(
        "script",
        f"{UNPKG}/graphiql@3.8.3/graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    Asset(
        "script",
        f"{UNPKG}/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
)


@cache
def _template() -> jinja2.Template:
    loader = jinja2.FileSystemLoader(TEMPLATES_DIR)
    environment = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True)
    return environment.get_template("graphql/graphiql.html")


def graphiql_page(csrf_token: str) -> str:
    """The page's HTML; its operations carry ``X-CSRF-Token: csrf_token``."""
    return _template().render(assets=ASSETS, headers={"X-CSRF-Token": csrf_token})
