"""Outcome-report pages: the list, the report form with evidence files, a report's page with its
review steps, and evidence downloads for those allowed."""

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.actors import Role
from app.errors import NotFoundError
from app.labels import REPORT_STATUS
from app.models.enums import ReportStatus
from app.money import fen_to_yuan
from app.services.pairing import corrections, details, evidence, queries, reports
from app.services.pairing.evidence import ALLOWED_TEXT, MAX_FILE_BYTES, MAX_FILES_PER_REPORT
from app.services.pairing.listing import page_number
from app.services.pairing.periods import Quarter
from app.services.pairing.states import REPORT
from app.web.downloads import attachment
from app.web.forms import read_form
from app.web.pages import gate, int_or_none, load, page_url, take_step, upload_dir
from app.web.pairing_common import done, page, save, store_evidence, uploads

LIST_ROLES = (Role.enterprise, Role.village, Role.bureau, Role.admin)
# What each reviewer sees first: the reports waiting for them.
DEFAULT_STATUS = {Role.village: ReportStatus.submitted, Role.bureau: ReportStatus.confirmed}
REPORT_FIELDS = (
    "actual_funding_business",
    "actual_funding_welfare",
    "actual_jobs",
    "actual_trainees",
    "actual_purchase",
    "actual_beneficiaries",
    "narrative",
)
STEPS = {
    "confirm": reports.confirm_report,
    "verify": reports.verify_report,
    "return": reports.return_report,
}
LIMITS = (
    f"{ALLOWED_TEXT}，每个不超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，"
    f"每份报告最多 {MAX_FILES_PER_REPORT} 个"
)


async def report_list(request: Request) -> Response:
    actor = gate(request, *LIST_ROLES)
    if isinstance(actor, Response):
        return actor
    raw = request.query_params.get("status")
    if raw is None:
        status = DEFAULT_STATUS.get(actor.role)
    else:
        try:
            status = ReportStatus(raw) if raw not in ("", "all") else None
        except ValueError:
            status = None
    number = page_number(request.query_params.get("page"))
    results = await load(
        request,
        lambda s: queries.list_reports(session=s, actor=actor, status=status, page=number),
    )
    context = {
        "page": results,
        "status": status.value if status else "all",
        "statuses": list(REPORT_STATUS.items()),
        "page_url": lambda n: page_url(request, n),
        "role": actor.role,
    }
    return page(request, "pairing/reports.html", context, partial="pairing/_report_results.html")


# Submitting ------------------------------------------------------------------------------------


