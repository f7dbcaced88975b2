"""现场核查 (issue 13): an item with a checklist runs a route with an inspection step; its
handler records every point (pass / fail / na, notes, photos), the record is attached to
the case with an action and audit row, printed as 现场核查记录, and the step cannot be
completed without it. Bad input: 422 naming the point, nothing written."""

import datetime as dt
import shutil

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.cases.codes import ActionKind
from onewindow.cases.errors import (
    CaseConflict,
    InspectionInvalid,
    InspectionMissing,
    UploadRejected,
)
from onewindow.cases.models import InspectionPhoto, InspectionRecord
from onewindow.catalog import services as catalog_services
from onewindow.catalog.models import ImplementationVersion
from onewindow.catalog.tests.factories import make_item
from onewindow.identity.models import Role
from onewindow.identity.tests.factories import StaffFactory, grant
from onewindow.workflow.errors import WorkItemNotFound

from .factories import png_bytes
from .test_review import accepted, pdf_text, ready

pytestmark = pytest.mark.django_db

CHECKLIST = [
    {"key": "premises_match", "text": "经营场所与申请一致"},
    {"key": "layout", "text": "布局流程合理"},
    {"key": "equipment", "text": "设备设施齐全"},
]
ALL_PASS = {p["key"]: {"result": "pass", "note": "", "photos": []} for p in CHECKLIST}


def inspected_item(world, now):
    item = make_item(organisation=world.dept, now=now, name="食品经营许可（新办）",
                     publish=False)
    ImplementationVersion.objects.filter(implementation=item).update(
        inspection_checklist=CHECKLIST)
    catalog_services.item_publish(actor=None, implementation=item, reason="首次发布", now=now)
    item.refresh_from_db()
    return item


def at_inspection(world, now):
    case = accepted(world, now, item=inspected_item(world, now))
    [review] = ready(case)
    services.case_task_complete(actor=world.handler, work_item=review, opinion="材料齐全。",
                                stance="agree", now=now)
    [step] = ready(case)
    assert (step.task_label, step.kind) == ("现场核查", "inspection")
    case.refresh_from_db()
    return case, step


def _written(case):
    return (case.actions.count(), InspectionRecord.objects.filter(case=case).count(),
            InspectionPhoto.objects.filter(case=case).count())


def test_a_route_without_a_checklist_has_no_inspection_step(world, now):
    case = accepted(world, now)
    [review] = ready(case)
    assert review.kind == ""
    services.case_task_complete(actor=world.handler, work_item=review, opinion="同意。",
                                stance="agree", now=now)
    [decide] = ready(case)
    assert decide.task_label == "决定"


def test_the_step_cannot_be_completed_without_its_record(world, now):
    _case, step = at_inspection(world, now)
    with pytest.raises(InspectionMissing) as missing:
        services.case_task_complete(actor=world.handler, work_item=step, opinion="核查通过。",
                                    stance="agree", now=now)
    assert missing.value.code == "cases.inspection-missing"
    step.refresh_from_db()
    assert step.status == "READY"


def test_the_handler_records_the_checklist_with_a_photo_then_completes(world, now, tmp_path):
    case, step = at_inspection(world, now)
    results = {**ALL_PASS, "equipment": {"result": "fail", "note": "缺少消毒柜。",
                                         "photos": []}}
    record = services.inspection_record_save(
        actor=world.handler, work_item=step, results=results, conclusion="基本符合，限期整改。",
        inspectors="李四、王五", photos={"equipment": [(png_bytes(), "IMG_0001.png")]},
        expected_version=case.lock_version, now=now)
    [photo] = InspectionPhoto.objects.filter(case=case)
    assert record.results["equipment"] == {"result": "fail", "note": "缺少消毒柜。",
                                           "photos": [photo.pk]}
    assert record.checklist == CHECKLIST and record.inspected_on == now.date()
    row = case.actions.filter(kind=ActionKind.INSPECTION_RECORD).get()
    assert row.data["results"] == {"pass": 2, "fail": 1, "na": 0}
    assert AuditEvent.objects.filter(subject_id=str(case.pk),
                                      action__icontains="INSPECTION").exists()

    # Saved again while open: the same record, the earlier photo kept by id.
    case.refresh_from_db()
    again = services.inspection_record_save(
        actor=world.handler, work_item=step,
        results={**results, "equipment": {**results["equipment"], "photos": [photo.pk]}},
        conclusion="符合要求。", expected_version=case.lock_version, now=now)
    assert again.pk == record.pk and again.results["equipment"]["photos"] == [photo.pk]

    services.case_task_complete(actor=world.handler, work_item=step, opinion="核查完毕。",
                                stance="agree", now=now)
    [decide] = ready(case)
    assert decide.task_label == "决定"

    if shutil.which("pdftotext"):
        from onewindow.cases.notices import inspection_pdf

        text = pdf_text(inspection_pdf(again).content, tmp_path)
        for words in ("现场核查记录", "经营场所与申请一致", "不符合", "缺少消毒柜", "符合要求"):
            assert words in text


