"""The bureau's dashboard (工作台): panels loaded lazily with htmx, each also a page of its own.

``/dashboard`` lists the panels as placeholders that load when scrolled into view; without
JavaScript each placeholder is a link to ``/dashboard/<panel>``, and ``/dashboard?all=1`` renders
every panel at once (for printing and for the benchmark).
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.services import stats
from app.services.stats.coverage import township_coverage
from app.web.pages import gate, load
from app.web.templating import render


def panel_titles() -> dict[str, str]:
    """Panel name → title, in the dashboard's order (every domain's ``DASHBOARD_PANELS``)."""
    return {name: panel.title for name, panel in stats.panels().items()}


async def dashboard_page(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    figures = None
    if request.query_params.get("all") == "1":
        figures = await load(request, lambda s: stats.dashboard(session=s, actor=actor, reuse=True))
    context = {"titles": panel_titles(), "figures": figures}
    return render(request, "dashboard/index.html", context)


async def dashboard_panel(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    name = request.path_params["panel"]
    titles = panel_titles()
    if name not in titles:
        raise HTTPException(404)
    county_code = request.query_params.get("county", "") if name == "coverage" else ""

    def work(session):
        data = stats.panel(name, session=session, actor=actor, reuse=True)
        chosen = township_coverage(session, actor, county_code) if county_code else None
        return data, chosen

    data, chosen = await load(request, work)
    if county_code and chosen is None:
        raise HTTPException(404)
    context = {"name": name, "title": titles[name], "data": data, "chosen": chosen}
    return render(request, "dashboard/panel.html", context, partial="dashboard/_panel.html")
