"""The catalog admin's writes of a form (ADR 0031): only into a DRAFT, checked, audited,
hashed with the version, and copied from another item's published version."""

import copy

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.catalog import services
from onewindow.catalog.codes import VersionStatus
from onewindow.catalog.demo_forms import FOOD_NEW
from onewindow.catalog.errors import (
    FormInvalid,
    ItemConflict,
    ItemNotFound,
    NoChanges,
    VersionImmutable,
)
from onewindow.catalog.models import ImplementationVersion

from .factories import make_item

pytestmark = pytest.mark.django_db

SMALL = {"schema": 1, "pages": [{"key": "about", "title": "基本情况", "fields": [
    {"key": "shop_name", "type": "text", "label": "店名", "required": True}]}]}


def _draft(item, admin, now):
    return services.item_draft_open(actor=admin, implementation=item, now=now)


def test_opening_a_draft_copies_the_published_version_with_the_next_number(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    draft = _draft(item, tree["admin_a"], now)
    current = ImplementationVersion.objects.get(pk=item.current_version_id)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert draft.content_hash == current.content_hash
    assert draft.materials.count() == current.materials.count()
    assert _draft(item, tree["admin_a"], now).pk == draft.pk  # the open draft, not another
    assert AuditEvent.objects.filter(action="catalog.item.draft_opened").count() == 1
    # Unchanged, it cannot be published.
    with pytest.raises(NoChanges):
        services.item_publish(actor=tree["admin_a"], implementation=item, reason="无改动",
                              now=now)


def test_the_form_is_saved_into_the_draft_audited_and_hashed(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    draft = _draft(item, tree["admin_a"], now)
    old_hash = draft.content_hash
    saved = services.version_form_set(actor=tree["admin_a"], version=draft, form=SMALL, now=now)
    stored = ImplementationVersion.objects.get(pk=draft.pk)
    assert stored.form == SMALL
    assert stored.content_hash == saved.content_hash != old_hash
    audit = AuditEvent.objects.get(action="catalog.item.form_saved")
    assert audit.subject_id == item.code
    assert audit.after["fields"] == ["shop_name"] and audit.before["fields"] == []
    # The same form again writes nothing.
    services.version_form_set(actor=tree["admin_a"], version=draft, form=SMALL, now=now)
    assert AuditEvent.objects.filter(action="catalog.item.form_saved").count() == 1
    published = services.item_publish(actor=tree["admin_a"], implementation=item,
                                      reason="一表申请", now=now)
    assert published.form == SMALL


def test_a_published_version_cannot_take_a_form(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    current = ImplementationVersion.objects.get(pk=item.current_version_id)
    current.implementation = item
    with pytest.raises(VersionImmutable):
        services.version_form_set(actor=tree["admin_a"], version=current, form=SMALL, now=now)
    assert ImplementationVersion.objects.get(pk=current.pk).form == {}
    assert not AuditEvent.objects.filter(action="catalog.item.form_saved").exists()


def test_a_bad_form_is_refused_naming_each_place_and_nothing_is_written(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    draft = _draft(item, tree["admin_a"], now)
    bad = copy.deepcopy(FOOD_NEW)
    bad["pages"][0]["fields"][1]["key"] = "operator_name"  # a duplicate key
    bad["pages"][1]["fields"][0]["show_if"] = "nobody_knows =="  # does not parse
    bad["pages"][2]["fields"][0]["code_table"] = "no_such_table"
    with pytest.raises(FormInvalid) as caught:
        services.version_form_set(actor=tree["admin_a"], version=draft, form=bad, now=now)
    details = caught.value.details
    assert caught.value.code == "catalog.form-invalid"
    assert "form.pages.0.fields.1.key" in details
    assert "form.pages.1.fields.0.show_if" in details
    assert any(key.endswith("code_table") for key in details)
    assert ImplementationVersion.objects.get(pk=draft.pk).form == {}


def test_a_draft_may_hold_an_empty_page_but_publication_refuses_it(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    draft = _draft(item, tree["admin_a"], now)
    form = copy.deepcopy(SMALL)
    form["pages"].append({"key": "later", "title": "稍后填写", "fields": []})
    services.version_form_set(actor=tree["admin_a"], version=draft, form=form, now=now)
    with pytest.raises(FormInvalid) as caught:
        services.item_publish(actor=tree["admin_a"], implementation=item, reason="一表申请",
                              now=now)
    assert "form.pages.1.fields" in caught.value.details


def test_a_form_without_pages_is_removed(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    draft = _draft(item, tree["admin_a"], now)
    services.version_form_set(actor=tree["admin_a"], version=draft, form=SMALL, now=now)
    services.version_form_set(actor=tree["admin_a"], version=draft,
                              form={"schema": 1, "pages": []}, now=now)
    assert ImplementationVersion.objects.get(pk=draft.pk).form == {}


def test_only_an_admin_of_the_item_may_set_its_form(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    draft = _draft(item, tree["admin_a"], now)
    with pytest.raises(ItemNotFound):
        services.version_form_set(actor=tree["admin_b"], version=draft, form=SMALL, now=now)
    assert ImplementationVersion.objects.get(pk=draft.pk).form == {}


def test_a_form_is_copied_from_another_items_published_version(tree, now):
    source_item = make_item(organisation=tree["dept_b"], now=now)
    source_draft = _draft(source_item, tree["admin_b"], now)
    services.version_form_set(actor=tree["admin_b"], version=source_draft,
                              form=FOOD_NEW, now=now)
    source = services.item_publish(actor=tree["admin_b"], implementation=source_item,
                                   reason="一表申请", now=now)
    item = make_item(organisation=tree["dept_a"], now=now)
    draft = _draft(item, tree["admin_a"], now)
    # admin_a cannot edit dept_b's item, but may read its published form (its guide).
    copied = services.version_form_copy(actor=tree["admin_a"], version=draft, source=source,
                                        now=now)
    assert copied.form == FOOD_NEW
    audit = AuditEvent.objects.get(action="catalog.item.form_copied")
    assert audit.after["source"] == source_item.code
    assert audit.after["source_version"] == source.number


def test_a_draft_or_a_version_without_a_form_is_not_a_source(tree, now):
    plain = make_item(organisation=tree["dept_b"], now=now)
    plain_current = ImplementationVersion.objects.get(pk=plain.current_version_id)
    unpublished = _draft(make_item(organisation=tree["dept_b"], now=now), tree["admin_b"], now)
    item = make_item(organisation=tree["dept_a"], now=now)
    draft = _draft(item, tree["admin_a"], now)
    with pytest.raises(FormInvalid) as caught:
        services.version_form_copy(actor=tree["admin_a"], version=draft,
                                   source=plain_current, now=now)
    assert "source" in caught.value.details
    with pytest.raises(ItemNotFound):
        services.version_form_copy(actor=tree["admin_a"], version=draft, source=unpublished,
                                   now=now)
    assert ImplementationVersion.objects.get(pk=draft.pk).form == {}


def test_a_form_built_on_an_older_draft_is_refused_and_the_newer_one_kept(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    draft = _draft(item, tree["admin_a"], now)
    seen = draft.content_hash
    services.version_form_set(actor=tree["admin_a"], version=draft, form=SMALL, now=now,
                              base_hash=seen)
    other = copy.deepcopy(SMALL)
    other["pages"][0]["title"] = "另一个人的标题"
    with pytest.raises(ItemConflict) as caught:
        services.version_form_set(actor=tree["city_admin"], version=draft, form=other,
                                  now=now, base_hash=seen)
    assert caught.value.http_status == 409
    assert ImplementationVersion.objects.get(pk=draft.pk).form == SMALL