def test_a_record_saved_again_without_a_day_keeps_the_day_it_was_inspected(world, now):
    case, step = at_inspection(world, now)
    earlier = now.date() - dt.timedelta(days=2)
    services.inspection_record_save(actor=world.handler, work_item=step, results=ALL_PASS,
                                    inspected_on=earlier, expected_version=case.lock_version,
                                    now=now)
    case.refresh_from_db()
    record = services.inspection_record_save(  # as the task page saves: no day sent
        actor=world.handler, work_item=step, results=ALL_PASS, conclusion="复核无误。",
        expected_version=case.lock_version, now=now)
    assert record.inspected_on == earlier and record.conclusion == "复核无误。"


def test_bad_records_are_refused_naming_the_point_and_nothing_is_written(world, now):
    case, step = at_inspection(world, now)
    before = _written(case)
    cases = [
        ({"premises_match": {"result": "pass"}}, "layout", "required"),
        ({**ALL_PASS, "layout": {"result": "maybe"}}, "layout", "option"),
        ({**ALL_PASS, "equipment": {"result": "fail", "note": " "}}, "equipment", "required"),
        ({**ALL_PASS, "smoking": {"result": "pass"}}, "smoking", "unknown"),
        ({**ALL_PASS, "layout": {"result": "pass", "photos": [10**9]}}, "layout",
         "not-own-photo"),
        ({**ALL_PASS, "layout": {"result": "pass", "note": "长" * 501}}, "layout", "length"),
        ([], "results", "type"),
    ]
    for results, key, code in cases:
        with pytest.raises(InspectionInvalid) as refused:
            services.inspection_record_save(actor=world.handler, work_item=step,
                                            results=results, now=now)
        assert refused.value.code == "cases.inspection-invalid"
        assert key in refused.value.details and refused.value.details["codes"][key] == code
    # A photo that is not an image, even one named .jpg, is refused before anything else.
    with pytest.raises(UploadRejected):
        services.inspection_record_save(
            actor=world.handler, work_item=step, results=ALL_PASS,
            photos={"layout": [(b"%PDF-1.4\n%%EOF\n", "photo.jpg")]}, now=now)
    # A new photo with an invalid record leaves no file and no row behind.
    with pytest.raises(InspectionInvalid):
        services.inspection_record_save(
            actor=world.handler, work_item=step, results={"layout": {"result": "pass"}},
            photos={"layout": [(png_bytes(), "a.png")]}, now=now)
    assert _written(case) == before


def test_a_stale_page_gets_409_and_another_department_404(world, now):
    case, step = at_inspection(world, now)
    stale = case.lock_version - 1
    with pytest.raises(CaseConflict):
        services.inspection_record_save(actor=world.handler, work_item=step,
                                        results=ALL_PASS, expected_version=stale, now=now)
    stranger = StaffFactory(organisation=world.other_dept)
    grant(stranger, Role.HANDLER, world.other_dept)
    with pytest.raises(WorkItemNotFound):
        services.inspection_record_save(actor=stranger, work_item=step, results=ALL_PASS,
                                        now=now)
    # The chief may not do the handler's step either.
    with pytest.raises(WorkItemNotFound):
        services.inspection_record_save(actor=world.chief, work_item=step, results=ALL_PASS,
                                        now=now)
    assert not InspectionRecord.objects.filter(case=case).exists()


def test_a_review_step_is_not_an_inspection_step(world, now):
    case = accepted(world, now, item=inspected_item(world, now))
    [review] = ready(case)
    with pytest.raises(InspectionInvalid):
        services.inspection_record_save(actor=world.handler, work_item=review,
                                        results=ALL_PASS, now=now)
