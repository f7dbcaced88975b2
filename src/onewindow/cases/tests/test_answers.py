"""A case's structured answers (ADR 0031): prefill from the account, the enterprise and its
licence, locked values, page-by-page drafts, submission in full, the window's one page, and
a case keeping the form of the version it was started on."""

import copy
import datetime as dt

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.cases.errors import AnswersInvalid, AnswersTooLarge, CaseNotFound
from onewindow.cases.models import Case
from onewindow.catalog import services as catalog_services
from onewindow.catalog.demo_forms import FOOD_NEW
from onewindow.catalog.tests.factories import make_item
from onewindow.licences import services as licence_services
from onewindow.licences.models import HolderKind
from onewindow.licences.tests.factories import make_type

from .factories import FORM, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def business_type(world, now):
    return make_type(issuers=[world.dept], holder_kind=HolderKind.LEGAL_PERSON, now=now,
                     name="营业执照", fields=[
                         {"name": "legal_representative", "label": "法定代表人", "type": "text"},
                         {"name": "address", "label": "住所", "type": "text"}])


def food_form(business_type_code: str) -> dict:
    form = copy.deepcopy(FOOD_NEW)
    for field in form["pages"][0]["fields"]:
        field["source"] = field.get("source", "").replace(
            "11100000MB0143028C001", business_type_code)
    return form


@pytest.fixture
def food_item(world, now, business_type):
    return make_item(organisation=world.dept, now=now, name="食品经营许可（新办）",
                     form=food_form(business_type.code),
                     materials=[{"name": "申请书", "original_count": 1}])


@pytest.fixture
def licensed(world, now, business_type):
    return licence_services.licence_issue(
        actor=None, licence_type=business_type, holder_legal=world.enterprise,
        fields={"legal_representative": "王建国", "address": "威海市环翠区火炬路 213 号"},
        now=now)


def start(world, item, now, *, legal=True):
    return services.case_draft_save(actor=world.agent, implementation_code=item.code,
                                    form_data=FORM,
                                    applicant_legal=world.enterprise if legal else None, now=now)


PAGES = {
    "premises": {"premises": {"region_code": "371002", "street": "新威路 18 号"},
                 "premises_area": 120.5},
    "business": {"operator_type": "food_sales", "business_items": ["sales_bulk"],
                 "online_sales": False},
    "people": {"safety_manager": "李海燕", "safety_manager_phone": "13806310002",
               "staff": [{"staff_name": "张三", "health_certificate_no": "JK-1",
                          "health_certificate_valid_to": "2027-06-30"}]},
}


def fill(world, draft, now, **overrides):
    for page, answers in {**PAGES, **overrides}.items():
        draft = services.case_answers_save(actor=world.agent, case=draft, answers=answers,
                                           page=page, now=now)
    return draft


def upload_all(world, draft, now):
    for material in draft.materials.all():
        services.case_material_upload(actor=world.agent, case=draft, material_id=material.pk,
                                      stream=pdf_bytes(material.name), filename="scan.pdf",
                                      now=now)


def test_a_draft_is_prefilled_from_the_enterprise_and_its_licence(world, food_item, licensed,
                                                                   now):
    draft = start(world, food_item, now)
    assert draft.answers == {
        "operator_name": world.enterprise.name, "credit_code": world.enterprise.credit_code,
        "legal_representative": "王建国", "domicile": "威海市环翠区火炬路 213 号"}
    sources = draft.answer_sources
    assert sources["operator_name"] == {"source": "legal.name", "value": world.enterprise.name,
                                        "locked": True, "label": "单位登记信息"}
    assert sources["domicile"]["licence"] == licensed.identifier
    assert sources["domicile"]["label"] == "营业执照"
    assert not sources["domicile"]["locked"]


