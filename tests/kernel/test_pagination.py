"""Paging cursors are signed by the site, bound to their list and typed by the sort
fields, so a crafted one is InvalidCursor (422), never a database error (issue 11,
finding 3)."""

import base64
import json

import pytest

from onewindow.common.pagination import InvalidCursor, decode_cursor, encode_cursor, keyset_page
from onewindow.identity.models import Account
from onewindow.identity.tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db

ORDER = ["-date_joined", "-id"]
KEY = "identity.account:-date_joined,-id"


def _unsigned(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def test_pages_walk_every_row_once_with_signed_cursors():
    accounts = CitizenFactory.create_batch(5)
    seen, cursor = [], None
    while True:
        page = keyset_page(Account.objects.all(), order=ORDER, cursor=cursor, limit=2)
        seen += [a.pk for a in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
        assert "." in cursor and decode_cursor(cursor, key=KEY)
    assert sorted(seen) == sorted(a.pk for a in accounts)


@pytest.mark.parametrize("cursor", [
    "WyJ4IiwieSJd",                       # ["x","y"], the hostile tester's cursor
    _unsigned(["2026-01-01 00:00:00+00:00", 1]),  # well typed, but not signed by us
    "%%%", "", "a.b",
])
def test_an_unsigned_or_broken_cursor_is_invalid(cursor):
    CitizenFactory()
    with pytest.raises(InvalidCursor) as exc:
        keyset_page(Account.objects.all(), order=ORDER, cursor=cursor or "x", limit=2)
    assert exc.value.code == "pagination.invalid-cursor" and exc.value.http_status == 422


def test_a_signed_cursor_with_values_of_the_wrong_type_is_invalid():
    for values in (["x", "y"], [None, 1], [["nested"], 1], ["2026-01-01T00:00:00+00:00"]):
        with pytest.raises(InvalidCursor):
            keyset_page(Account.objects.all(), order=ORDER,
                        cursor=encode_cursor(values, key=KEY), limit=2)


def test_a_cursor_of_another_list_is_invalid():
    CitizenFactory.create_batch(3)
    other = keyset_page(Account.objects.all(), order=["date_joined", "id"], cursor=None,
                        limit=1).next_cursor
    with pytest.raises(InvalidCursor):
        keyset_page(Account.objects.all(), order=ORDER, cursor=other, limit=1)


def test_a_tampered_cursor_is_invalid():
    CitizenFactory.create_batch(3)
    cursor = keyset_page(Account.objects.all(), order=ORDER, cursor=None, limit=1).next_cursor
    signature = cursor.split(".")[1]
    forged = _unsigned([KEY, ["2000-01-01 00:00:00+00:00", 1]])
    with pytest.raises(InvalidCursor):
        keyset_page(Account.objects.all(), order=ORDER, cursor=f"{forged}.{signature}",
                    limit=1)
