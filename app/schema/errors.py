"""Business errors in mutation payloads: ``{ <object>, errors: [UserError!]! }``.

A ``DomainError`` raised by a service becomes payload errors (its unit of work rolled back, so
nothing was written); a top-level GraphQL error means the request itself was malformed, refused
by a protection limit, or failed inside the server.
"""

import dataclasses
from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import strawberry
from sqlmodel import Session
from strawberry.types.unset import UNSET

from app.actors import Actor
from app.errors import DomainError, PermissionDeniedError
from app.schema.context import Info
from app.schema.enums import domain

T = TypeVar("T")
SIGN_IN_MESSAGE = "请先登录（或使用接口令牌）"


@strawberry.type(description="业务错误：出错的输入项、稳定的错误代码和中文说明。")
class UserError:
    field: str | None = strawberry.field(
        description="出错的输入项（与输入字段同名，如 creditCode）；与某一项无关时为空。"
    )
    code: str = strawberry.field(
        description="稳定的英文错误代码，如 permission_denied、stale_version、credit_code_check。"
    )
    message: str = strawberry.field(description="给人看的中文说明。")


def camel(name: str | None) -> str | None:
    """A service's field name (``credit_code``) as the GraphQL input field (``creditCode``)."""
    if not name:
        return None
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def user_errors(exc: DomainError) -> list[UserError]:
    """One UserError per field error (a service may report several fields at once)."""
    return [
        UserError(field=camel(error.field), code=error.code, message=error.message)
        for error in getattr(exc, "errors", None) or [exc]
    ]


async def mutate(info: Info, work: Callable[[Session], T]) -> tuple[T | None, list[UserError]]:
    """Run ``work`` in its own unit of work: its result, or the errors of its DomainError."""
    try:
        return await info.context.write(work), []
    except DomainError as exc:
        return None, user_errors(exc)


def require_signed_in(actor: Actor) -> None:
    """The API's sign-in guard (the pages' is ``login_redirect``); rules stay in permissions."""
    if not actor.is_authenticated:
        raise PermissionDeniedError(SIGN_IN_MESSAGE, code="unauthenticated")


def input_data(value: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """An input object as the service's ``data`` dict: snake_case keys, domain enumerations,
    fields the client left out omitted (so the service's defaults apply)."""
    data: dict[str, Any] = {}
    for field in dataclasses.fields(value):
        item = getattr(value, field.name)
        if field.name in skip or item is UNSET:
            continue
        if isinstance(item, list):
            item = [domain(v) if isinstance(v, Enum) else v for v in item]
        elif isinstance(item, Enum):
            item = domain(item)
        data[field.name] = item
    return data
