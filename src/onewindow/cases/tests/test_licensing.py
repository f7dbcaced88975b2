"""电子证照 × 办件: 免证办 at submission (online and at the window) and the licence an
approved case produces."""

import datetime as dt

import pytest
from django.db import transaction

from onewindow.cases import services
from onewindow.cases.codes import (
    PRESENT_STATES,
    ActionKind,
    CaseStatus,
    MaterialState,
    TrustGrade,
)
from onewindow.cases.errors import MaterialsIncomplete, ResultLicenceFailed
from onewindow.cases.services.licensing import (
    issue_result_licence_inner,
    licence_sources,
    satisfy_materials_from_licences_inner,
)
from onewindow.catalog.tests.factories import make_item
from onewindow.identity.tests.factories import CitizenFactory, OrganisationFactory
from onewindow.licences import services as licence_services
from onewindow.licences.models import HolderCodeType, HolderKind, Licence, LicenceUsage
from onewindow.licences.tests.factories import make_type

from .factories import FORM, pdf_bytes, walk_in

pytestmark = pytest.mark.django_db

FOOD_FIELDS = [
    {"name": "category", "label": "经营项目", "type": "text", "required": True,
     "form_field": "application_content"},
    {"name": "premises", "label": "经营场所", "type": "text", "form_field": "contact_address"},
]


@pytest.fixture
def food_type(world, now):
    return make_type(issuers=[world.dept], fields=FOOD_FIELDS, now=now)


@pytest.fixture
def renewal_item(world, now, food_type):
    """An item (延续) whose second material is the food licence itself."""
    return make_item(
        organisation=world.dept, now=now, name="食品经营许可（延续）",
        result_name="食品经营许可证", result_kind="LICENCE",
        result_licence_type=food_type.code,
        materials=[
            {"name": "延续申请书", "original_count": 1},
            {"name": "食品经营许可证", "original_count": 1, "source": "AGENCY",
             "issuing_agency": "市场监督管理局", "licence_type_code": food_type.code},
        ],
    )


def issue_food_licence(food_type, holder, now, **kwargs):
    return licence_services.licence_issue(
        actor=None, licence_type=food_type, holder_person=holder,
        fields={"category": "预包装食品销售"}, now=now, **kwargs,
    )


def apply_without_licence_material(world, item, now, *, actor=None, legal=None):
    """Upload every required material except the licence one, then submit."""
    actor = actor or world.citizen
    draft = services.case_draft_save(actor=actor, implementation_code=item.code,
                                     form_data=FORM, applicant_legal=legal, now=now)
    for material in draft.materials.filter(requirement="REQUIRED"):
        if material.material.licence_type_code:
            continue
        services.case_material_upload(actor=actor, case=draft, material_id=material.pk,
                                      stream=pdf_bytes(material.name), filename="scan.pdf",
                                      now=now)
    return services.case_submit(actor=actor, case=draft, idempotency_key=f"l{draft.pk}",
                                now=now)


def licence_material(case):
    return case.materials.get(name__in=["食品经营许可证", "营业执照"])


# --- 免证办 at submission ------------------------------------------------------------------------


def test_a_valid_licence_replaces_the_material_at_online_submission(world, now, food_type,
                                                                    renewal_item):
    licence = issue_food_licence(food_type, world.citizen.person, now)
    case = apply_without_licence_material(world, renewal_item, now)

    assert case.status == CaseStatus.SUBMITTED
    material = licence_material(case)
    assert material.state == MaterialState.SATISFIED_BY_LICENCE
    assert material.trust_grade == TrustGrade.A
    assert not material.files.exists()
    usage = LicenceUsage.objects.get(licence=licence)
    assert usage.kind == LicenceUsage.Kind.CASE_MATERIAL
    assert usage.purpose == f"办件 {case.number} 免提交 食品经营许可证"
    assert usage.case_number == case.number and usage.organisation == world.dept
    submit = case.actions.get(kind=ActionKind.SUBMIT)
    assert submit.data["licences"] == [
        {"material": material.pk, "name": "食品经营许可证", "identifier": licence.identifier}
    ]
    assert material.state in PRESENT_STATES  # what acceptance checks
    # The clerk's material list names the licence that supplied it.
    from onewindow.cases import selectors

    views = {m.id: m for m in selectors.materials_of(case=case)}
    assert views[material.pk].licence_identifier == licence.identifier
    assert all(v.licence_identifier == "" for k, v in views.items() if k != material.pk)


