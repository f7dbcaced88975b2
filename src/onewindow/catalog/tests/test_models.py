"""Database constraints: the invariants hold even for writes that bypass the services."""

import pytest
from django.db import IntegrityError, transaction

from onewindow.catalog.codes import VersionStatus
from onewindow.catalog.models import Implementation, ImplementationVersion, Material

from .factories import make_item

pytestmark = pytest.mark.django_db


def violates(func) -> bool:
    try:
        with transaction.atomic():
            func()
    except IntegrityError:
        return True
    return False


def draft_of(item) -> ImplementationVersion:
    return ImplementationVersion.objects.filter(implementation=item,
                                                status=VersionStatus.DRAFT).first()


def test_promised_limit_within_legal_limit_when_units_match(now):
    item = make_item(now=now, publish=False)
    drafts = ImplementationVersion.objects.filter(pk=draft_of(item).pk)
    assert violates(lambda: drafts.update(promised_limit_amount=21))
    assert not violates(lambda: drafts.update(promised_limit_amount=20))
    # Different units are compared by the services, not the database.
    assert not violates(lambda: drafts.update(promised_limit_amount=25,
                                              promised_limit_unit="NATURAL_DAY"))


def test_a_limit_has_a_unit_and_no_unit_without_a_limit(now):
    item = make_item(now=now, publish=False)
    drafts = ImplementationVersion.objects.filter(pk=draft_of(item).pk)
    assert violates(lambda: drafts.update(legal_limit_unit=""))
    assert violates(lambda: drafts.update(promised_limit_amount=None))
    assert not violates(lambda: drafts.update(promised_limit_amount=None, promised_limit_unit=""))


def test_one_published_and_one_draft_version_per_item(now):
    item = make_item(now=now)
    current = ImplementationVersion.objects.get(pk=item.current_version_id)

    def second(status):
        return lambda: ImplementationVersion.objects.create(
            implementation=item, number=9, status=status, valid_from=now, published_at=now,
            name="x", content_hash="0" * 64, created_at=now)

    assert violates(second(VersionStatus.PUBLISHED))
    assert not violates(second(VersionStatus.DRAFT))
    assert violates(lambda: ImplementationVersion.objects.create(
        implementation=item, number=10, status=VersionStatus.DRAFT, name="y",
        content_hash="0" * 64, created_at=now))
    assert violates(lambda: ImplementationVersion.objects.create(
        implementation=item, number=current.number, name="z", content_hash="0" * 64,
        created_at=now))


def test_published_versions_have_validity(now):
    item = make_item(now=now, publish=False)
    drafts = ImplementationVersion.objects.filter(pk=draft_of(item).pk)
    assert violates(lambda: drafts.update(status=VersionStatus.PUBLISHED))


def test_materials_and_negative_list(now):
    item = make_item(now=now, publish=False)
    draft = draft_of(item)
    assert violates(lambda: Material.objects.create(version=draft, position=3, name="x",
                                                    requirement="CONDITIONAL"))
    assert violates(lambda: Material.objects.create(version=draft, position=3, name="x",
                                                    original_count=0, copy_count=0))
    assert violates(lambda: Material.objects.create(version=draft, position=1, name="dup"))
    assert violates(lambda: Implementation.objects.filter(pk=item.pk).update(in_hall=False))
    assert violates(lambda: Implementation.objects.filter(pk=item.pk).update(level="7"))
