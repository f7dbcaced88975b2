"""The task page of a 现场核查 step: the checklist form with photos, its errors, the saved
record and its PDF; the step's opinion is refused until the record is saved."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.cases.models import InspectionPhoto, InspectionRecord
from onewindow.cases.tests.factories import png_bytes
from onewindow.cases.tests.test_inspection import CHECKLIST, at_inspection

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _all(result="pass"):
    return {f"result_{p['key']}": result for p in CHECKLIST}


def test_the_handler_records_the_checklist_then_completes_the_step(client, world, now):
    case, step = at_inspection(world, now)
    client.force_login(world.handler)
    url = reverse("web:task", args=[step.pk])
    page = _text(client.get(url))
    assert "现场核查记录" in page and "经营场所与申请一致" in page and "设备设施齐全" in page

    # Completing first: refused, the record is missing.
    early = client.post(url, {"do": "opinion", "stance": "agree", "opinion": "符合。",
                              "expected_version": case.lock_version})
    assert early.status_code == 422 and "请先保存现场核查记录" in _text(early)

    # A failed point needs a note; nothing is written.
    bad = client.post(url, {"do": "inspection", **_all(), "result_equipment": "fail",
                            "expected_version": case.lock_version})
    assert bad.status_code == 422 and "“设备设施齐全”不符合，请写明情况" in _text(bad)
    assert not InspectionRecord.objects.filter(case=case).exists()

    saved = client.post(url, {"do": "inspection", **_all(), "result_equipment": "fail",
                              "note_equipment": "缺少消毒柜，当场整改。",
                              "photo_layout": SimpleUploadedFile("a.png", png_bytes()),
                              "conclusion": "整改后符合。", "inspectors": "李四、王五",
                              "expected_version": case.lock_version})
    assert saved.status_code == 302 and saved.url == url
    record = InspectionRecord.objects.get(case=case)
    [photo] = InspectionPhoto.objects.filter(case=case)
    assert record.results["layout"]["photos"] == [photo.pk]
    assert record.results["equipment"]["result"] == "fail"
    page = _text(client.get(url))
    assert "已于" in page and "打印现场核查记录" in page and "缺少消毒柜，当场整改。" in page
    pdf = client.get(reverse("web:task-inspection-pdf", args=[step.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # The chief at 决定 and the case page show the record and its PDF.
    client.force_login(world.chief)
    staff = _text(client.get(reverse("web:staff-case", args=[case.number])))
    assert "现场核查记录" in staff and "缺少消毒柜，当场整改。" in staff
    assert "符合 2 项，不符合 1 项，不适用 0 项" in staff
    record_pdf = client.get(reverse("web:case-inspection-pdf", args=[case.number, record.pk]))
    assert record_pdf.status_code == 200 and record_pdf.content.startswith(b"%PDF")
    client.force_login(world.citizen)
    assert client.get(reverse("web:case-inspection-pdf",
                              args=[case.number, record.pk])).status_code == 404
    client.force_login(world.handler)
    case.refresh_from_db()
    done = client.post(url, {"do": "opinion", "stance": "agree", "opinion": "核查完毕，符合。",
                             "expected_version": case.lock_version})
    assert done.status_code == 302
    step.refresh_from_db()
    assert step.status == "COMPLETED"


def test_the_chief_sees_the_licence_draft_and_corrects_a_field(client, world, now):
    from onewindow.cases.tests.test_licence_draft import at_decision

    case, decide, _type = at_decision(world, now)
    client.force_login(world.chief)
    url = reverse("web:task", args=[decide.pk])
    page = _text(client.get(url))
    assert "证照草稿" in page and "山东省威海市环翠区海滨北路 9 号" in page
    assert "热食类食品制售" in page and "更正证照草稿" in page

    missing = client.post(url, {"do": "licence_correct", "field": "premises", "value": "x",
                                "reason": "", "expected_version": case.lock_version})
    assert missing.status_code == 422 and "请填写更正理由" in _text(missing)
    stale = client.post(url, {"do": "licence_correct", "field": "premises", "value": "新址",
                              "reason": "门牌号有误。", "expected_version": case.lock_version - 1})
    assert stale.status_code == 409
    done = client.post(url, {"do": "licence_correct", "field": "premises",
                             "value": "山东省威海市环翠区海滨北路 9-1 号", "reason": "门牌号有误。",
                             "expected_version": case.lock_version})
    assert done.status_code == 302 and done.url == url
    page = _text(client.get(url))
    assert "已更正" in page and "门牌号有误。" in page
    assert "山东省威海市环翠区海滨北路 9-1 号" in page
    # The handler's review step shows no draft.
    client.force_login(world.handler)
    assert client.post(url, {"do": "licence_correct", "field": "premises", "value": "x",
                             "reason": "y"}).status_code == 404