def test_the_page_can_tell_before_submission_which_materials_need_no_upload(
        world, now, food_type, renewal_item):
    licence = issue_food_licence(food_type, world.citizen.person, now)
    draft = services.case_draft_save(actor=world.citizen, implementation_code=renewal_item.code,
                                     form_data=FORM, now=now)
    sources = licence_sources(case=draft, on_date=now.date())
    assert sources == {licence_material(draft).pk: licence}
    # A preview logs nothing.
    assert not LicenceUsage.objects.exists()


@pytest.mark.parametrize("problem", ["expired", "revoked", "other_holder", "not_yet_valid"])
def test_no_valid_licence_of_the_applicant_means_the_material_is_still_needed(
        world, now, food_type, renewal_item, problem):
    holder = world.citizen.person
    kwargs = {}
    if problem == "expired":
        kwargs = {"issue_date": dt.date(2020, 1, 1), "valid_from": dt.date(2020, 1, 1),
                  "valid_until": dt.date(2026, 11, 22)}  # the day before submission
    elif problem == "not_yet_valid":
        kwargs = {"valid_from": dt.date(2026, 12, 1)}
    elif problem == "other_holder":
        holder = CitizenFactory().person
    licence = issue_food_licence(food_type, holder, now, **kwargs)
    if problem == "revoked":
        licence_services.licence_revoke(actor=None, licence=licence, reason="经营者申请注销",
                                        now=now)

    with pytest.raises(MaterialsIncomplete) as caught:
        apply_without_licence_material(world, renewal_item, now)
    assert "食品经营许可证" in str(caught.value.message)
    assert not LicenceUsage.objects.exists()


def test_an_expired_licence_still_counts_on_its_last_day(world, now, food_type, renewal_item):
    issue_food_licence(food_type, world.citizen.person, now, issue_date=dt.date(2021, 11, 24),
                       valid_from=dt.date(2021, 11, 24), valid_until=now.date())
    case = apply_without_licence_material(world, renewal_item, now)
    assert licence_material(case).state == MaterialState.SATISFIED_BY_LICENCE


def test_a_legal_person_type_is_looked_up_for_the_enterprise_applying(world, now):
    business_type = make_type(issuers=[world.dept], holder_kind=HolderKind.LEGAL_PERSON,
                              fields=[], validity_months=None, now=now, name="营业执照")
    item = make_item(organisation=world.dept, now=now, name="公共场所卫生许可", materials=[
        {"name": "申请表", "original_count": 1},
        {"name": "营业执照", "original_count": 0, "copy_count": 1,
         "licence_type_code": business_type.code},
    ])
    licence = licence_services.licence_issue(actor=None, licence_type=business_type,
                                             holder_legal=world.enterprise, now=now)
    case = apply_without_licence_material(world, item, now, actor=world.agent,
                                          legal=world.enterprise)
    assert licence_material(case).state == MaterialState.SATISFIED_BY_LICENCE
    assert LicenceUsage.objects.get().licence == licence
    # A natural person applying for themselves does not hold the enterprise's licence.
    with pytest.raises(MaterialsIncomplete):
        apply_without_licence_material(world, item, now)


def test_window_submission_satisfies_the_material_for_the_walk_in_applicant(
        world, now, food_type, renewal_item):
    case = walk_in(world, now, item=renewal_item, received=("延续申请书",), name="赵窗口",
                   id_number=None)
    assert licence_material(case).state == MaterialState.MISSING  # no licence held

    person = CitizenFactory().person
    licence = issue_food_licence(food_type, person, now)
    case = walk_in(world, now, item=renewal_item, received=("延续申请书",),
                   id_number=person.id_number, name=person.name)
    material = licence_material(case)
    assert material.state == MaterialState.SATISFIED_BY_LICENCE
    usage = LicenceUsage.objects.get(licence=licence)
    assert usage.actor == world.clerk and usage.case_number == case.number


def test_satisfying_twice_logs_the_use_once(world, now, food_type, renewal_item):
    issue_food_licence(food_type, world.citizen.person, now)
    case = apply_without_licence_material(world, renewal_item, now)
    with transaction.atomic():
        again = satisfy_materials_from_licences_inner(case=case, actor=world.citizen, now=now)
    assert again == []
    assert LicenceUsage.objects.count() == 1


# --- issuing on approval ----------------------------------------------------------------------


