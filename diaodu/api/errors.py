"""The API's answers to bad requests, in Chinese and naming the field.

django-ninja checks every parameter and body against its declared type (pydantic) and answers
422 with pydantic's English list. Here each of those becomes ``{"detail": "数据校验未通过：…",
"errors": {"<field>": ["<中文说明>"]}}``, the shape every other 422 of the API already has; a
nested field is named by its path (``agenda[0].title``). A body that is not a JSON object, and a
value out of the database's range, are answered the same way, never with a 500.
"""

from __future__ import annotations

import json

from django.db import DataError
from ninja.errors import HttpError
from ninja.errors import ValidationError as SchemaError
from ninja.parser import Parser

# pydantic error type → what the field should have been
_EXPECTED = {
    "missing": "必填，请提供该项",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数，不能有小数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数部分位数过多",
    "finite_number": "应为有限的数字",
    "string_type": "应为文字",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表（[…]）",
    "tuple_type": "应为列表（[…]）",
    "set_type": "应为列表（[…]）",
    "dict_type": "应为对象（{…}）",
    "model_type": "应为对象（{…}）",
    "model_attributes_type": "应为对象（{…}）",
    "date_parsing": "应为日期（YYYY-MM-DD），且须是真实存在的日期",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD），且须是真实存在的日期",
    "date_from_datetime_inexact": "应为日期，不能带时间",
    "date_type": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间（YYYY-MM-DDTHH:MM:SS）",
    "datetime_from_date_parsing": "应为日期时间（YYYY-MM-DDTHH:MM:SS）",
    "datetime_type": "应为日期时间（YYYY-MM-DDTHH:MM:SS）",
    "time_parsing": "应为时间（HH:MM）",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "too_long": "项数过多",
    "too_short": "项数过少",
    "uuid_parsing": "应为 UUID",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不是可提交的字段",
}


def _where(loc: list | tuple) -> str:
    """("body", "payload", "agenda", 0, "title") → "agenda[0].title"; the source (body, query,
    path, form, file) and a body's parameter name are not part of the field's name."""
    parts = list(loc)
    source = (
        parts.pop(0)
        if parts and parts[0] in ("body", "query", "path", "form", "file", "header", "cookie")
        else ""
    )
    if source == "body" and len(parts) > 1:
        parts.pop(0)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "请求体"


def _says(err: dict) -> str:
    msg = str(err.get("msg") or "")
    if msg and not msg.isascii():  # our own Chinese message (pagination bounds, validators)
        return msg.removeprefix("Value error, ")
    return _EXPECTED.get(str(err.get("type")), "格式不正确") + "。"


def schema_errors(exc: SchemaError) -> dict:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        errors.setdefault(_where(err.get("loc") or ()), []).append(_says(err))
    first, messages = next(iter(errors.items()), ("请求", ["格式不正确。"]))
    shown = messages[0] if messages[0].startswith(first) else f"「{first}」{messages[0]}"
    return {"detail": f"数据校验未通过：{shown}", "errors": errors}


class ObjectParser(Parser):
    """A JSON body is an object ({…}) of named fields: a list, a string or a number as the whole
    body is refused, not read as an empty object."""

    def parse_body(self, request):
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise NotAnObject(type(data).__name__)
        return data


class NotAnObject(ValueError):
    pass


def http_error(exc: HttpError) -> tuple[dict, int]:
    cause = exc.__cause__
    if isinstance(cause, NotAnObject):
        return {"detail": "请求体应为 JSON 对象（{…}），各字段按名称提交。"}, 400
    if isinstance(cause, ValueError) or str(exc).startswith("Cannot parse request body"):
        return {"detail": "请求体不是有效的 JSON（须为 UTF-8 编码的 JSON 对象）。"}, 400
    return {"detail": str(exc)}, exc.status_code


OUT_OF_RANGE = (
    "提交的数值或文字超出了允许的范围（数字过大、文字过长或日期越界），本次提交未作任何修改。"
)
RANGE_ERRORS = (DataError, OverflowError)
