"""容缺 as a new applicant and a clerk meet it: the guide, the upload page, the check page,
the clerk's accept form and the notice all name the catalog's own supply period, and a
tolerable material that is missing does not stop an online submission."""

import re

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import FORM, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scan.pdf", pdf_bytes(), content_type="application/pdf")


def test_the_guide_states_the_catalogs_supply_period(client, world):
    page = client.get(reverse("web:item-guide", args=[world.item.code])).content.decode()
    assert "受理后 10 个工作日内补交" in page


def test_an_online_application_may_leave_out_a_tolerable_material(client, world, now):
    client.force_login(world.citizen)
    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     form_data=FORM, now=now)
    materials_url = reverse("web:apply-materials", kwargs={"draft_id": draft.pk})
    for material in draft.materials.filter(requirement="REQUIRED", tolerance_allowed=False):
        assert client.post(materials_url, {"material_id": material.pk,
                                           "file": _upload()}).status_code == 302
    upload_page = client.get(materials_url).content.decode()
    assert "您在受理后 10 个工作日内补交即可" in upload_page

    check = client.get(reverse("web:apply-check", kwargs={"draft_id": draft.pk}))
    body = check.content.decode()
    assert "必要材料没有上传" not in body
    assert "经营场所使用证明：受理后 10 个工作日内补交" in body
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', body).group(1)
    version = re.search(r'name="expected_version" value="(\d+)"', body).group(1)
    submitted = client.post(check.wsgi_request.path,
                            {"idempotency_key": key, "expected_version": version})
    case = Case.objects.get(pk=draft.pk)
    assert case.status == "SUBMITTED"
    assert submitted.url == reverse("web:my-case", kwargs={"number": case.number})

    # The clerk's accept form proposes the same period, and accepting with it keeps it.
    client.force_login(world.clerk)
    desk = client.get(reverse("web:staff-case", args=[case.number])).content.decode()
    assert re.search(r'name="supply_days" value="10"', desk)
    site = case.materials.get(tolerance_allowed=True)
    accepted = client.post(reverse("web:staff-case-accept", args=[case.number]),
                           {"tolerated": [site.pk], "supply_days": "10",
                            "expected_version": case.lock_version})
    assert accepted.status_code == 302
    case.refresh_from_db()
    assert case.status == "IN_REVIEW"
    assert case.actions.get(kind="ACCEPT").data["notice"]["supply_days"] == 10


def test_a_clerk_cannot_give_longer_than_the_catalog_allows(client, world, now):
    from onewindow.cases.tests.factories import walk_in

    case = walk_in(world, now, received=("食品经营许可申请书", "营业执照", "食品安全管理制度"))
    site = case.materials.get(tolerance_allowed=True)
    client.force_login(world.clerk)
    refused = client.post(reverse("web:staff-case-accept", args=[case.number]),
                          {"tolerated": [site.pk], "supply_days": "30",
                           "expected_version": case.lock_version})
    assert refused.status_code == 422
    assert "补齐期限不能超过事项规定的 10 个工作日" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "SUBMITTED"
