"""Keyset pagination: hot lists never count rows and never use OFFSET.

A cursor is an opaque, URL-safe token holding the sort values of the last row seen.
"""

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed


class InvalidCursor(ValidationFailed):
    code = "pagination.invalid-cursor"


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise InvalidCursor(_("分页游标无效。")) from exc
    if not isinstance(values, list):
        raise InvalidCursor(_("分页游标无效。"))
    return values


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def keyset_page(queryset: QuerySet, *, order: list[str], cursor: str | None, limit: int) -> Page:
    """Return up to ``limit`` rows after ``cursor``, ordered by the fields in ``order``.

    ``order`` is a list of field names, each optionally prefixed with "-"; the last one
    must be unique (usually "id") so the order is total.
    """
    if limit < 1 or limit > 500:
        raise ValidationFailed(_("每页条数须在 1 到 500 之间。"), code="pagination.invalid-limit")
    queryset = queryset.order_by(*order)
    if cursor:
        values = decode_cursor(cursor)
        if len(values) != len(order):
            raise InvalidCursor(_("分页游标无效。"))
        queryset = queryset.filter(_after(order, values))
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([_value(last, field.lstrip("-")) for field in order])
    return Page(items=rows, next_cursor=next_cursor)


def _value(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        obj = getattr(obj, part)
    return obj


def _after(order: list[str], values: list[Any]) -> Q:
    """(a, b, c) > (x, y, z) written as a disjunction that any database can index."""
    condition = Q()
    for index, field in enumerate(order):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        clause = Q(**{f"{name}__{lookup}": values[index]})
        for prev_index in range(index):
            prev = order[prev_index].lstrip("-")
            clause &= Q(**{prev: values[prev_index]})
        condition |= clause
    return condition