def approved_case(world, now, item, *, form=None, actor=None, legal=None):
    """A submitted case of ``item`` (the approval itself belongs to the case engine; the
    function under test runs inside it)."""
    actor = actor or world.citizen
    draft = services.case_draft_save(actor=actor, implementation_code=item.code,
                                     form_data=form or FORM, applicant_legal=legal, now=now)
    for material in draft.materials.filter(requirement="REQUIRED"):
        services.case_material_upload(actor=actor, case=draft, material_id=material.pk,
                                      stream=pdf_bytes(material.name), filename="scan.pdf",
                                      now=now)
    return services.case_submit(actor=actor, case=draft, idempotency_key=f"a{draft.pk}",
                                now=now)


def issue(case, actor, now):
    with transaction.atomic():
        return issue_result_licence_inner(case=case, actor=actor, now=now)


def test_approval_issues_the_result_licence_once(world, now, food_type, renewal_item):
    form = {**FORM, "contact_address": "威海市环翠区统一路 8 号"}
    case = approved_case(world, now, renewal_item, form=form)
    licence = issue(case, world.chief, now)

    assert licence.licence_type == food_type and licence.case_number == case.number
    assert licence.origin == Licence.Origin.CASE
    assert licence.holder_code == world.citizen.person.id_number
    assert licence.holder_code_type == HolderCodeType.ID_CARD
    assert licence.issuer == world.dept and licence.issue_date == now.date()
    # 照面信息 from the application form (form_field names the form's field).
    assert licence.fields == {"category": FORM["application_content"],
                              "premises": "威海市环翠区统一路 8 号"}
    assert licence.state_on(now.date()) == "valid"
    # A retried approval returns the same licence and issues nothing more.
    assert issue(case, world.chief, now) == licence
    assert Licence.objects.filter(case_number=case.number).count() == 1


def test_a_field_named_like_the_form_field_is_taken_directly(world, now):
    direct = make_type(issuers=[world.dept], now=now, fields=[
        {"name": "contact_name", "label": "负责人", "type": "text", "required": True},
    ])
    item = make_item(organisation=world.dept, now=now, result_licence_type=direct.code)
    licence = issue(approved_case(world, now, item), world.chief, now)
    assert licence.fields == {"contact_name": FORM["contact_name"]}


def test_a_legal_person_type_goes_to_the_enterprise_applying(world, now):
    business_type = make_type(issuers=[world.dept], holder_kind=HolderKind.LEGAL_PERSON,
                              fields=[], validity_months=None, now=now, name="营业执照")
    item = make_item(organisation=world.dept, now=now, result_licence_type=business_type.code)
    case = approved_case(world, now, item, actor=world.agent, legal=world.enterprise)
    licence = issue(case, world.chief, now)
    assert licence.holder_code == world.enterprise.credit_code
    assert licence.holder_code_type == HolderCodeType.CREDIT_CODE

    # Without an enterprise on the case the approval fails, naming the reason.
    case = approved_case(world, now, item)
    with pytest.raises(ResultLicenceFailed, match="持证主体应为法人"):
        issue(case, world.chief, now)


def test_a_missing_required_field_fails_the_approval_clearly(world, now):
    strict = make_type(issuers=[world.dept], now=now, fields=[
        {"name": "premises", "label": "经营场所", "type": "text", "required": True,
         "form_field": "contact_address"},
    ])
    item = make_item(organisation=world.dept, now=now, result_licence_type=strict.code)
    case = approved_case(world, now, item)  # FORM has no contact_address
    with pytest.raises(ResultLicenceFailed) as caught:
        issue(case, world.chief, now)
    error = caught.value
    assert error.code == "cases.result-licence-failed" and error.http_status == 422
    assert "经营场所必须填写" in error.message and "办件未能办结" in error.message
    assert error.details == {"premises": "经营场所必须填写。"}
    assert not Licence.objects.exists()


def test_an_organisation_that_may_not_issue_the_type_fails_the_approval(world, now):
    elsewhere = make_type(issuers=[OrganisationFactory(name="外地发证机关")], now=now,
                          fields=[])
    item = make_item(organisation=world.dept, now=now, result_licence_type=elsewhere.code)
    with pytest.raises(ResultLicenceFailed, match=r"不是.*的颁发机构"):
        issue(approved_case(world, now, item), world.chief, now)


def test_an_unknown_result_type_fails_and_an_item_without_one_issues_nothing(world, now):
    item = make_item(organisation=world.dept, now=now, result_licence_type="11100000MB0143028C999")
    with pytest.raises(ResultLicenceFailed, match="没有启用的证照类型"):
        issue(approved_case(world, now, item), world.chief, now)
    assert issue(approved_case(world, now, world.item), world.chief, now) is None
