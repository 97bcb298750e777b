"""What every mutation shares: its payload type ``{ <object>, errors }``, running the service in a
unit of work of its own, and files sent as base64 text.

A mutation reads as: parse the input, call one service, return the payload::

    return await respond(info, VillageNeedPayload, lambda s, actor: villages.set_need_status(...))

Two shapes recur and are built by factories: ``data_mutation`` (the input is the service's
``data``) and ``step_mutation`` (a transition at the version the client saw). Global ids are parsed
inside the unit of work, so a malformed id is a payload error too.
"""

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, Any, Optional

import strawberry

from app.actors import Actor
from app.errors import ValidationError
from app.schema.context import Info
from app.schema.errors import UserError, input_data, mutate
from app.schema.node import parse_id


class Input:
    """``Input[SomeInput]``: a mutation's ``input`` argument, described."""

    def __class_getitem__(cls, item: Any) -> Any:
        return Annotated[item, strawberry.argument(description="输入")]


ERRORS_DESCRIPTION = "业务错误；成功时为空列表（版本号不符等并发冲突的代码为 stale_version）"


def payload_type(name: str, field: str, of: Any, *, description: str, label: str) -> Any:
    """A payload type ``name { <field>: of, errors: [UserError!]! }``."""
    namespace = {
        "__annotations__": {field: Optional[of], "errors": list[UserError]},  # noqa: UP045
        field: strawberry.field(description=f"{label}；出错时为空"),
        "errors": strawberry.field(description=ERRORS_DESCRIPTION),
    }
    payload = strawberry.type(type(name, (), namespace), description=description)
    payload.object_field = field
    return payload


async def respond(info: Info, payload: Any, work: Callable[[Any, Actor], Any]) -> Any:
    """Run ``work(session, actor)`` in its own unit of work and wrap its result (or errors)."""
    actor = info.context.actor
    result, errors = await mutate(info, lambda session: work(session, actor))
    return payload(**{payload.object_field: result, "errors": errors})


def data_mutation(
    service: Callable,
    payload: Any,
    input_type: type,
    description: str,
    *,
    key: str | None = None,
    node: str = "",
    versioned: bool = False,
) -> Any:
    """A mutation that hands its input to ``service`` as ``data``: the fields the client gave,
    snake_case, with domain enumerations. ``key`` names an id field of the input that the service
    takes as an argument of its own, the global id of a ``node``; an edit of an existing object is
    ``versioned``: its input's ``expectedVersion`` goes to the service as ``expected_version``."""

    async def resolver(info: Info, input: Input[input_type]) -> payload:
        skip = ((key,) if key else ()) + (("expected_version",) if versioned else ())
        data = input_data(input, skip=skip)

        def work(session, actor):
            ids = {key: parse_id(getattr(input, key), node, field=key)} if key else {}
            if versioned:
                ids["expected_version"] = input.expected_version
            return service(session=session, actor=actor, data=data, **ids)

        return await respond(info, payload, work)

    return strawberry.mutation(resolver=resolver, description=description)


def step_mutation(
    service: Callable,
    payload: Any,
    input_type: type,
    description: str,
    *,
    key: str,
    node: str,
    **fields: str,
) -> Any:
    """A step taken on one object at the version the client saw (``expectedVersion``):
    ``service(<key>=…, expected_version=…)``, plus the service's arguments named in ``fields``
    (argument name → input field)."""

    async def resolver(info: Info, input: Input[input_type]) -> payload:
        extra = {name: getattr(input, field) for name, field in fields.items()}

        def work(session, actor):
            return service(
                session=session,
                actor=actor,
                expected_version=input.expected_version,
                **{key: parse_id(getattr(input, key), node, field=key)},
                **extra,
            )

        return await respond(info, payload, work)

    return strawberry.mutation(resolver=resolver, description=description)


def decode_file(text: str, *, field: str, max_bytes: int) -> bytes:
    """The bytes of a file sent as base64 text; the service checks its type and size.

    Text far longer than the largest file the service accepts is refused before decoding.
    """
    if len(text) > (max_bytes // 3 + 2) * 4 + 64:
        megabytes = max_bytes // (1024 * 1024)
        raise ValidationError(f"文件不能超过 {megabytes} MB", code="file_too_large", field=field)
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            "文件内容应为 base64 编码的文本", code="base64_invalid", field=field
        ) from None
