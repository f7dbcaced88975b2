"""The catalog admin's form editor pages (ADR 0031): a draft is opened before anything
changes, every button saves the whole form into the draft, problems are shown next to
the boxes with nothing written, the preview draws the portal's own fields, a form is
copied from another item, and another department's admin sees nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onewindow.catalog import services
from onewindow.catalog.codes import VersionStatus
from onewindow.catalog.demo_forms import FOOD_NEW
from onewindow.catalog.models import ImplementationVersion
from onewindow.catalog.tests.factories import make_item
from onewindow.identity.models import Role
from onewindow.identity.tests.factories import OrganisationFactory, StaffFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now() - dt.timedelta(minutes=5)


@pytest.fixture
def tree():
    city = OrganisationFactory(kind="GOVERNMENT", credit_code=None, name="测试市人民政府")
    dept_a = OrganisationFactory(parent=city, name="甲局")
    dept_b = OrganisationFactory(parent=city, name="乙局")
    admin_a = StaffFactory(organisation=dept_a)
    admin_b = StaffFactory(organisation=dept_b)
    grant(admin_a, Role.CATALOG_ADMIN, dept_a)
    grant(admin_b, Role.CATALOG_ADMIN, dept_b)
    return {"dept_a": dept_a, "dept_b": dept_b, "admin_a": admin_a, "admin_b": admin_b}


@pytest.fixture
def food(tree, now):
    """An item published with the demo 食品经营许可 form (version 2)."""
    item = make_item(organisation=tree["dept_a"], now=now, name="食品经营许可（新办）")
    draft = services.item_draft_open(actor=None, implementation=item, now=now)
    services.version_form_set(actor=None, version=draft, form=FOOD_NEW, now=now)
    services.item_publish(actor=None, implementation=item, reason="一表申请", now=now)
    item.refresh_from_db()
    return item


def text(response) -> str:
    return response.content.decode()


def url(name, item, *args):
    return reverse(f"web:{name}", args=[item.code, *args])


def draft_of(item):
    return ImplementationVersion.objects.filter(implementation=item,
                                                status=VersionStatus.DRAFT).first()


def open_draft(client, item):
    response = client.post(url("catalog-form", item), {"op": "open"})
    assert response.status_code == 302
    return draft_of(item)


def test_the_published_form_is_shown_read_only_until_a_draft_is_opened(client, tree, food):
    client.force_login(tree["admin_a"])
    body = text(client.get(url("catalog-form", food)))
    assert "经营者名称" in body and "从业人员" in body and "健康证明编号" in body
    assert "新建草稿版本以修改表单" in body
    assert 'value="field_up"' not in body  # no buttons on a published form
    assert client.get(url("catalog-form-field-new", food)).status_code == 302
    draft = open_draft(client, food)
    assert draft.number == 3 and draft.form == FOOD_NEW
    body = text(client.get(url("catalog-form", food)))
    assert 'value="field_up"' in body and "添加字段" in body


def test_a_field_is_added_to_a_page_and_moved_up(client, tree, food):
    client.force_login(tree["admin_a"])
    open_draft(client, food)
    response = client.post(url("catalog-form-field-new", food), {
        "place": "page:premises", "key": "premises_owner", "label": "场所产权人",
        "type": "text", "required": "on", "max_length": "100"})
    assert response.status_code == 302
    assert response["Location"].endswith("#field-premises_owner")
    fields = draft_of(food).form["pages"][1]["fields"]
    assert fields[-1] == {"key": "premises_owner", "label": "场所产权人", "type": "text",
                          "required": True, "max_length": 100}
    client.post(url("catalog-form", food), {"op": "field_up", "target": "premises_owner"})
    keys = [f["key"] for f in draft_of(food).form["pages"][1]["fields"]]
    assert keys[-2:] == ["premises_owner", "storage_address"]
    # The published version is untouched.
    assert food.current_version.form == FOOD_NEW


def test_a_bad_field_is_refused_next_to_its_box_and_nothing_is_written(client, tree, food):
    client.force_login(tree["admin_a"])
    draft = open_draft(client, food)
    response = client.post(url("catalog-form-field-new", food), {
        "place": "page:premises", "key": "operator_name", "label": "重复",
        "type": "number", "min": "十"})
    assert response.status_code == 422
    body = text(response)
    assert "字段标识“operator_name”重复。" in body and "应为数字。" in body
    assert 'value="十"' in body  # the input is kept
    assert draft_of(food).form == draft.form


def test_removing_a_field_a_condition_reads_is_refused_in_words(client, tree, food):
    client.force_login(tree["admin_a"])
    draft = open_draft(client, food)
    response = client.post(url("catalog-form", food),
                           {"op": "field_remove", "target": "online_sales"})
    assert response.status_code == 422
    assert "第 3 页“主体业态和经营项目”的“网络经营平台或网址”" in text(response)
    assert draft_of(food).form == draft.form


def test_a_page_a_group_member_and_a_rule_are_added_and_removed(client, tree, food):
    client.force_login(tree["admin_a"])
    open_draft(client, food)
    assert client.post(url("catalog-form-page", food), {
        "key": "extra", "title": "其他情况", "show_if": "online_sales == True"}
    ).status_code == 302
    assert draft_of(food).form["pages"][-1] == {"key": "extra", "title": "其他情况",
                                                "show_if": "online_sales == True",
                                                "fields": []}
    assert client.post(url("catalog-form-field-new", food), {
        "place": "group:staff", "key": "staff_phone", "label": "电话", "type": "phone"}
    ).status_code == 302
    staff = draft_of(food).form["pages"][4]["fields"][-1]
    assert staff["key"] == "staff" and staff["fields"][-1]["key"] == "staff_phone"
    assert client.post(url("catalog-form-rule", food), {
        "key": "area_positive", "expression": "premises_area > 5", "message": "面积太小。",
        "applies_to": "premises_area"}).status_code == 302
    assert draft_of(food).form["rules"][-1]["fields"] == ["premises_area"]
    client.post(url("catalog-form", food), {"op": "rule_remove", "target": "area_positive"})
    client.post(url("catalog-form", food), {"op": "page_remove", "target": "extra"})
    form = draft_of(food).form
    assert [r["key"] for r in form["rules"]] == ["kitchen_to_dining"]
    assert [p["key"] for p in form["pages"]][-1] == "people"


def test_editing_a_field_keeps_what_the_boxes_do_not_show(client, tree, food):
    client.force_login(tree["admin_a"])
    open_draft(client, food)
    page = text(client.get(url("catalog-form-field", food, "staff")))
    assert 'value="从业人员"' in page
    response = client.post(url("catalog-form-field", food, "staff"), {
        "key": "staff", "label": "从业人员名单", "type": "group", "required": "on",
        "min_items": "1", "max_items": "60"})
    assert response.status_code == 302
    staff = draft_of(food).form["pages"][4]["fields"][-1]
    assert staff["label"] == "从业人员名单" and staff["max_items"] == 60
    assert len(staff["fields"]) == 4 and staff["fields"][0]["key"] == "staff_name"  # kept


def test_the_preview_draws_the_portal_fields_page_by_page(client, tree, food):
    client.force_login(tree["admin_a"])
    body = text(client.get(url("catalog-form-preview", food)))
    assert "第 1 页，共 5 页" in body and "经营者名称" in body
    assert "来自单位登记信息" in body  # where the value would come from
    body = text(client.get(url("catalog-form-preview", food) + "?page=4"))
    assert "餐饮服务场所" in body and "operator_type" in body  # its condition is shown
    assert 'name="a-seats"' in body
    # A page number that is no ASCII number shows the first page, never a 500.
    for odd in ("²", "9" * 5000, "0", "99"):
        response = client.get(url("catalog-form-preview", food), {"page": odd})
        assert response.status_code == 200
        assert "第 1 页，共 5 页" in text(response)


def test_a_form_is_copied_from_another_departments_published_item(client, tree, food, now):
    target = make_item(organisation=tree["dept_b"], now=now, name="食品经营许可（分局）")
    client.force_login(tree["admin_b"])
    open_draft(client, target)
    body = text(client.get(url("catalog-form-copy", target) + "?q=食品经营"))
    table = body.split("<table", 1)[1].split("</table>", 1)[0]
    assert food.code in table and target.code not in table  # its own item is not a source
    response = client.post(url("catalog-form-copy", target), {"source": food.code})
    assert response.status_code == 302
    assert draft_of(target).form == FOOD_NEW
    response = client.post(url("catalog-form-copy", target), {"source": "1" * 31})
    assert response.status_code == 422
    assert "没有找到这个已发布的事项。" in text(response)


def test_another_departments_admin_cannot_open_the_editor(client, tree, food):
    client.force_login(tree["admin_b"])
    assert client.get(url("catalog-form", food)).status_code == 404
    assert client.post(url("catalog-form", food), {"op": "open"}).status_code == 404
    assert draft_of(food) is None
    assert client.get(url("catalog-form-preview", food)).status_code == 404


def test_a_change_built_on_an_older_draft_is_a_conflict(client, tree, food):
    client.force_login(tree["admin_a"])
    draft = open_draft(client, food)
    seen = draft.content_hash
    assert client.post(url("catalog-form", food), {
        "op": "field_down", "target": "operator_name", "base": seen}).status_code == 302
    moved = draft_of(food).form
    response = client.post(url("catalog-form", food), {
        "op": "field_remove", "target": "credit_code", "base": seen})
    assert response.status_code == 409
    assert "草稿已被他人修改" in text(response)
    assert draft_of(food).form == moved