def test_a_licence_the_applicant_does_not_hold_is_never_read(world, food_item, business_type,
                                                             now):
    from onewindow.identity.tests.factories import LegalPersonFactory

    other = LegalPersonFactory()
    licence_services.licence_issue(
        actor=None, licence_type=business_type, holder_legal=other,
        fields={"legal_representative": "别人", "address": "别处"}, now=now)
    draft = start(world, food_item, now)
    assert "legal_representative" not in draft.answers and "domicile" not in draft.answers
    # Without an enterprise, nothing of any enterprise is read.
    personal = start(world, food_item, now, legal=False)
    assert personal.answers == {} and personal.answer_sources == {}


def test_pages_are_saved_one_by_one_and_audited_without_values(world, food_item, licensed, now):
    draft = fill(world, start(world, food_item, now), now)
    assert draft.answers["premises_area"] == 120.5
    assert draft.answers["operator_name"] == world.enterprise.name  # the locked value kept
    # Saving a page again replaces that page's answers only.
    draft = services.case_answers_save(actor=world.agent, case=draft, page="premises",
                                       answers={"premises": PAGES["premises"]["premises"],
                                                "premises_area": 80}, now=now)
    assert draft.answers["premises_area"] == 80 and draft.answers["online_sales"] is False
    audit = AuditEvent.objects.filter(action="cases.case.answers_saved").last()
    assert audit.after == {"page": "premises", "fields": ["premises", "premises_area"]}
    assert "新威路" not in str(audit.after)


@pytest.mark.parametrize("page, answers, key, code", [
    ("operator", {"operator_name": "别的公司"}, "operator_name", "locked"),
    ("business", {"operator_type": "bakery"}, "operator_type", "option"),
    ("business", {"colour": "red"}, "colour", "unknown"),
    ("premises", {"operator_type": "catering"}, "operator_type", "unknown"),
    ("business", {"online_sales": False, "online_platform": "x"}, "online_platform", "hidden"),
    ("catering", {"seats": 20}, "seats", "hidden"),
])
def test_bad_answers_are_refused_with_the_field_and_nothing_is_written(
        world, food_item, licensed, now, page, answers, key, code):
    draft = start(world, food_item, now)
    before = dict(draft.answers)
    with pytest.raises(AnswersInvalid) as caught:
        services.case_answers_save(actor=world.agent, case=draft, answers=answers, page=page,
                                   now=now)
    assert caught.value.code == "cases.answers-invalid"
    assert caught.value.details["codes"][key] == code
    assert key in caught.value.details
    assert Case.objects.get(pk=draft.pk).answers == before


def test_a_file_answer_must_name_a_material_of_the_same_case(world, now):
    form = {"pages": [{"key": "plan", "title": "平面图", "fields": [
        {"key": "floor_plan", "type": "file", "label": "经营场所平面图"}]}]}
    item = make_item(organisation=world.dept, now=now, form=form,
                     materials=[{"name": "平面图", "original_count": 1}])
    mine = start(world, item, now)
    theirs = services.case_draft_save(actor=world.citizen, implementation_code=item.code,
                                      form_data=FORM, now=now)
    foreign = theirs.materials.get().pk
    with pytest.raises(AnswersInvalid) as caught:
        services.case_answers_save(actor=world.agent, case=mine, page="plan",
                                   answers={"floor_plan": {"material_id": foreign}}, now=now)
    assert caught.value.details["codes"] == {"floor_plan": "not-own-material"}
    own = mine.materials.get().pk
    saved = services.case_answers_save(actor=world.agent, case=mine, page="plan",
                                       answers={"floor_plan": {"material_id": own}}, now=now)
    assert saved.answers == {"floor_plan": {"material_id": own}}


def test_too_many_answers_are_refused_before_anything_is_read(world, food_item, now):
    draft = start(world, food_item, now)
    with pytest.raises(AnswersTooLarge) as caught:
        services.case_answers_save(actor=world.agent, case=draft,
                                   answers={"safety_manager": "x" * (300 * 1024)}, now=now)
    assert caught.value.code == "cases.answers-too-large"


