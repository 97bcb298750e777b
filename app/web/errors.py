"""Error pages in Chinese, in the site's layout."""

import logging

from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.errors import ConflictError, DomainError, NotFoundError, PermissionDeniedError
from app.http import is_database_busy
from app.web.templating import render

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("请求有误", "提交的内容无法识别，请返回后重试。"),
    403: ("没有权限", "您没有访问这个页面的权限。"),
    404: ("页面不存在", "您访问的页面不存在，可能已被移除或地址有误。"),
    405: ("不支持的请求方式", "这个页面不支持该操作，请返回后重试。"),
    500: ("服务器出错了", "请稍后再试；如果问题一直存在，请联系运城市乡村振兴局。"),
    503: ("系统繁忙", "其他操作正在保存数据，您这次提交没有保存。请稍等几秒后再提交一次。"),
}
DEFAULT_MESSAGE = ("请求无法完成", "请返回后重试。")
# Seconds a client should wait after a 503 for a busy database: a few busy timeouts' worth.
RETRY_AFTER_SECONDS = 2


def error_page(request: Request, status_code: int, headers=None) -> Response:
    title, text = MESSAGES.get(status_code, DEFAULT_MESSAGE)
    context = {"status_code": status_code, "title": title, "text": text}
    return render(request, "errors/error.html", context, status_code=status_code, headers=headers)


def forbidden_response(request: Request, message: str) -> Response:
    """A 403 page in Chinese that says why (expired form, foreign origin, no permission)."""
    context = {"status_code": 403, "title": "请求被拒绝", "text": message}
    return render(request, "errors/error.html", context, status_code=403)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_page(request, exc.status_code, headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500)


async def database_error(request: Request, exc: Exception) -> Response:
    """503 with ``Retry-After`` when the database is busy (nothing was saved); else a 500."""
    if not is_database_busy(exc):
        return await server_error(request, exc)
    log.warning("database busy on %s %s: %s", request.method, request.url.path, exc)
    return error_page(request, 503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


async def domain_error(request: Request, exc: Exception) -> Response:
    """A refusal no handler caught (an id no row can have, NUL in a search box on PostgreSQL,
    an unexpected constraint): its status and Chinese message, never a 500."""
    assert isinstance(exc, DomainError)
    if isinstance(exc, NotFoundError):
        return error_page(request, 404)
    status_code = 409 if isinstance(exc, ConflictError) else 422
    context = {"status_code": status_code, "title": "请求无法完成", "text": exc.message}
    return render(request, "errors/error.html", context, status_code=status_code)


async def permission_denied(request: Request, exc: Exception) -> Response:
    """403 with the reason; on a page that names an object by id, the missing-object page.

    An object the actor may not see must answer as one that does not exist (as GraphQL does):
    a 403 there would confirm that the id exists.
    """
    if names_an_object(request):
        return error_page(request, 404)
    return forbidden_response(request, getattr(exc, "message", "您没有权限执行此操作"))


def names_an_object(request: Request) -> bool:
    """Whether the route names an object by its id (every such path parameter is an int)."""
    return any(isinstance(value, int) for value in request.path_params.values())


EXCEPTION_HANDLERS = {
    HTTPException: http_error,
    PermissionDeniedError: permission_denied,
    DomainError: domain_error,
    OperationalError: database_error,
    500: server_error,
}
