"""劳务对接 pages: the applications list, one application with the steps its reader may take now
(the state machine's buttons: 安排面试, 录用, 不录用, 撤回报名, the stable-employment checks)."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.models import Village
from app.models.labour import JobPosting, LabourSupply
from app.services import clock
from app.services.labour import hiring
from app.services.labour.postings import employer_name
from app.services.labour_states import APPLICATION
from app.services.paging import page_number
from app.web.forms import read_form, read_only
from app.web.pages import form_version, gate, load, page_url, take_step
from app.web.templating import render
from app.web.trade_common import finish

# The form fields each step reads besides the version.
STEP_FIELDS = {
    "invite": ("interview_on",),
    "hire": ("hired_count", "hired_on"),
    "confirm_retained": ("count",),
    "confirm_stable": ("count",),
}


async def application_list(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    number = page_number(request.query_params.get("page"))

    def work(session):
        page = hiring.visible_applications(session=session, actor=actor, page=number)
        postings = {a.posting_id: session.get(JobPosting, a.posting_id) for a in page.items}
        villages = {a.village_id: session.get(Village, a.village_id) for a in page.items}
        return page, postings, villages

    page, postings, villages = await read_only(request, work)
    context = {
        "page": page,
        "postings": postings,
        "villages": villages,
        "page_url": lambda n: page_url(request, n),
    }
    return render(request, "labour/applications.html", context)


async def application_detail(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    return await _detail(request, actor, request.path_params["application_id"])


async def _detail(request, actor, application_id, *, errors=None, toast=None, status_code=200):
    def work(session):
        application = hiring.get_application(
            session=session, actor=actor, application_id=application_id
        )
        posting = session.get(JobPosting, application.posting_id)
        return (
            application,
            posting,
            employer_name(session, posting),
            session.get(LabourSupply, application.supply_id),
            session.get(Village, application.village_id),
        )

    application, posting, employer, group, village = await load(request, work)
    context = {
        "application": application,
        "posting": posting,
        "employer": employer,
        "group": group,
        "village": village,
        "steps": hiring.allowed_steps(actor=actor, application=application),
        "buttons": APPLICATION.buttons(),
        "today": clock.today(),
        "errors": errors or {},
        "toast": toast,
    }
    return render(
        request,
        "labour/application.html",
        context,
        partial="labour/_application.html",
        status_code=status_code,
    )


async def application_step(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    application_id = request.path_params["application_id"]
    name = request.path_params["action"]
    if name not in APPLICATION.names(offered_only=True):
        raise HTTPException(404)
    data = await read_form(request)
    version = form_version(data)
    form = {field: data.get(field, "") for field in STEP_FIELDS.get(name, ())}

    def work(session):
        common = {
            "session": session,
            "actor": actor,
            "application_id": application_id,
            "expected_version": version,
        }
        if name == "invite":
            return hiring.invite(**common, data=form)
        if name == "hire":
            return hiring.hire(**common, data=form)
        if name in ("confirm_retained", "confirm_stable"):
            return hiring.confirm_check(**common, data=form)
        return getattr(hiring, name)(**common)

    url = f"/labour/applications/{application_id}"
    message = APPLICATION.done_messages().get(name, "已保存")
    return await take_step(
        request,
        work,
        url=url,
        message=message,
        show=lambda **more: _detail(request, actor, application_id, **more),
        leave=finish,
    )
