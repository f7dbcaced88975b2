"""Structured forms through the HTTP API (ADR 0031): item_form_get, item_form_schema,
case_answers_save and case_answers_get — the 422 shapes with field keys and stable codes,
nothing stored on a refusal, an application checked against the exported JSON Schema by
an independent validator."""

import copy
import json

import jsonschema
import pytest
from django.test import Client

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import FORM
from onewindow.catalog.demo_forms import FOOD_NEW
from onewindow.catalog.tests.factories import make_item
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db

ANSWERS = {
    "operator_name": "某某餐饮有限公司", "credit_code": "91371002MA3C8K6T2W",
    "legal_representative": "王建国", "domicile": "威海市环翠区火炬路 213 号",
    "premises": {"region_code": "371002", "street": "新威路 18 号"}, "premises_area": 60,
    "operator_type": "catering", "business_items": ["catering_hot", "catering_drinks"],
    "online_sales": True, "online_platform": "某外卖平台", "dining_area": 40, "seats": 24,
    "kitchen_area": 15, "safety_manager": "李海燕", "safety_manager_phone": "13806310002",
    "staff": [{"staff_name": "张三", "staff_post": "厨师", "health_certificate_no": "JK-1",
               "health_certificate_valid_to": "2027-06-30"}],
}


@pytest.fixture
def setup(now):
    world = build_world(now=now)
    form = copy.deepcopy(FOOD_NEW)
    for field in form["pages"][0]["fields"]:  # no licence type here: plain fields
        field.pop("source", None)
        field.pop("locked", None)
    item = make_item(organisation=world.dept, now=now, name="食品经营许可（新办）", form=form,
                     materials=[{"name": "申请书", "original_count": 1}])
    draft = services.case_draft_save(actor=world.citizen, implementation_code=item.code,
                                     form_data=FORM, now=now)
    client = Client()
    client.force_login(world.citizen)
    return world, item, draft, client


def put(client, draft, body, **extra):
    data = body if isinstance(body, bytes) else json.dumps(body)
    return client.generic("PUT", f"/api/v1/cases/drafts/{draft.pk}/answers", data,
                          content_type="application/json", **extra)


def test_the_form_and_its_schema_are_public_and_the_schema_validates_an_application(setup):
    _world, item, _draft, _client = setup
    anonymous = Client()
    form = anonymous.get(f"/api/v1/catalog/items/{item.code}/form")
    assert form.status_code == 200
    body = form.json()
    assert [p["key"] for p in body["pages"]] == [
        "operator", "premises", "business", "catering", "people"]
    business = body["pages"][2]["fields"]
    assert business[0]["options"][1] == {"value": "catering", "label": "餐饮服务经营者"}
    assert body["pages"][3]["show_if"] == 'operator_type == "catering"'
    schema = anonymous.get(f"/api/v1/catalog/items/{item.code}/form/schema").json()
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(ANSWERS)) == []
    bad = {**ANSWERS, "seats": "twenty", "operator_type": "bakery"}
    assert {e.path[0] for e in validator.iter_errors(bad)} == {"seats", "operator_type"}


def test_the_form_comes_in_english_where_it_is_translated(setup):
    _world, item, _draft, _client = setup
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/v1/catalog/items/{item.code}/form")
    assert english.json()["pages"][1]["title"] == "Business premises"


def test_an_item_without_a_form_gets_the_generic_one(setup, now):
    world, _item, _draft, _client = setup
    body = Client().get(f"/api/v1/catalog/items/{world.item.code}/form").json()
    assert body["generic"] is True
    assert all(f["type"] == "file" for p in body["pages"] for f in p["fields"])
    assert Client().get("/api/v1/catalog/items/NOPE/form").status_code in (404, 422)


def test_answers_are_saved_by_page_and_read_back(setup):
    _world, _item, draft, client = setup
    response = put(client, draft, {"page": "premises", "answers": {
        "premises": ANSWERS["premises"], "premises_area": 60}})
    assert response.status_code == 200, response.json()
    read = client.get(f"/api/v1/cases/{draft.pk}/answers").json()
    assert read["answers"] == {"premises": ANSWERS["premises"], "premises_area": 60}
    assert read["version"] == 1


@pytest.mark.parametrize("body, key, code", [
    ({"answers": {"colour": "red"}}, "colour", "unknown"),
    ({"answers": {"premises_area": "60"}}, "premises_area", "type"),
    ({"answers": {"operator_type": "bakery"}}, "operator_type", "option"),
    ({"answers": {"operator_type": "food_sales", "seats": 3}}, "seats", "hidden"),
    ({"answers": {"staff": [{"staff_name": 7}]}}, "staff.0.staff_name", "type"),
    ({"answers": ["not", "an", "object"]}, "answers", "type"),
    ({"page": "nowhere", "answers": {}}, "page", "unknown"),
])
def test_bad_answers_are_422_with_the_field_key_and_nothing_is_stored(setup, body, key, code):
    _world, _item, draft, client = setup
    response = put(client, draft, body)
    assert response.status_code == 422
    error = response.json()
    assert error["code"] == "cases.answers-invalid"
    assert error["details"]["codes"][key] == code and error["details"][key]
    assert Case.objects.get(pk=draft.pk).answers == draft.answers


def test_ten_megabytes_of_json_are_refused_and_nothing_is_stored(setup):
    _world, _item, draft, client = setup
    huge = {"answers": {"safety_manager": "x" * (10 * 1024 * 1024)}}
    response = put(client, draft, huge)
    assert response.status_code == 422
    assert response.json()["code"] == "request.too-large"
    medium = {"answers": {"safety_manager": "x" * (300 * 1024)}}
    response = put(client, draft, medium)
    assert response.status_code == 422
    assert response.json()["code"] == "cases.answers-too-large"
    assert Case.objects.get(pk=draft.pk).answers == draft.answers


def test_another_persons_draft_is_not_found(setup):
    world, _item, draft, _client = setup
    other = Client()
    other.force_login(world.agent)
    assert put(other, draft, {"answers": {}}).status_code == 404
    assert other.get(f"/api/v1/cases/{draft.pk}/answers").status_code == 404