def test_someone_else_cannot_save_answers_into_a_draft(world, food_item, now):
    draft = start(world, food_item, now)
    with pytest.raises(CaseNotFound):
        services.case_answers_save(actor=world.citizen, case=draft, answers={}, now=now)


def test_submission_checks_the_answers_in_full_and_drops_hidden_ones(world, food_item,
                                                                     licensed, now):
    draft = start(world, food_item, now)
    upload_all(world, draft, now)
    draft = fill(world, draft, now, business={"operator_type": "catering",
                                              "business_items": ["catering_hot"],
                                              "online_sales": False})
    with pytest.raises(AnswersInvalid) as caught:
        services.case_submit(actor=world.agent, case=draft, idempotency_key="a1", now=now)
    assert caught.value.details["codes"] == {
        "dining_area": "required", "seats": "required", "kitchen_area": "required"}
    assert Case.objects.get(pk=draft.pk).number in ("", None)
    draft = services.case_answers_save(actor=world.agent, case=draft, page="catering", answers={
        "dining_area": 80, "seats": 40, "kitchen_area": 30}, now=now)
    # Back to a shop: the catering answers are still stored in the draft ...
    draft = services.case_answers_save(actor=world.agent, case=draft, page="business", answers={
        "operator_type": "food_sales", "business_items": ["sales_bulk"], "online_sales": False},
        now=now)
    assert draft.answers["seats"] == 40
    case = services.case_submit(actor=world.agent, case=draft, idempotency_key="a1", now=now)
    # ... and dropped when it is submitted.
    assert case.number and "seats" not in case.answers
    assert Case.objects.get(pk=case.pk).answers["operator_type"] == "food_sales"


def test_the_window_registers_the_whole_form_on_one_page(world, food_item, licensed, now):
    answers = {**PAGES["premises"], **PAGES["business"], **PAGES["people"]}
    case = services.case_register_walk_in(
        actor=world.clerk, implementation_code=food_item.code,
        id_number=world.agent.person.id_number, legal_credit_code=world.enterprise.credit_code,
        form_data=FORM, answers=answers, now=now)
    assert case.answers["operator_name"] == world.enterprise.name
    assert case.answers["premises_area"] == 120.5
    with pytest.raises(AnswersInvalid) as caught:
        services.case_register_walk_in(
            actor=world.clerk, implementation_code=food_item.code,
            id_number=world.agent.person.id_number,
            legal_credit_code=world.enterprise.credit_code, form_data=FORM,
            answers={**answers, "premises_area": None}, now=now)
    assert caught.value.details["codes"] == {"premises_area": "required"}


def test_a_case_started_before_a_new_version_keeps_its_form(world, food_item, licensed, now):
    draft = start(world, food_item, now)
    changed = copy.deepcopy(food_item.current_version.form)
    changed["pages"][1]["fields"].append({"key": "floor", "type": "number", "label": "楼层",
                                          "required": True})
    later = now + dt.timedelta(hours=1)
    catalog_services.item_draft_update(actor=None, implementation=food_item,
                                       changes={"form": changed}, reason="加楼层", now=later)
    catalog_services.item_publish(actor=None, implementation=food_item, reason="加楼层",
                                  now=later)
    upload_all(world, draft, later)
    draft = fill(world, draft, later)
    case = services.case_submit(actor=world.agent, case=draft, idempotency_key="old", now=later)
    assert case.version.number == 1
    assert "floor" not in {f["key"] for f in case.version.form["pages"][1]["fields"]}
    assert case.number
    # A case started now gets the new form, and the floor is then required.
    fresh = fill(world, start(world, food_item, later), later)
    upload_all(world, fresh, later)
    with pytest.raises(AnswersInvalid) as caught:
        services.case_submit(actor=world.agent, case=fresh, idempotency_key="new", now=later)
    assert caught.value.details["codes"] == {"floor": "required"}
