"""The home page: the public headline figures of both programmes."""

from starlette.requests import Request
from starlette.responses import Response

from app.services.overview import home_figures
from app.web.templating import render


def home(request: Request) -> Response:
    with request.app.state.database.read_only() as session:
        figures = home_figures(session=session)
    return render(request, "home/index.html", {"figures": figures}, partial="home/_figures.html")
