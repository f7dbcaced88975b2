"""The structured form engine (ADR 0031): checking a definition, validating answers with
the per-field codes, visibility, the JSON Schema (checked by an independent validator),
and publication refusing a bad form."""

import copy
import json

import jsonschema
import pytest

from onewindow.catalog import forms, services
from onewindow.catalog.demo_forms import FOOD_NEW, FORMS
from onewindow.catalog.errors import FormInvalid
from onewindow.catalog.models import ImplementationVersion

from .factories import make_item

pytestmark = pytest.mark.django_db

DEMO = forms.parse_definition(FOOD_NEW)

GOOD = {
    "operator_name": "威海海纳科技有限公司", "credit_code": "91371002MA3C8K6T2W",
    "legal_representative": "王建国", "domicile": "山东省威海市环翠区高区火炬路 213 号",
    "premises": {"region_code": "371002", "street": "新威路 18 号"}, "premises_area": 120.5,
    "operator_type": "food_sales", "business_items": ["sales_bulk", "sales_other"],
    "online_sales": False, "safety_manager": "李海燕",
    "safety_manager_phone": "13806310002",
    "staff": [{"staff_name": "张三", "health_certificate_no": "JK-001",
               "health_certificate_valid_to": "2027-06-30"}],
}


def codes_of(answers, **kwargs):
    with pytest.raises(forms.AnswersInvalid) as caught:
        forms.validate_answers(DEMO, answers, **{"partial": False, **kwargs})
    return caught.value.codes


def test_every_demo_form_passes_the_publication_check():
    assert {key: forms.check_definition(form) for key, form in FORMS.items()} == {
        key: [] for key in FORMS}


def test_a_complete_application_is_cleaned_to_typed_values():
    cleaned = forms.validate_answers(DEMO, {**GOOD, "premises_area": 120.5,
                                            "safety_manager": "  李海燕 "}, partial=False)
    assert cleaned["safety_manager"] == "李海燕"
    assert cleaned["business_items"] == ["sales_bulk", "sales_other"]
    assert cleaned["premises"] == {"region_code": "371002", "street": "新威路 18 号"}


@pytest.mark.parametrize("change, key, code", [
    ({"colour": "red"}, "colour", "unknown"),
    ({"premises_area": "120"}, "premises_area", "type"),
    ({"premises_area": True}, "premises_area", "type"),
    ({"operator_type": "bakery"}, "operator_type", "option"),
    ({"business_items": ["sales_bulk", "fireworks"]}, "business_items", "option"),
    ({"online_platform": "https://shop.example"}, "online_platform", "hidden"),
    ({"operator_name": "威" * 101}, "operator_name", "length"),
    ({"premises_area": 0.5}, "premises_area", "range"),
    ({"premises_area": 12.25}, "premises_area", "format"),
    ({"credit_code": "91371002MA3C8K6T2X"}, "credit_code", "format"),
    ({"safety_manager_phone": "12345"}, "safety_manager_phone", "format"),
    ({"premises": {"region_code": "999999", "street": "x"}}, "premises", "format"),
    ({"premises": {"region_code": "371002", "street": "x", "extra": "y"}}, "premises", "type"),
    ({"staff": []}, "staff", "length"),
    ({"staff": [{"staff_name": "张三", "nickname": "x", "health_certificate_no": "1",
                 "health_certificate_valid_to": "2027-06-30"}]}, "staff.0.nickname", "unknown"),
    ({"staff": [{"staff_name": "张三", "health_certificate_no": "1",
                 "health_certificate_valid_to": "2027-02-30"}]},
     "staff.0.health_certificate_valid_to", "format"),
    ({"domicile": ""}, "domicile", "required"),
])
def test_bad_answers_name_the_field_and_a_stable_code(change, key, code):
    answers = {**GOOD, **change}
    if change.get("domicile") == "":
        answers.pop("domicile")
    assert codes_of(answers)[key] == code


def test_the_message_of_each_field_is_in_the_details_next_to_its_code():
    with pytest.raises(forms.AnswersInvalid) as caught:
        forms.validate_answers(DEMO, {**GOOD, "operator_type": "bakery"}, partial=False)
    details = caught.value.details
    assert details["codes"] == {"operator_type": "option"}
    assert str(details["operator_type"]) == "主体业态的选项无效。"


