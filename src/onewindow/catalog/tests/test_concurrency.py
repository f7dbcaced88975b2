"""Two admins acting on the same item at the same moment, each holding the item as their
page resolved it: the services lock the row and act on what they read under the lock."""

import pytest

from onewindow.catalog import selectors, services
from onewindow.catalog.codes import ImplementationStatus, VersionStatus
from onewindow.catalog.errors import InvalidTransition, NoDraft
from onewindow.catalog.models import ImplementationAction, ImplementationVersion
from onewindow.testing import race

from .factories import make_item

pytestmark = pytest.mark.django_db(transaction=True)


def test_publishing_one_draft_twice_at_once_publishes_it_once(postgres_only, tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    services.item_draft_update(actor=tree["admin_a"], implementation=item,
                               changes={"promised_limit_amount": 3}, now=now)
    pages = [selectors.access_implementation(actor=admin, code=item.code)
             for admin in (tree["admin_a"], tree["city_admin"])]
    results = race([
        lambda page=page, admin=admin: services.item_publish(
            actor=admin, implementation=page, reason="压缩时限", now=now)
        for page, admin in zip(pages, (tree["admin_a"], tree["city_admin"]), strict=True)
    ])
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    [error] = [value for kind, value in results if kind == "error"]
    assert isinstance(error, NoDraft) and error.code == "catalog.no-draft"
    statuses = sorted(ImplementationVersion.objects.filter(implementation=item)
                      .values_list("number", "status"))
    assert statuses == [(1, VersionStatus.SUPERSEDED), (2, VersionStatus.PUBLISHED)]
    assert list(ImplementationAction.objects.filter(implementation=item).order_by("id")
                .values_list("operation", flat=True)) == ["CREATE", "CHANGE"]


def test_cancelling_one_item_twice_at_once_cancels_it_once(postgres_only, tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    page = selectors.access_implementation(actor=tree["admin_a"], code=item.code)
    results = race([
        lambda: services.item_cancel(actor=tree["admin_a"], implementation=page,
                                     reason="事项取消", now=now),
        lambda: services.item_cancel(actor=tree["city_admin"], implementation=page,
                                     reason="重复取消", now=now),
    ])
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    [error] = [value for kind, value in results if kind == "error"]
    assert isinstance(error, InvalidTransition)
    assert error.details["status"] == ImplementationStatus.CANCELLED
    assert ImplementationAction.objects.filter(implementation=item,
                                               operation="CANCEL").count() == 1
