"""The three public operations (item_list, item_get, item_versions) and item_facets,
through the project's API at /api/v1/catalog/ (errors mapped by onewindow.api)."""

import pytest

from onewindow.catalog import services

from .factories import CatalogEntryFactory, ThemeFactory, make_item

pytestmark = pytest.mark.django_db

BASE = "/api/v1/catalog"


@pytest.fixture
def catalog(tree, now):
    theme = ThemeFactory(name="教育科研")
    service = CatalogEntryFactory(item_type="20")
    a = [make_item(organisation=tree["dept_a"], entry=CatalogEntryFactory(item_type="01"),
                   now=now, name=f"教材审定{i}", themes=[theme.name]) for i in range(3)]
    b = make_item(organisation=tree["dept_b"], entry=service, now=now, name="社保卡申领",
                  service_objects=["1"], level="4")
    return {"a": a, "b": b, "theme": theme, **tree}


def get(client, path, **params):
    return client.get(f"{BASE}{path}", params)


def test_item_list_filters_and_paginates(client, catalog):
    body = get(client, "/items").json()
    assert len(body["items"]) == 4 and body["next_cursor"] is None
    first = body["items"][0]
    assert set(first) >= {"code", "name", "department", "item_type", "level", "legal_limit",
                          "promised_limit", "version"}
    assert first["legal_limit"] == {"amount": 20, "unit": "WORKING_DAY", "unit_label": "工作日",
                                    "note": "", "text": "20 个工作日"}

    def codes(**params):
        response = get(client, "/items", **params)
        assert response.status_code == 200, response.json()
        return {i["code"] for i in response.json()["items"]}

    a_codes = {i.code for i in catalog["a"]}
    assert codes(org=catalog["dept_a"].pk) == a_codes
    assert codes(org=catalog["city"].pk, type="20") == {catalog["b"].code}
    assert codes(level="4") == {catalog["b"].code}
    assert codes(theme=catalog["theme"].pk) == a_codes
    assert codes(service_object="2") == a_codes
    assert codes(q="社保") == {catalog["b"].code}
    assert codes(q="教材", type="01") == a_codes

    page1 = get(client, "/items", limit=3).json()
    page2 = get(client, "/items", limit=3, cursor=page1["next_cursor"]).json()
    assert len(page1["items"]) == 3 and len(page2["items"]) == 1
    assert page2["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"org": "abc"}, "catalog.invalid-filter", "org"),
        ({"type": "99"}, "catalog.invalid-filter", "type"),
        ({"level": "0"}, "catalog.invalid-filter", "level"),
        ({"theme": "999999"}, "catalog.invalid-filter", "theme"),
        ({"service_object": "7"}, "catalog.invalid-filter", "service_object"),
        ({"limit": "1000"}, "catalog.invalid-filter", "limit"),
        ({"cursor": "%%%"}, "pagination.invalid-cursor", None),
    ],
)
def test_item_list_refuses_malformed_filters_with_clear_422(client, catalog, params, code, field):
    response = get(client, "/items", **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and body["message"]
    if field:
        assert field in body["details"]


PUNCTUATION_ONLY = ["，", "、", "-", "*", "!!!", '""']


@pytest.mark.parametrize("query", PUNCTUATION_ONLY)
def test_a_query_of_punctuation_alone_lists_every_item(client, catalog, query):
    # Nothing in it to search for: the plain list, as if no query had been typed.
    response = get(client, "/items", q=query)
    assert response.status_code == 200, response.content
    assert len(response.json()["items"]) == 4


def test_a_nul_byte_in_the_query_is_refused_with_a_code(client, catalog):
    response = client.get(f"{BASE}/items?q=%00")
    assert response.status_code == 422
    body = response.json()
    # Refused at the edge, before the catalog's own filter check (ADR 0025).
    assert body["code"] == "request.invalid-characters" and "空字符" in body["details"]["q"]


def test_item_get_returns_the_full_guide(client, catalog, now):
    item = catalog["a"][0]
    code = item.code
    body = get(client, f"/items/{code}").json()
    assert body["code"] == code and body["name"] == "教材审定0"
    assert body["version"]["number"] == 1 and body["version"]["is_current"] is True
    assert body["department"]["name"] == "甲局"
    assert body["item_type"] == {"code": "01", "label": "行政许可"}
    assert body["promised_limit"]["text"] == "5 个工作日"
    assert [m["name"] for m in body["materials"]] == ["申请表", "营业执照"]
    assert body["materials"][1]["requirement"]["label"] == "视情况提交"
    assert body["materials"][1]["licence_type_code"] == "LIC-BL"
    assert body["location"] and body["accepting"] is True

    services.item_draft_update(actor=None, implementation=item,
                               changes={"promised_limit_amount": 2}, now=now)
    services.item_publish(actor=None, implementation=item, reason="提速", now=now)
    assert get(client, f"/items/{code}").json()["promised_limit"]["amount"] == 2
    old = get(client, f"/items/{code}", version=1).json()
    assert old["promised_limit"]["amount"] == 5 and old["version"]["status"]["code"] == (
        "SUPERSEDED")

    versions = get(client, f"/items/{code}/versions").json()
    assert [(v["number"], v["status"]["code"], v["is_current"]) for v in versions["items"]] == [
        (2, "PUBLISHED", True), (1, "SUPERSEDED", False)]
    assert versions["items"][1]["valid_to"] is not None


def test_item_get_and_versions_errors(client, catalog):
    code = catalog["a"][0].code
    unknown = code[:-3] + ("999" if not code.endswith("999") else "998")
    for path in (f"/items/{unknown}", f"/items/{unknown}/versions"):
        response = get(client, path)
        assert response.status_code == 404
        assert response.json()["code"] == "catalog.item-not-found"
    response = get(client, "/items/12345")
    assert response.status_code == 422 and response.json()["code"] == "catalog.invalid-code"
    assert "31 位" in response.json()["message"]
    response = get(client, f"/items/{code}", version=9)
    assert response.status_code == 404
    assert response.json()["code"] == "catalog.version-not-found"
    response = get(client, f"/items/{code}", version="x")
    assert response.status_code == 422


def test_facets(client, catalog):
    body = get(client, "/facets").json()
    assert {f["label"]: f["count"] for f in body["departments"]} == {"甲局": 3, "乙局": 1}
    assert {f["key"]: f["count"] for f in body["item_types"]}["01"] == 3
    assert any(f["label"] == "教育科研" and f["count"] == 3 for f in body["themes"])
