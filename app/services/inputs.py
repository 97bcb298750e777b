"""Validate input models and turn pydantic's errors into Chinese field errors."""

from collections.abc import Mapping
from typing import Any, TypeVar

import pydantic

from app.errors import DomainError, ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)


class InputErrors(ValidationError):
    """Several fields are wrong at once; ``errors`` holds one ValidationError per field."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, code=errors[0].code, field=errors[0].field)
        self.errors = errors


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate ``data`` into ``model`` or raise InputErrors with a Chinese message per field."""
    try:
        return model.model_validate(dict(data))
    except pydantic.ValidationError as exc:
        raise InputErrors([_field_error(model, err) for err in exc.errors()]) from None


def _field_error(model: type[pydantic.BaseModel], err: Any) -> ValidationError:
    field = str(err["loc"][0]) if err["loc"] else None
    info = model.model_fields.get(field) if field else None
    label = (info.title if info and info.title else field) or "输入"
    ctx = err.get("ctx") or {}
    kind = err["type"]
    messages = {
        "missing": f"请填写{label}",
        "string_too_short": f"{label}不能为空"
        if ctx.get("min_length") == 1
        else f"{label}至少 {ctx.get('min_length')} 个字符",
        "string_too_long": f"{label}不能超过 {ctx.get('max_length')} 个字符",
        "too_short": f"请至少选择一项{label}"
        if ctx.get("min_length") == 1
        else f"{label}至少 {ctx.get('min_length')} 项",
        "int_parsing": f"{label}应为整数",
        "int_type": f"{label}应为整数",
        "int_from_float": f"{label}应为整数",
        "greater_than_equal": f"{label}不能小于 {ctx.get('ge')}",
        "greater_than": f"{label}应大于 {ctx.get('gt')}",
        "less_than_equal": f"{label}不能大于 {ctx.get('le')}",
        "less_than": f"{label}应小于 {ctx.get('lt')}",
        "date_parsing": f"{label}应为日期，如 2026-11-29",
        "date_from_datetime_parsing": f"{label}应为日期，如 2026-11-29",
        "date_type": f"{label}应为日期，如 2026-11-29",
        "enum": f"{label}的取值无效",
        "literal_error": f"{label}的取值无效",
        "bool_parsing": f"{label}应为“是”或“否”",
    }
    if kind == "value_error":
        message = str(ctx.get("error") or err["msg"]).removeprefix("Value error, ")
    else:
        message = messages.get(kind, f"{label}格式不正确")
    return ValidationError(message, code=kind, field=field)
