"""A correction notice (补正告知) sets a deadline to supply, shown on the notice and on the
applicant's case page, and an item that is not on the catalog's list can be uploaded
online like any other material (the item promises zero visits)."""

import subprocess

import pytest
from django.urls import reverse

from onewindow.cases import notices, selectors, services
from onewindow.cases.errors import CaseInvalid
from onewindow.cases.tests.factories import pdf_bytes, submit_online

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scan.pdf", pdf_bytes(), content_type="application/pdf")


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(out.split())


def test_correction_with_a_deadline_and_an_other_item_uploaded_online(
        client, world, now, tmp_path):
    case = submit_online(world, now)
    licence = case.materials.get(name="营业执照")
    client.force_login(world.clerk)
    page = client.get(reverse("web:staff-case", args=[case.number])).content.decode()
    # The form proposes the default period from the settings (20 working days).
    assert 'name="supply_days" value="20"' in page
    response = client.post(reverse("web:staff-case-correction", args=[case.number]), {
        f"c_{licence.pk}": "on", f"p_{licence.pk}": "复印件不清晰",
        "extra_name": "法定代表人授权委托书", "extra_problem": "请补充委托书原件扫描件",
        "supply_days": "20", "expected_version": case.lock_version,
    })
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "CORRECTION_REQUESTED"

    # The notice prints the deadline: 20 working days from Monday 2026-11-23.
    ref = selectors.notices_of(case=case)[-1]
    text = _pdf_text(notices.render_notice(case=case, seq=ref.seq).content, tmp_path)
    assert "补正期限" in text and "2026年12月21日前" in text
    assert "法定代表人授权委托书：请补充委托书原件扫描件" in text

    # The applicant sees the date and can upload the "other" item online.
    client.force_login(world.citizen)
    mine = client.get(reverse("web:my-case", args=[case.number])).content.decode()
    assert "2026年12月21日" in mine
    other = case.materials.get(name="法定代表人授权委托书")
    assert f'id="material-{other.pk}"' in mine
    assert "带上材料到窗口办理" not in mine
    for material in (licence, other):
        uploaded = client.post(reverse("web:my-case-upload", args=[case.number]),
                               {"material_id": material.pk, "file": _upload()})
        assert uploaded.status_code == 302
    case.refresh_from_db()
    done = client.post(reverse("web:my-case-supply", args=[case.number]),
                       {"expected_version": case.lock_version})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "SUBMITTED"
    other.refresh_from_db()
    assert other.files.count() == 1 and other.problem == ""


def test_a_correction_period_out_of_range_is_refused(world, now):
    case = submit_online(world, now)
    licence = case.materials.get(name="营业执照")
    with pytest.raises(CaseInvalid) as refused:
        services.case_request_correction(
            actor=world.clerk, case=case, supply_days=0, now=now,
            items=[{"material_id": licence.pk, "problem": "复印件不清晰"}])
    assert refused.value.code == "cases.invalid"
    assert "supply_days" in refused.value.details
    case.refresh_from_db()
    assert case.status == "SUBMITTED" and not case.actions.filter(
        kind="REQUEST_CORRECTION").exists()
