"""The cases router, mounted on a test API with the same error mapping as onewindow.api
(cases may not import the interfaces layer)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja import NinjaAPI
from ninja.security import APIKeyHeader
from ninja.testing import TestClient

from onewindow.cases.api import router
from onewindow.common.errors import ApplicationError
from onewindow.identity.models import Account

from .factories import FORM, pdf_bytes, submit_online

pytestmark = pytest.mark.django_db


class HeaderUser(APIKeyHeader):
    param_name = "X-Test-User"

    def authenticate(self, request, key):
        return Account.objects.filter(username=key).first()


api = NinjaAPI(urls_namespace="cases-api-test", auth=[HeaderUser()])
api.add_router("/v1/cases", router)


@api.exception_handler(ApplicationError)
def _application_error(request, exc):
    return api.create_response(
        request, {"code": exc.code, "message": str(exc.message), "details": exc.details},
        status=exc.http_status,
    )


client = TestClient(api)


def as_(account) -> dict:
    return {"headers": {"X-Test-User": account.username}}


def test_operation_ids_are_stable():
    ids = {operation.operation_id for view in router.path_operations.values()
           for operation in view.operations}
    assert {"case_submit", "case_get", "case_list", "case_accept", "case_reject",
            "case_request_correction", "case_supply_materials", "case_withdraw",
            "case_timeline", "case_progress_public"} <= ids


def test_apply_online_through_the_api(world):
    response = client.post("/v1/cases/drafts", json={"implementation_code": world.item.code,
                                                    "form_data": FORM}, **as_(world.citizen))
    assert response.status_code == 201, response.json()
    draft = response.json()
    assert draft["status"] == "DRAFT" and draft["number"] is None
    for material in draft["materials"]:
        if material["requirement"] != "REQUIRED":
            continue
        upload = client.post(
            f"/v1/cases/{draft['id']}/materials/{material['id']}/files",
            FILES={"file": SimpleUploadedFile("scan.pdf", pdf_bytes())}, **as_(world.citizen))
        assert upload.status_code == 201, upload.json()
    missing_key = client.post("/v1/cases", json={"draft_id": draft["id"]}, **as_(world.citizen))
    assert missing_key.status_code == 422
    first = client.post("/v1/cases", json={"draft_id": draft["id"]},
                        headers={"X-Test-User": world.citizen.username, "Idempotency-Key": "k1"})
    assert first.status_code == 201, first.json()
    again = client.post("/v1/cases", json={"draft_id": draft["id"]},
                        headers={"X-Test-User": world.citizen.username, "Idempotency-Key": "k1"})
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    body = first.json()
    assert body["status"] == "SUBMITTED" and body["clock"]["state"] == "NORMAL"
    assert body["allowed_actions"] == ["case_withdraw", "case_delivery_choose"]


def test_front_desk_flow_and_errors(world, now):
    case = submit_online(world, now)
    queue = client.get("/v1/cases?scope=queue", **as_(world.clerk)).json()
    assert [row["number"] for row in queue["items"]] == [case.number]
    detail = client.get(f"/v1/cases/{case.number}", **as_(world.clerk)).json()
    assert detail["applicant"]["masked"] is False
    refused = client.post(f"/v1/cases/{case.number}/reject", json={"reason": ""},
                          **as_(world.clerk))
    assert refused.status_code == 422 and refused.json()["code"] == "cases.reason-required"
    version = detail["lock_version"]
    ok = client.post(f"/v1/cases/{case.number}/accept", json={"version": version},
                     **as_(world.clerk))
    assert ok.status_code == 200 and ok.json()["status"] == "IN_REVIEW"
    stale = client.post(f"/v1/cases/{case.number}/correction",
                        json={"version": version, "items": [{"name": "x", "problem": "y"}]},
                        **as_(world.clerk))
    assert stale.status_code == 409
    assert stale.json() == {"code": "cases.conflict",
                            "message": "该办件刚被其他人处理，请刷新后查看。", "details": None}
    timeline = client.get(f"/v1/cases/{case.number}/timeline", **as_(world.citizen)).json()
    assert [e["kind"] for e in timeline][-3:] == ["SUBMIT", "ACCEPT", "ROUTE_START"]
    pdf = client.get(f"/v1/cases/{case.number}/notices/{timeline[-2]['seq']}",
                     **as_(world.citizen))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_outside_staff_get_404_and_masked_fields_for_supervisors(world, now):
    case = submit_online(world, now)
    for path in (f"/v1/cases/{case.number}", f"/v1/cases/{case.number}/timeline"):
        response = client.get(path, **as_(world.other_clerk))
        assert response.status_code == 404 and response.json()["code"] == "cases.not-found"
    accept = client.post(f"/v1/cases/{case.number}/accept", json={}, **as_(world.other_clerk))
    assert accept.status_code == 404
    detail = client.get(f"/v1/cases/{case.number}", **as_(world.supervisor)).json()
    assert detail["applicant"]["masked"] is True
    assert world.citizen.person.id_number not in str(detail)
    assert "*" in detail["form_data"]["contact_phone"]


def test_public_progress_needs_no_login_and_shows_status_only(world, now):
    case = submit_online(world, now)
    response = client.get(f"/v1/cases/progress?number={case.number}&code={case.query_code}")
    assert response.status_code == 200
    body = response.json()
    assert body["status_label"] == "待受理" and "applicant" not in body
    assert world.citizen.person.name not in str(body)
    wrong = client.get(f"/v1/cases/progress?number={case.number}&code=AAAAAAAA")
    assert wrong.status_code == 404


def test_public_progress_pauses_after_ten_wrong_codes(world, now):
    from django.core.cache import cache

    cache.clear()
    case = submit_online(world, now)
    try:
        for attempt in range(10):
            miss = client.get(f"/v1/cases/progress?number={case.number}&code=WRONG{attempt:03d}")
            assert miss.status_code == 404
        blocked = client.get(f"/v1/cases/progress?number={case.number}&code={case.query_code}")
        assert blocked.status_code == 429
        assert blocked.json()["code"] == "too-many-attempts"
    finally:
        cache.clear()


def test_upload_of_disguised_executable_is_refused_with_a_clear_error(world, now):
    response = client.post("/v1/cases/drafts", json={"implementation_code": world.item.code},
                           **as_(world.citizen))
    draft = response.json()
    material = draft["materials"][0]
    upload = client.post(
        f"/v1/cases/{draft['id']}/materials/{material['id']}/files",
        FILES={"file": SimpleUploadedFile("申请书.pdf", b"MZ\x90\x00" + b"\x00" * 64)},
        **as_(world.citizen))
    assert upload.status_code == 422
    assert upload.json()["code"] == "cases.upload-rejected"
    assert "可执行程序" in upload.json()["message"]


def test_a_material_file_downloads_under_its_material_and_case_name(world, now):
    from urllib.parse import quote

    case = submit_online(world, now)
    record = case.files.select_related("case_material").first()
    response = client.get(f"/v1/cases/{case.number}/files/{record.pk}", **as_(world.citizen))
    assert response.status_code == 200
    assert quote(f"{record.case_material.name}-{case.number}.pdf") in (
        response["Content-Disposition"])
    stranger = client.get(f"/v1/cases/{case.number}/files/{record.pk}", **as_(world.agent))
    assert stranger.status_code == 404
