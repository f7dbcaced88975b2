"""The licence draft at 决定 (issue 13): the type's fields filled from the version's licence
mapping (answers, decision, applicant) with the old form rule as fallback; the chief's
correction (field, value, reason) logged and carried by the issued licence, its VC claims
and its PDF. Bad input 422, a stale page 409, anyone but the chief at 决定 404, nothing
written on error."""

import shutil
import subprocess

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases import selectors, services
from onewindow.cases.codes import ActionKind, CaseStatus
from onewindow.cases.errors import (
    CaseConflict,
    CaseNotFound,
    LicenceDraftInvalid,
    ReasonRequired,
)
from onewindow.catalog import services as catalog_services
from onewindow.catalog.models import ImplementationVersion
from onewindow.catalog.tests.factories import make_item
from onewindow.licences import exports
from onewindow.licences.models import Licence
from onewindow.licences.tests.factories import make_type

from .factories import FORM, submit_online
from .test_review import ready
from .test_review_api import as_, client

pytestmark = pytest.mark.django_db

FIELDS = [
    {"name": "operator_name", "label": "经营者名称", "type": "text", "required": True,
     "form_field": "contact_name"},
    {"name": "premises", "label": "经营场所", "type": "text", "required": True,
     "form_field": "contact_address"},
    {"name": "business_format", "label": "主体业态", "type": "text"},
    {"name": "business_items", "label": "经营项目", "type": "text", "required": True,
     "form_field": "application_content"},
    {"name": "supervisor_org", "label": "日常监督管理机构", "type": "text"},
]
MAPPING = {"operator_name": "answers.operator_name", "premises": "answers.premises",
           "business_format": "answers.business_format",
           "business_items": "answers.business_items",
           "supervisor_org": "case.organisation"}
FORM_DEFINITION = {"schema": 1, "pages": [{"key": "business", "title": "经营信息", "fields": [
    {"key": "operator_name", "type": "text", "label": "经营者名称"},
    {"key": "premises", "type": "address", "label": "经营场所"},
    {"key": "business_format", "type": "choice", "label": "主体业态",
     "options": [{"value": "retail", "label": "食品销售经营者"},
                 {"value": "catering", "label": "餐饮服务经营者"}]},
    {"key": "business_items", "type": "choice", "label": "经营项目", "multiple": True,
     "options": [{"value": "prepacked", "label": "预包装食品销售（含冷藏冷冻食品）"},
                 {"value": "hot", "label": "热食类食品制售"}]},
]}]}
ANSWERS = {"operator_name": "威海海味餐饮有限公司",
           "premises": {"region_code": "371002", "street": "山东省威海市环翠区海滨北路 9 号"},
           "business_format": "catering", "business_items": ["prepacked", "hot"]}


def licensed_item(world, now, mapping=MAPPING):
    licence_type = make_type(issuers=[world.dept], fields=FIELDS, now=now)
    item = make_item(organisation=world.dept, now=now, name="食品经营许可（新办）",
                     result_name="食品经营许可证", result_kind="LICENCE",
                     result_licence_type=licence_type.code, publish=False)
    ImplementationVersion.objects.filter(implementation=item).update(
        licence_mapping=mapping, form=FORM_DEFINITION)
    catalog_services.item_publish(actor=None, implementation=item, reason="首次发布", now=now)
    item.refresh_from_db()
    return item, licence_type


def at_decision(world, now, *, answers=ANSWERS, mapping=MAPPING):
    item, licence_type = licensed_item(world, now, mapping)
    case = submit_online(world, now, item=item)
    case.answers = answers  # as the form service stores them (ADR 0031)
    case.save(update_fields=["answers"])
    services.case_accept(actor=world.clerk, case=case, now=now)
    [review] = ready(case)
    services.case_task_complete(actor=world.handler, work_item=review, opinion="同意。",
                                stance="agree", now=now)
    [decide] = ready(case)
    case.refresh_from_db()
    return case, decide, licence_type


def _values(draft):
    return {f.name: (f.value, f.source) for f in draft.fields}


def test_the_draft_maps_answers_and_falls_back_to_the_form(world, now):
    case, _decide, _type = at_decision(world, now)
    draft = selectors.licence_draft(case, on_date=now.date())
    assert _values(draft) == {
        "operator_name": ("威海海味餐饮有限公司", "answers.operator_name"),
        "premises": ("山东省威海市环翠区海滨北路 9 号", "answers.premises"),
        "business_format": ("餐饮服务经营者", "answers.business_format"),
        "business_items": ("预包装食品销售（含冷藏冷冻食品）、热食类食品制售",
                           "answers.business_items"),
        "supervisor_org": (world.dept.name, "case.organisation"),
    }
    assert draft.valid_from == now.date() and draft.valid_until is not None
    # Without answers the old rule fills what the generic form has.
    plain, _d, _t = at_decision(world, now, answers={})
    draft = selectors.licence_draft(plain, on_date=now.date())
    assert _values(draft)["business_items"] == (FORM["application_content"], "form")
    assert _values(draft)["operator_name"] == (FORM["contact_name"], "form")


