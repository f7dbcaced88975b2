"""Public and staff reads: filters, pagination, scope, facets and query counts."""

import pytest

from onewindow.catalog import selectors, services
from onewindow.catalog.errors import InvalidFilter, ItemNotFound, VersionNotFound
from onewindow.common.pagination import InvalidCursor
from onewindow.identity.tests.factories import OrganisationFactory

from .factories import CatalogEntryFactory, ThemeFactory, make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(tree, now):
    theme = ThemeFactory(name="生小孩")
    permit = CatalogEntryFactory(item_type="01")
    service = CatalogEntryFactory(item_type="20")
    items = {
        "a1": make_item(organisation=tree["dept_a"], entry=permit, now=now, name="甲许可",
                        themes=[theme.name]),
        "a2": make_item(organisation=tree["dept_a"], entry=service, now=now, name="甲服务",
                        service_objects=["3"]),
        "b1": make_item(organisation=tree["dept_b"], entry=permit, now=now, name="乙许可",
                        level="4"),
        "draft": make_item(organisation=tree["dept_b"], entry=service, now=now, name="乙草稿",
                           publish=False),
    }
    return {"theme": theme, "items": items, **tree}


def codes(**filters) -> set[str]:
    return {i.code for i in selectors.implementation_list(filters=filters, limit=100).items}


def test_filters(catalog):
    items = catalog["items"]
    assert codes() == {items[k].code for k in ("a1", "a2", "b1")}  # drafts are not public
    assert codes(org=str(catalog["dept_a"].pk)) == {items["a1"].code, items["a2"].code}
    assert codes(org=str(catalog["city"].pk)) == codes()  # the whole subtree
    assert codes(type="20") == {items["a2"].code}
    assert codes(level="4") == {items["b1"].code}
    assert codes(theme=str(catalog["theme"].pk)) == {items["a1"].code}
    assert codes(service_object="3") == {items["a2"].code}
    assert codes(service_object="1") == {items["a1"].code, items["b1"].code}
    assert codes(q="许可", org=str(catalog["dept_b"].pk)) == {items["b1"].code}


@pytest.mark.parametrize(
    ("raw", "field", "fragment"),
    [
        ({"org": "abc"}, "org", "正整数"),
        ({"org": "999999"}, "org", "没有编号为 999999 的机构"),
        ({"type": "99"}, "type", "事项类型代码“99”无效"),
        ({"level": "9"}, "level", "1–6"),
        ({"theme": "x"}, "theme", "正整数"),
        ({"service_object": "自然人"}, "service_object", "服务对象代码无效"),
        ({"q": "长" * 101}, "q", "不能超过"),
        ({"status": "ACTIVE"}, "status", "不支持"),
        ({"colour": "red"}, "colour", "不支持的筛选条件"),
    ],
)
def test_bad_filters_are_refused_with_a_message_per_field(raw, field, fragment):
    with pytest.raises(InvalidFilter) as exc:
        selectors.parse_filters(raw)
    assert exc.value.code == "catalog.invalid-filter" and exc.value.http_status == 422
    assert fragment in exc.value.details[field]


