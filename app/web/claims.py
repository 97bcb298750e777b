"""Claiming an organisation already in the directory: the claim form (account details and the
proof) and the proof's download for the reviewing bureau (docs/decisions/0035)."""

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.errors import DomainError, ThrottledError
from app.http import client_address, current_actor
from app.models.enums import UserRole
from app.services import accounts, claims, user_sessions
from app.services.pairing.evidence import MAX_FILE_BYTES, upload_root
from app.web.auth import client_details, sign_in
from app.web.downloads import attachment
from app.web.flash import flash
from app.web.forms import field_errors, in_unit_of_work, read_form, read_only, redirect
from app.web.guards import login_redirect
from app.web.pages import upload_dir
from app.web.requests import throttled_headers
from app.web.templating import render

KINDS = {"enterprise": "帮扶主体", "cooperative": "合作社"}
ACCOUNT_FIELDS = ("username", "display_name", "phone", "password", "privacy_consent")


async def claim(request: Request) -> Response:
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise HTTPException(404)
    if request.method == "GET":
        return _form(request, kind, dict(request.query_params), {})
    data = await read_form(request)
    form = await request.form()
    document = form.get("document")
    name, content = "", b""
    if isinstance(document, UploadFile):
        name, content = document.filename or "", await document.read(MAX_FILE_BYTES + 1)
        await document.close()
    errors = {}
    if data.get("password") != data.get("password_again"):
        errors["password_again"] = "两次输入的密码不一致"
    account = {k: data.get(k, "") for k in ACCOUNT_FIELDS}
    credit_code = data.get("credit_code", "")
    root = upload_root(upload_dir(request))

    def find(session):
        claims.find_organisation(session, UserRole(kind), credit_code)

    def apply(session, prepared, proof):
        user = claims.claim_organisation(
            session=session,
            kind=UserRole(kind),
            account=prepared,
            credit_code=credit_code,
            proof=proof,
            address=client_address(request),
        )
        session.flush()
        key = user_sessions.open_session(
            session=session, user_id=user.id, **client_details(request)
        )
        return user.id, user.auth_version, key

    # Every problem of the form at once: the organisation, the account and the proof are each
    # checked before anything is written.
    for check in (
        lambda: read_only(request, find),
        lambda: run_in_threadpool(accounts.prepare_account, account),
        lambda: run_in_threadpool(claims.store_proof, name, content, root),
    ):
        try:
            result = await check()
        except DomainError as exc:
            errors = field_errors(exc) | errors
            continue
        if hasattr(result, "password_hash"):
            prepared = result
        elif hasattr(result, "storage_key"):
            proof = result
    if errors:
        return _form(request, kind, data, errors, 422)
    try:
        user_id, auth_version, key = await in_unit_of_work(
            request, lambda s: apply(s, prepared, proof)
        )
    except ThrottledError as exc:
        return _form(request, kind, data, field_errors(exc), 429, headers=throttled_headers(exc))
    except DomainError as exc:
        return _form(request, kind, data, field_errors(exc), 422)
    sign_in(request, user_id=user_id, auth_version=auth_version, session_key=key)
    flash(request, "认领申请已提交，所在县乡村振兴局审核通过后即可代表该单位使用", level="success")
    return redirect("/account")


def _form(request, kind, values, errors, status_code=200, *, headers=None) -> Response:
    values = {k: v for k, v in values.items() if not k.startswith("password")}
    context = {"kind": kind, "kind_label": KINDS[kind], "values": values, "errors": errors}
    return render(request, "accounts/claim.html", context, status_code=status_code, headers=headers)


async def proof(request: Request) -> Response:
    """A claim's proof, for the bureau that reviews it; never cached."""
    actor = current_actor(request)
    if not actor.is_authenticated:
        return login_redirect(request)
    user_id = request.path_params["user_id"]
    root = upload_root(upload_dir(request))
    row, path = await read_only(
        request,
        lambda s: claims.open_claim_proof(session=s, actor=actor, user_id=user_id, upload_dir=root),
    )
    return FileResponse(
        path,
        media_type=row.content_type,
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": attachment(row.filename),
        },
    )