def test_a_correction_is_logged_and_the_issued_licence_carries_it(world, now, tmp_path):
    case, decide, _type = at_decision(world, now)
    services.licence_draft_correct(
        actor=world.chief, case=case, field="premises", value="山东省威海市环翠区海滨北路 9-1 号",
        reason="现场核查确认门牌号为 9-1 号。", expected_version=case.lock_version, now=now)
    row = case.actions.filter(kind=ActionKind.LICENCE_CORRECT).get()
    assert row.data["field"] == "premises"
    assert row.data["before"] == "山东省威海市环翠区海滨北路 9 号"
    assert row.data["value"] == "山东省威海市环翠区海滨北路 9-1 号"
    assert row.data["reason"] == "现场核查确认门牌号为 9-1 号。"
    assert AuditEvent.objects.filter(subject_id=str(case.pk),
                                     action__icontains="licence_correct").exists()
    case.refresh_from_db()
    premises = selectors.licence_draft(case, on_date=now.date()).field("premises")
    assert premises.corrected and premises.original == "山东省威海市环翠区海滨北路 9 号"

    services.case_task_complete(actor=world.chief, work_item=decide, opinion="同意。",
                                decision="approve", now=now)
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    licence = Licence.objects.get(case_number=case.number)
    assert licence.fields["premises"] == "山东省威海市环翠区海滨北路 9-1 号"
    assert licence.fields["business_items"] == "预包装食品销售（含冷藏冷冻食品）、热食类食品制售"
    claims = exports.licence_vc_claims(licence, now=now)
    assert "山东省威海市环翠区海滨北路 9-1 号" in str(claims)
    if shutil.which("pdftotext"):
        path = tmp_path / "licence.pdf"
        path.write_bytes(exports.licence_pdf(licence=licence, now=now).content)
        text = "".join(subprocess.run(["pdftotext", "-layout", str(path), "-"],
                                      capture_output=True, text=True, check=True).stdout.split())
        assert "经营场所山东省威海市环翠区海滨北路9-1号" in text
        assert "经营项目预包装食品销售（含冷藏冷冻食品）、热食类食品制售" in text


def test_bad_corrections_are_refused_and_nothing_is_written(world, now):
    case, _decide, _type = at_decision(world, now)
    before = case.actions.count()
    version = case.lock_version
    attempts = [
        (dict(field="colour", value="红", reason="x"), LicenceDraftInvalid, "field"),
        (dict(field="premises", value="  ", reason="x"), LicenceDraftInvalid, "value"),
        (dict(field="premises", value="新地址", reason=""), ReasonRequired, "reason"),
        (dict(field="premises", value="山东省威海市环翠区海滨北路 9 号", reason="x"),
         LicenceDraftInvalid, "value"),
    ]
    for kwargs, error, key in attempts:
        with pytest.raises(error) as refused:
            services.licence_draft_correct(actor=world.chief, case=case,
                                           expected_version=version, now=now, **kwargs)
        assert key in refused.value.details
    with pytest.raises(CaseConflict):
        services.licence_draft_correct(actor=world.chief, case=case, field="premises",
                                       value="新地址", reason="x", expected_version=version - 1,
                                       now=now)
    # Only the chief at 决定: the handler, the applicant and another department get 404.
    for actor in (world.handler, world.citizen, world.other_clerk):
        with pytest.raises(CaseNotFound):
            services.licence_draft_correct(actor=actor, case=case, field="premises",
                                           value="新地址", reason="x", now=now)
    assert case.actions.count() == before


def test_the_api_reads_and_corrects_the_draft(world, now):
    case, _decide, _type = at_decision(world, now)
    url = f"/v1/cases/{case.number}/licence-draft"
    draft = client.get(url, **as_(world.chief))
    assert draft.status_code == 200
    body = draft.json()
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["premises"]["value"] == "山东省威海市环翠区海滨北路 9 号"
    assert fields["premises"]["source"] == "answers.premises"
    assert client.get(url, **as_(world.citizen)).status_code == 404
    assert client.get(url, **as_(world.other_clerk)).status_code == 404

    bad = client.post(f"{url}/corrections", json={"field": "nope", "value": "x", "reason": "y",
                                                  "version": body["case_version"]},
                      **as_(world.chief))
    assert bad.status_code == 422 and bad.json()["code"] == "cases.licence-draft-invalid"
    stale = client.post(f"{url}/corrections",
                        json={"field": "business_format", "value": "食品销售经营者",
                              "reason": "申请人选错业态。", "version": body["case_version"] - 1},
                        **as_(world.chief))
    assert stale.status_code == 409
    handler = client.post(f"{url}/corrections",
                          json={"field": "business_format", "value": "食品销售经营者",
                                "reason": "申请人选错业态。"}, **as_(world.handler))
    assert handler.status_code == 404
    assert not case.actions.filter(kind=ActionKind.LICENCE_CORRECT).exists()
    ok = client.post(f"{url}/corrections",
                     json={"field": "business_format", "value": "食品销售经营者",
                           "reason": "申请人选错业态。", "version": body["case_version"]},
                     **as_(world.chief))
    assert ok.status_code == 200
    corrected = {f["name"]: f for f in ok.json()["fields"]}["business_format"]
    assert corrected["value"] == "食品销售经营者" and corrected["corrected"]
    assert corrected["original"] == "餐饮服务经营者"
