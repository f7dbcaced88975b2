"""access_implementation and access_version: an item outside the admin's subtree, a missing
one and a malformed code all look the same, to the selector and on the admin pages (404)."""

import pytest
from django.test import Client

from onewindow.catalog import selectors
from onewindow.catalog.errors import ItemNotFound, VersionNotFound

from .factories import make_item

pytestmark = pytest.mark.django_db


def test_a_foreign_a_missing_and_a_malformed_item_raise_the_same_error(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    assert selectors.access_implementation(actor=tree["admin_a"], code=item.code) == item
    missing = item.code[:-1] + ("1" if item.code[-1] != "1" else "2")
    seen = set()
    for actor, code in ((tree["admin_b"], item.code), (tree["admin_a"], missing),
                        (tree["admin_a"], "not a code")):
        with pytest.raises(ItemNotFound) as caught:
            selectors.access_implementation(actor=actor, code=code)
        seen.add((caught.value.code, caught.value.message))
    assert seen == {("catalog.item-not-found", "没有找到该事项。")}


def test_a_version_is_reached_through_its_item(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    version = selectors.access_version(actor=tree["admin_a"], code=item.code, number=1)
    assert (version.implementation, version.number) == (item, 1)
    with pytest.raises(ItemNotFound):
        selectors.access_version(actor=tree["admin_b"], code=item.code, number=1)
    with pytest.raises(VersionNotFound) as caught:
        selectors.access_version(actor=tree["admin_a"], code=item.code, number=9)
    assert caught.value.http_status == 404


def test_admin_pages_of_a_foreign_item_are_missing(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    outsider, owner = Client(), Client()
    outsider.force_login(tree["admin_b"])
    owner.force_login(tree["admin_a"])
    for path in (f"/staff/catalog/{item.code}/", f"/staff/catalog/{item.code}/edit/",
                 f"/staff/catalog/{item.code}/versions/1/",
                 f"/staff/catalog/{item.code}/versions/1/route/"):
        assert owner.get(path).status_code == 200, path
        assert outsider.get(path).status_code == 404, path
    posted = outsider.post(f"/staff/catalog/{item.code}/suspend/", {"suspend-reason": "越权"})
    assert posted.status_code == 404
    item.refresh_from_db()
    assert item.status == "ACTIVE"