def test_a_pattern_and_an_id_number_are_checked():
    definition = forms.parse_definition({"pages": [{"key": "p", "title": "P", "fields": [
        {"key": "plate", "type": "text", "label": "车牌", "pattern": "[A-Z][0-9]{5}"},
        {"key": "holder", "type": "id_number", "label": "身份证号码"},
    ]}]})
    with pytest.raises(forms.AnswersInvalid) as caught:
        forms.validate_answers(definition, {"plate": "a12345", "holder": "371002198808080051"},
                               partial=True)
    assert caught.value.codes == {"plate": "pattern", "holder": "format"}
    assert forms.validate_answers(definition, {"plate": "A12345", "holder": "371002198808080052"},
                                  partial=True) == {"plate": "A12345",
                                                    "holder": "371002198808080052"}


def test_the_conditional_page_and_its_fields_appear_only_for_catering():
    sales = [p.key for p in forms.visible_pages(DEMO, GOOD)]
    catering = [p.key for p in forms.visible_pages(DEMO, {**GOOD, "operator_type": "catering"})]
    assert "catering" not in sales
    assert catering == ["operator", "premises", "business", "catering", "people"]
    codes = codes_of({**GOOD, "operator_type": "catering"})
    assert codes == {"dining_area": "required", "seats": "required", "kitchen_area": "required"}
    # A catering page sent while the operator sells food only is refused, field by field.
    assert codes_of({**GOOD, "seats": 20})["seats"] == "hidden"


def test_hidden_answers_are_dropped_when_the_choice_changes():
    answers = {**GOOD, "operator_type": "catering", "dining_area": 80, "seats": 40,
               "kitchen_area": 30}
    assert forms.visible_answers(DEMO, answers) == answers
    kept = forms.visible_answers(DEMO, {**answers, "operator_type": "food_sales"})
    assert {"dining_area", "seats", "kitchen_area"}.isdisjoint(kept)


def test_a_cross_field_rule_names_its_field_and_waits_for_its_values():
    answers = {**GOOD, "operator_type": "catering", "dining_area": 20, "seats": 10,
               "kitchen_area": 30}
    assert codes_of(answers) == {"kitchen_area": "rule"}
    # A draft (partial) does not apply the rule yet.
    assert forms.validate_answers(DEMO, answers, partial=True)["kitchen_area"] == 30


def test_a_page_takes_only_its_own_fields_and_reads_the_others_as_context():
    page = {"dining_area": 80, "seats": 40, "kitchen_area": 30}
    cleaned = forms.validate_answers(DEMO, page, partial=True, page="catering",
                                     context={"operator_type": "catering"})
    assert cleaned == page
    with pytest.raises(forms.AnswersInvalid) as caught:
        forms.validate_answers(DEMO, {"premises_area": 50}, partial=True, page="catering",
                               context={"operator_type": "catering"})
    assert caught.value.codes == {"premises_area": "unknown"}
    with pytest.raises(forms.AnswersInvalid) as caught:
        forms.validate_answers(DEMO, page, partial=True, page="catering",
                               context={"operator_type": "food_sales"})
    assert set(caught.value.codes.values()) == {"hidden"}


def test_locked_values_and_foreign_materials_are_refused():
    definition = forms.parse_definition({"pages": [{"key": "p", "title": "P", "fields": [
        {"key": "name", "type": "text", "label": "名称", "source": "legal.name", "locked": True},
        {"key": "plan", "type": "file", "label": "平面图"},
    ]}]})
    with pytest.raises(forms.AnswersInvalid) as caught:
        forms.validate_answers(definition, {"name": "别的公司", "plan": {"material_id": 99}},
                               partial=True, locked={"name": "海纳"}, material_ids={1, 2})
    assert caught.value.codes == {"name": "locked", "plan": "not-own-material"}
    assert forms.validate_answers(definition, {"name": "海纳", "plan": {"material_id": 2}},
                                  partial=True, locked={"name": "海纳"}, material_ids={1, 2})


def test_answers_that_are_not_an_object_are_refused():
    with pytest.raises(forms.AnswersInvalid) as caught:
        forms.validate_answers(DEMO, ["x"], partial=True)
    assert caught.value.codes == {"answers": "type"}


def _bad(mutate):
    form = copy.deepcopy(FOOD_NEW)
    mutate(form)
    return {p.where: str(p.message) for p in forms.check_definition(form)}


