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
from app.web.pages import gate, load
from app.web.templating import render

PANEL_TITLES = {
    "coverage": "结对覆盖",
    "agreements": "帮扶协议状态",
    "commitments": "承诺与实绩",
    "sales": "消费帮扶销售",
    "shares": "预留份额完成情况",
    "overdue": "逾期未报成效",
    "enterprises": "最活跃的帮扶主体",
}


async def dashboard_page(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    figures = None
    if request.query_params.get("all") == "1":
        figures = await load(request, lambda s: stats.dashboard(session=s, actor=actor, reuse=True))
    context = {"titles": PANEL_TITLES, "figures": figures}
    return render(request, "dashboard/index.html", context)


async def dashboard_panel(request: Request) -> Response:
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    name = request.path_params["panel"]
    if name not in PANEL_TITLES:
        raise HTTPException(404)
    data = await load(request, lambda s: stats.panel(name, session=s, actor=actor, reuse=True))
    context = {"name": name, "title": PANEL_TITLES[name], "data": data}
    return render(request, "dashboard/panel.html", context, partial="dashboard/_panel.html")