async def new_report(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    agreement_id = request.path_params["agreement_id"]
    values = {"period": request.query_params.get("period", "")}
    return await _report_form(request, actor, agreement_id, values, {})


async def _report_form(request, actor, agreement_id, values, errors, status_code=200):
    detail = await load(
        request,
        lambda s: details.get_agreement(session=s, actor=actor, agreement_id=agreement_id),
    )
    if not detail.reportable:
        return done(request, f"/agreements/{agreement_id}", "当前没有需要报送的季度", level="error")
    if not values.get("period"):
        values = values | {"period": detail.reportable[-1].period}
    context = {
        "detail": detail,
        "report": None,
        "values": values,
        "errors": errors,
        "periods": [
            (q.period, f"{q.year}年第{q.quarter}季度") for q in reversed(detail.reportable)
        ],
        "action": f"/agreements/{agreement_id}/reports",
        "limits": LIMITS,
        "correcting": False,
    }
    return page(request, "pairing/report_form.html", context, status_code=status_code)


async def submit(request: Request) -> Response:
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    agreement_id = request.path_params["agreement_id"]
    data = await read_form(request)
    values = {name: data.get(name, "") for name in (*REPORT_FIELDS, "period")}
    files = await uploads(request, "evidence")
    root = upload_dir(request)
    stored = []

    async def store():
        stored[:] = await store_evidence(
            request,
            files,
            lambda s: reports.check_may_submit(session=s, actor=actor, agreement_id=agreement_id),
        )

    def apply(session):
        return reports.submit_report(
            session=session,
            actor=actor,
            agreement_id=agreement_id,
            data=values,
            files=stored,
            upload_dir=root,
        ).id

    report_id = await save(
        request,
        apply,
        lambda errors, status: _report_form(request, actor, agreement_id, values, errors, status),
        before=store,
    )
    if isinstance(report_id, Response):
        return report_id
    return done(request, f"/reports/{report_id}", "成效报告已提交，等待村确认")


RESUBMITTED = "已修改并重新提交，等待村确认"


async def resubmit(request: Request) -> Response:
    """重新提交: a returned report, revised with new evidence."""
    return await _revised(request, "resubmit")


async def correct(request: Request) -> Response:
    """更正: the form for a correction of a verified report (its figures, a reason, evidence)."""
    return await _revised(request, "correct")


async def _revised(request: Request, step: str) -> Response:
    """A report sent round the review again, after a return (resubmit) or as a correction
    (correct, which also carries its reason); evidence is stored before the write."""
    actor = gate(request, Role.enterprise)
    if isinstance(actor, Response):
        return actor
    report_id = request.path_params["report_id"]
    if request.method == "GET":
        return await _resubmit_form(request, actor, report_id, None, {}, step=step)
    data = await read_form(request)
    fields = (*REPORT_FIELDS, "reason") if step == "correct" else REPORT_FIELDS
    values = {name: data.get(name, "") for name in fields}
    version = int_or_none(data.get("version")) or 0
    files = await uploads(request, "evidence")
    root = upload_dir(request)
    stored = []

    async def store():
        stored[:] = await store_evidence(
            request,
            files,
            lambda s: reports.check_may_submit(session=s, actor=actor, report_id=report_id),
        )

    def apply(s):
        common = {
            "session": s,
            "actor": actor,
            "report_id": report_id,
            "expected_version": version,
            "data": values,
            "files": stored,
            "upload_dir": root,
        }
        if step == "correct":
            return corrections.correct_report(**common, reason=values["reason"])
        return reports.resubmit_report(**common)

    saved = await save(
        request,
        apply,
        lambda errors, status: _resubmit_form(
            request, actor, report_id, values, errors, status, version, step=step
        ),
        before=store,
    )
    if isinstance(saved, Response):
        return saved
    message = REPORT.transition("correct").done if step == "correct" else RESUBMITTED
    return done(request, f"/reports/{report_id}", message)


async def _resubmit_form(
    request, actor, report_id, values, errors, status_code=200, version=None, step="resubmit"
):
    detail = await load(
        request, lambda s: details.get_report(session=s, actor=actor, report_id=report_id)
    )
    if step not in detail.actions:
        raise HTTPException(404)
    report = detail.report
    if values is None:
        values = {
            "actual_funding_business": _yuan(report.actual_funding_business_fen),
            "actual_funding_welfare": _yuan(report.actual_funding_welfare_fen),
            "actual_jobs": report.actual_jobs,
            "actual_trainees": report.actual_trainees,
            "actual_purchase": _yuan(report.actual_purchase_fen),
            "actual_beneficiaries": report.actual_beneficiaries,
            "narrative": report.narrative,
        }
    context = {
        "detail": detail,
        "report": report,
        "values": values,
        "errors": errors,
        "periods": [],
        "action": f"/reports/{report_id}/" + ("correct" if step == "correct" else "edit"),
        "limits": LIMITS,
        "version": version if version is not None else report.version,
        "correcting": step == "correct",
    }
    return page(request, "pairing/report_form.html", context, status_code=status_code)


def _yuan(fen: int) -> str:
    return fen_to_yuan(fen) if fen else ""


# A report's page and its review steps ----------------------------------------------------------


async def report_detail(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    return await _detail(request, actor, request.path_params["report_id"])


async def _detail(request, actor, report_id, *, errors=None, toast=None, status_code=200):
    detail = await load(
        request, lambda s: details.get_report(session=s, actor=actor, report_id=report_id)
    )
    context = {
        "detail": detail,
        "quarter": Quarter(detail.report.year, detail.report.quarter),
        "errors": errors or {},
        "toast": toast,
    }
    return page(
        request,
        "pairing/report.html",
        context,
        partial="pairing/_report.html",
        status_code=status_code,
    )


async def step(request: Request) -> Response:
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    report_id = request.path_params["report_id"]
    action = request.path_params["action"]
    if action not in STEPS:
        raise HTTPException(404)
    service = STEPS[action]
    data = await read_form(request)
    version = int_or_none(data.get("version")) or 0
    extra = {"comment": data.get("reason", "")} if action == "return" else {}
    return await take_step(
        request,
        lambda s: service(
            session=s, actor=actor, report_id=report_id, expected_version=version, **extra
        ),
        url=f"/reports/{report_id}",
        message=REPORT.transition(action).done,
        leave=done,
        show=lambda **shown: _detail(request, actor, report_id, **shown),
        slots={"comment": "return_reason"},
    )


async def evidence_file(request: Request) -> Response:
    """An evidence file, to the parties, their bureau and admins; never cached by proxies."""
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    evidence_id = request.path_params["evidence_id"]
    root = upload_dir(request)
    row, path = await load(
        request,
        lambda s: evidence.open_evidence(
            session=s, actor=actor, evidence_id=evidence_id, upload_dir=root
        ),
    )
    return FileResponse(
        path,
        media_type=row.content_type,
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": attachment(row.filename),
        },
    )


async def evidence_thumbnail(request: Request) -> Response:
    """A picture's thumbnail, to those who may open the picture (``open_evidence`` checks, the
    same as the download); made on first use, off the event loop and outside any transaction."""
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    evidence_id = request.path_params["evidence_id"]
    root = upload_dir(request)
    row, path = await load(
        request,
        lambda s: evidence.open_evidence(
            session=s, actor=actor, evidence_id=evidence_id, upload_dir=root
        ),
    )
    small = await run_in_threadpool(_thumbnail, path, row.content_type)
    return FileResponse(
        small, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"}
    )


def _thumbnail(path, content_type):
    try:
        return evidence.thumbnail(path, content_type)
    except NotFoundError:
        raise HTTPException(404) from None