def test_keyset_pagination_walks_every_item_once(tree, now):
    entry = CatalogEntryFactory()
    for _ in range(7):
        make_item(organisation=OrganisationFactory(parent=tree["city"]), entry=entry, now=now)
    seen, cursor = [], None
    while True:
        page = selectors.implementation_list(cursor=cursor, limit=3)
        seen += [i.code for i in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 7 and seen == sorted(seen)
    with pytest.raises(InvalidCursor):
        selectors.implementation_list(cursor="not-a-cursor")
    with pytest.raises(InvalidFilter):
        selectors.parse_limit("500")


def test_list_and_guide_use_a_constant_number_of_queries(tree, now,
                                                          django_assert_max_num_queries):
    theme = ThemeFactory()
    entry = CatalogEntryFactory()
    items = [make_item(organisation=OrganisationFactory(parent=tree["city"]), entry=entry,
                       now=now, themes=[theme.name]) for _ in range(12)]
    with django_assert_max_num_queries(1):
        page = selectors.implementation_list(limit=10)
    assert len(page.items) == 10
    with django_assert_max_num_queries(3):  # the theme and organisation filters: +1 each
        selectors.implementation_list(filters={"theme": str(theme.pk),
                                               "org": str(tree["city"].pk), "q": "测试"})
    with django_assert_max_num_queries(5):
        guide = selectors.guide(code=items[0].code)
    assert len(guide.materials) == 2 and guide.themes[0].name == theme.name
    with django_assert_max_num_queries(2):
        selectors.implementation_versions(code=items[0].code)


def test_item_get_errors(catalog):
    code = catalog["items"]["a1"].code
    with pytest.raises(VersionNotFound):
        selectors.implementation_get(code=code, version=7)
    with pytest.raises(InvalidFilter):
        selectors.implementation_get(code=code, version="abc")
    with pytest.raises(ItemNotFound):
        selectors.guide(code=catalog["items"]["draft"].code)
    with pytest.raises(ItemNotFound):
        selectors.guide(code=code[:-1] + ("1" if code[-1] != "1" else "2"))


def test_staff_list_is_scoped_and_shows_drafts(catalog, now):
    items = catalog["items"]
    admin_b = catalog["admin_b"]
    page = selectors.staff_item_list(actor=admin_b, filters={})
    assert {i.code for i in page.items} == {items["b1"].code, items["draft"].code}
    draft_row = next(i for i in page.items if i.code == items["draft"].code)
    assert (draft_row.name, draft_row.version, draft_row.has_draft) == ("乙草稿", None, True)
    assert {i.code for i in selectors.staff_item_list(
        actor=admin_b, filters={"status": "DRAFT"}).items} == {items["draft"].code}
    assert {i.code for i in selectors.staff_item_list(
        actor=admin_b, filters={"q": "草稿"}).items} == {items["draft"].code}
    services.item_suspend(actor=admin_b, implementation=items["b1"], reason="暂停", now=now)
    assert {i.code for i in selectors.staff_item_list(
        actor=admin_b, filters={"status": "SUSPENDED"}).items} == {items["b1"].code}
    assert {i.code for i in selectors.staff_item_list(
        actor=catalog["city_admin"], filters={}).items} == {i.code for i in items.values()}


def test_item_for_edit_and_versions_for_staff(catalog, now):
    item = catalog["items"]["a1"]
    code = item.code
    services.item_draft_update(actor=catalog["admin_a"], implementation=item,
                               changes={"name": "新名"}, now=now)
    edit = selectors.item_for_edit(
        implementation=selectors.access_implementation(actor=catalog["admin_a"], code=code))
    assert (edit.current.number, edit.draft.number, edit.elements["name"]) == (1, 2, "新名")
    assert edit.draft_guide.name == "新名" and edit.current_guide.name == "甲许可"
    assert [a.operation.label for a in edit.actions] == ["新增"]
    public = [v.number for v in selectors.implementation_versions(code=code)]
    staff = [v.number for v in selectors.implementation_versions(code=code,
                                                                 actor=catalog["admin_a"])]
    assert (public, staff) == ([1], [2, 1])


def test_facets(catalog):
    departments = {f.label: f.count for f in selectors.department_facets()}
    assert departments == {"甲局": 2, "乙局": 1}
    themes = {f.label: f.count for f in selectors.theme_facets()}
    assert themes["生小孩"] == 1
    objects = {f.key: f.count for f in selectors.service_object_facets()}
    assert (objects["1"], objects["2"], objects["3"], objects["6"]) == (2, 2, 1, 0)
    types = {f.key: f.count for f in selectors.item_type_facets()}
    assert (types["01"], types["20"]) == (2, 1)
