"""Keyset pagination: hot lists never count rows and never use OFFSET.

A cursor is an opaque, URL-safe token holding the sort values of the last row seen,
signed with the site's key and bound to the list's order (docs/decisions/0025): a
cursor that was edited, forged or made for another list is ``InvalidCursor`` (422 in
the API, the first page on pages), and each value is typed by its model field before it
reaches a query, so no cursor can make the database raise.
"""

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed

_SALT = "onewindow.pagination.cursor"


class InvalidCursor(ValidationFailed):
    code = "pagination.invalid-cursor"


def _signer() -> signing.Signer:
    # "." is not in the URL-safe base64 alphabet, so the token needs no escaping.
    return signing.Signer(salt=_SALT, sep=".")


def encode_cursor(values: list[Any], *, key: str = "") -> str:
    """Sign ``values`` (JSON; dates and times as ISO text) for the list named ``key``."""
    raw = json.dumps([key, values], default=str, separators=(",", ":")).encode()
    return _signer().sign(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def decode_cursor(cursor: str, *, key: str = "") -> list[Any]:
    """The values of a cursor this site signed for the list ``key``, or InvalidCursor."""
    try:
        payload = _signer().unsign(cursor)
        padded = payload + "=" * (-len(payload) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidCursor(_("分页游标无效。")) from exc
    if (not isinstance(decoded, list) or len(decoded) != 2 or decoded[0] != key
            or not isinstance(decoded[1], list)):
        raise InvalidCursor(_("分页游标无效。"))
    return decoded[1]


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def keyset_page(queryset: QuerySet, *, order: list[str], cursor: str | None, limit: int) -> Page:
    """Return up to ``limit`` rows after ``cursor``, ordered by the fields in ``order``.

    ``order`` is a list of field names, each optionally prefixed with "-"; the last one
    must be unique (usually "id") so the order is total.
    """
    _check_limit(limit)
    queryset = _after_cursor(queryset.order_by(*order), order, cursor)
    key = _key(queryset, order)
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor([_value(last, field.lstrip("-")) for field in order],
                                    key=key)
    return Page(items=rows, next_cursor=next_cursor)


def keyset_page_of_union(queryset: QuerySet, branches: list[Q], *, order: list[str],
                         cursor: str | None, limit: int) -> Page:
    """``keyset_page`` of the rows of ``queryset`` that match any of ``branches``, read as a
    UNION of one keyset scan per branch.

    One OR over conditions on different columns leaves the planner a poor choice when the
    rows are few and old: walk the sort order's index (the primary key) backwards and
    filter every newer row on the way. Each branch here instead reads at most ``limit + 1``
    keys along its own index (e.g. ``(applicant_person, id)``), so the page costs the same
    whatever the table's size; the cursor goes into every branch. Give each branch the
    index that starts with its condition and ends with ``order``.
    """
    _check_limit(limit)
    keys = [
        _after_cursor(queryset.filter(branch).order_by(*order), order, cursor)
        .values("pk")[: limit + 1]
        for branch in branches
    ]
    if not keys:
        return Page(items=[], next_cursor=None)
    if not connections[queryset.db].features.supports_slicing_ordering_in_compound:
        # SQLite takes no LIMIT inside a UNION's parts, but does inside an IN (…).
        keys = [queryset.model._base_manager.filter(pk__in=part).values("pk") for part in keys]
    union = keys[0].union(*keys[1:]) if len(keys) > 1 else keys[0]
    # The keys are read first, in their own statement: as a subquery of a list that joins
    # many tables, the UNION would be joined last (join_collapse_limit) after a scan of the
    # whole table; a literal list of at most len(branches) × (limit + 1) keys is read by
    # the primary key.
    ids = [row["pk"] for row in union]
    return keyset_page(queryset.filter(pk__in=ids), order=order, cursor=cursor, limit=limit)


def _check_limit(limit: int) -> None:
    if limit < 1 or limit > 500:
        raise ValidationFailed(_("每页条数须在 1 到 500 之间。"), code="pagination.invalid-limit")


def _key(queryset: QuerySet, order: list[str]) -> str:
    return f"{queryset.model._meta.label_lower}:{','.join(order)}"


def _after_cursor(queryset: QuerySet, order: list[str], cursor: str | None) -> QuerySet:
    """``queryset`` narrowed to the rows after ``cursor`` in ``order`` (all without one)."""
    if not cursor:
        return queryset
    values = decode_cursor(cursor, key=_key(queryset, order))
    if len(values) != len(order):
        raise InvalidCursor(_("分页游标无效。"))
    typed = [_typed(queryset, field.lstrip("-"), value)
             for field, value in zip(order, values, strict=True)]
    return queryset.filter(_after(order, typed))


def _typed(queryset: QuerySet, path: str, value: Any) -> Any:
    """``value`` as the Python type of the field (or annotation) ``path`` sorts by."""
    field = _sort_field(queryset, path)
    if value is None:
        if not field.null and path not in queryset.query.annotations:
            raise InvalidCursor(_("分页游标无效。"))
        return None
    if isinstance(value, list | dict):
        raise InvalidCursor(_("分页游标无效。"))
    try:
        return field.to_python(value)
    except (ValidationError, TypeError, ValueError) as exc:
        raise InvalidCursor(_("分页游标无效。")) from exc


def _sort_field(queryset: QuerySet, path: str):
    annotation = queryset.query.annotations.get(path)
    if annotation is not None:
        return annotation.output_field
    model = queryset.model
    parts = path.split("__")
    try:
        for part in parts[:-1]:
            model = model._meta.get_field(part).related_model
        return model._meta.get_field(parts[-1])
    except (FieldDoesNotExist, AttributeError) as exc:
        raise InvalidCursor(_("分页游标无效。")) from exc


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