@pytest.mark.parametrize("mutate, where", [
    (lambda f: f["pages"][1]["fields"].append(dict(f["pages"][0]["fields"][0])),
     "pages.1.fields.3.key"),
    (lambda f: f["pages"][0]["fields"][0].update(type="colour"), "pages.0.fields.0.type"),
    (lambda f: f["pages"][0]["fields"][0].update(key="Bad Key"), "pages.0.fields.0.key"),
    (lambda f: f["pages"][0]["fields"][0].update(key="codes"), "pages.0.fields.0.key"),
    (lambda f: f["pages"][2]["fields"][0].update(code_table="gbt9999"),
     "pages.2.fields.0.code_table"),
    (lambda f: f["pages"][3].update(show_if="__import__('os')"), "pages.3.show_if"),
    (lambda f: f["pages"][3].update(show_if='nobody == "x"'), "pages.3.show_if"),
    (lambda f: f["pages"][0]["fields"][0].update(source="account.salary"),
     "pages.0.fields.0.source"),
    (lambda f: f["pages"][4]["fields"][2]["fields"].append(
        {"key": "kids", "type": "group", "label": "子女", "fields": [
            {"key": "kid", "type": "text", "label": "姓名"}]}),
     "pages.4.fields.2.fields.4"),
    (lambda f: f["pages"][1]["fields"][1].update(min=10, max=1), "pages.1.fields.1.min"),
    (lambda f: f["pages"][1]["fields"][1].update(max_length=10**6),
     "pages.1.fields.1.max_length"),
    (lambda f: f["pages"][0]["fields"][0].update(pattern="(unclosed"),
     "pages.0.fields.0.pattern"),
    (lambda f: f["rules"][0].update(expression="kitchen_area <"), "rules.0.expression"),
    (lambda f: f["pages"][2]["fields"][2].update(options=[], type="choice"),
     "pages.2.fields.2.options"),
])
def test_a_bad_definition_is_reported_where_it_is_wrong(mutate, where):
    assert where in _bad(mutate)


def test_the_json_schema_accepts_what_the_server_accepts_and_refuses_wrong_types():
    schema = forms.json_schema(DEMO, title="食品经营许可（新办）")
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert list(validator.iter_errors(json.loads(json.dumps(GOOD)))) == []
    catering = {**GOOD, "operator_type": "catering", "dining_area": 80, "seats": 40,
                "kitchen_area": 30.5}
    assert list(validator.iter_errors(catering)) == []
    wrong = {**GOOD, "premises_area": "120", "operator_type": "bakery", "colour": "red",
             "staff": [{"staff_name": "张三"}]}
    paths = {"/".join(str(p) for p in e.absolute_path) or e.validator
             for e in validator.iter_errors(wrong)}
    assert {"premises_area", "operator_type", "additionalProperties", "staff/0"} <= paths
    # The conditional page's fields are not required by the schema (the server decides).
    assert "dining_area" not in schema["required"] and "premises" in schema["required"]


def test_the_generic_form_names_each_material():
    class M:
        def __init__(self, position, name):
            self.position, self.name, self.note = position, name, ""

    definition = forms.generic_definition([M(1, "申请书"), M(2, "营业执照")])
    assert [(f.key, f.type, f.label) for f in definition.fields] == [
        ("material_1", "file", "申请书"), ("material_2", "file", "营业执照")]
    assert definition.generic


def test_publishing_checks_the_form_and_the_hash_includes_it(tree, now):
    item = make_item(organisation=tree["dept_a"], now=now)
    v1 = item.current_version
    bad = copy.deepcopy(FOOD_NEW)
    bad["pages"][0]["fields"][1]["key"] = "operator_name"
    draft = services.item_draft_update(actor=tree["admin_a"], implementation=item,
                                       changes={"form": bad}, reason="一表申请", now=now)
    assert draft.content_hash != v1.content_hash
    with pytest.raises(FormInvalid) as caught:
        services.item_publish(actor=tree["admin_a"], implementation=item, reason="一表申请",
                              now=now)
    assert caught.value.code == "catalog.form-invalid"
    assert "form.pages.0.fields.1.key" in caught.value.details
    services.item_draft_update(actor=tree["admin_a"], implementation=item,
                               changes={"form": FOOD_NEW}, reason="一表申请", now=now)
    v2 = services.item_publish(actor=tree["admin_a"], implementation=item, reason="一表申请",
                               now=now)
    assert v2.form == FOOD_NEW
    v1.refresh_from_db()
    assert v1.form == {}  # the old version keeps its (generic) form
    assert ImplementationVersion.objects.get(pk=v2.pk).content_hash != v1.content_hash
