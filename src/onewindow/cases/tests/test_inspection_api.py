"""The 现场核查 endpoints: photo upload, record save (422 naming the point, 409 stale, 404
for another department's task or case), the record and its PDF."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.models import InspectionPhoto, InspectionRecord

from .factories import png_bytes
from .test_inspection import ALL_PASS, at_inspection
from .test_review_api import as_, client

pytestmark = pytest.mark.django_db


def test_photo_then_record_then_pdf(world, now):
    case, step = at_inspection(world, now)
    base = f"/v1/cases/tasks/{step.pk}/inspection"
    photo = client.post(f"{base}/photos", data={"point": "layout"},
                        FILES={"file": SimpleUploadedFile("p.png", png_bytes())},
                        **as_(world.handler))
    assert photo.status_code == 201, photo.json()
    photo_id = photo.json()["id"]
    not_image = client.post(f"{base}/photos", data={"point": "layout"},
                            FILES={"file": SimpleUploadedFile("p.png", b"MZ\x90\x00" * 8)},
                            **as_(world.handler))
    assert not_image.status_code == 422
    assert InspectionPhoto.objects.filter(case=case).count() == 1

    results = {**ALL_PASS, "layout": {"result": "pass", "note": "生熟分开。",
                                      "photos": [photo_id]}}
    bad = client.post(base, json={"results": {**results, "layout": {"result": "x"}}},
                      **as_(world.handler))
    assert bad.status_code == 422
    assert bad.json()["code"] == "cases.inspection-invalid"
    assert bad.json()["details"]["codes"]["layout"] == "option"
    stale = client.post(base, json={"results": results, "version": case.lock_version - 1},
                        **as_(world.handler))
    assert stale.status_code == 409
    assert not InspectionRecord.objects.filter(case=case).exists()

    saved = client.post(base, json={"results": results, "conclusion": "符合要求。",
                                    "version": case.lock_version}, **as_(world.handler))
    assert saved.status_code == 200, saved.json()
    body = saved.json()
    assert body["tally"] == {"pass": 3, "fail": 0, "na": 0}
    assert [p["photos"] for p in body["points"] if p["key"] == "layout"] == [[photo_id]]

    url = f"/v1/cases/{case.number}/inspections/{body['id']}"
    assert client.get(url, **as_(world.chief)).status_code == 200
    pdf = client.get(f"{url}/pdf", **as_(world.handler))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The applicant does not read the back office's record; another department neither.
    assert client.get(url, **as_(world.citizen)).status_code == 404
    assert client.get(url, **as_(world.other_clerk)).status_code == 404


def test_another_departments_staff_get_404_and_nothing_is_written(world, now):
    case, step = at_inspection(world, now)
    base = f"/v1/cases/tasks/{step.pk}/inspection"
    for account in (world.other_clerk, world.citizen, world.chief):
        answer = client.post(base, json={"results": ALL_PASS}, **as_(account))
        assert answer.status_code == 404, account
    assert not InspectionRecord.objects.filter(case=case).exists()
