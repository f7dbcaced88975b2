"""access_case, access_case_file and access_work_item: missing and forbidden look the same,
in the selector and through the API (404 with the same code and message); and the split
delivery routes answer like their services, the old one-body route still works."""

import base64

import pytest
from django.core.files.base import ContentFile
from ninja import NinjaAPI
from ninja.security import APIKeyHeader
from ninja.testing import TestClient

from onewindow.cases import selectors, services
from onewindow.cases.api import router as cases_router
from onewindow.cases.errors import CaseNotFound
from onewindow.cases.models import CaseFile
from onewindow.common.errors import ApplicationError
from onewindow.identity.models import Account
from onewindow.workflow import selectors as workflow_selectors
from onewindow.workflow.api import router as workflow_router
from onewindow.workflow.errors import WorkItemNotFound
from onewindow.workflow.models import WorkItem

from .factories import submit_online

pytestmark = pytest.mark.django_db

SIGNATURE = "data:image/png;base64," + base64.b64encode(
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


class HeaderUser(APIKeyHeader):
    param_name = "X-Test-User"

    def authenticate(self, request, key):
        return Account.objects.filter(username=key).first()


api = NinjaAPI(urls_namespace="cases-access-api-test", auth=[HeaderUser()])
api.add_router("/v1/workflow/", workflow_router)
api.add_router("/v1/cases", cases_router)


@api.exception_handler(ApplicationError)
def _application_error(request, exc):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


client = TestClient(api)


def as_(account):
    return {"headers": {"X-Test-User": account.username}}


def _same_not_found(*answers):
    assert {a.status_code for a in answers} == {404}
    assert len({(a.json()["code"], a.json()["message"]) for a in answers}) == 1


def test_a_missing_and_a_foreign_case_raise_the_same_error(world, now):
    case = submit_online(world, now)
    errors = []
    for actor, ref in ((world.other_clerk, case.number), (world.clerk, "X" + case.number),
                       (world.other_clerk, case.pk), (world.clerk, 10**9)):
        with pytest.raises(CaseNotFound) as caught:
            selectors.access_case(actor=actor, ref=ref)
        errors.append((caught.value.code, caught.value.message))
    assert set(errors) == {("cases.not-found", "没有找到该办件。")}
    assert selectors.access_case(actor=world.clerk, ref=case.pk) == case


def test_the_api_answers_404_alike_for_a_missing_and_a_foreign_case(world, now):
    case = submit_online(world, now)
    for path in ("", "/timeline", "/timing"):
        _same_not_found(client.get(f"/v1/cases/{case.number}{path}", **as_(world.other_clerk)),
                        client.get(f"/v1/cases/NOPE{case.number}{path}", **as_(world.clerk)))
    _same_not_found(
        client.post(f"/v1/cases/{case.number}/accept", json={}, **as_(world.other_clerk)),
        client.post(f"/v1/cases/NOPE{case.number}/accept", json={}, **as_(world.clerk)))
    case.refresh_from_db()
    assert case.status == "SUBMITTED"


def test_a_file_is_reached_only_through_its_own_visible_case(world, now):
    case = submit_online(world, now)
    other = submit_online(world, now)
    record = CaseFile.objects.filter(case=case).first()
    assert selectors.access_case_file(actor=world.clerk, file_id=record.pk,
                                      ref=case.number) == record
    for actor, file_id, ref in ((world.other_clerk, record.pk, case.number),
                                (world.clerk, record.pk, other.number),
                                (world.clerk, 10**9, None)):
        with pytest.raises(CaseNotFound) as caught:
            selectors.access_case_file(actor=actor, file_id=file_id, ref=ref)
        assert caught.value.message == "没有找到该文件。"
    _same_not_found(
        client.get(f"/v1/cases/{other.number}/files/{record.pk}", **as_(world.clerk)),
        client.get(f"/v1/cases/{case.number}/files/{record.pk}", **as_(world.other_clerk)),
        client.get(f"/v1/cases/{case.number}/files/{10**9}", **as_(world.clerk)))
    record.file.save("x.pdf", ContentFile(b"%PDF-1.4"), save=True)
    assert client.get(f"/v1/cases/{case.number}/files/{record.pk}",
                      **as_(world.clerk)).status_code == 200


def test_a_missing_and_a_foreign_work_item_raise_the_same_error(world, now):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    review = WorkItem.objects.get(subject_id=str(case.pk), status="READY")
    for actor, work_item_id in ((world.other_clerk, review.pk), (world.handler, 10**9)):
        with pytest.raises(WorkItemNotFound) as caught:
            workflow_selectors.access_work_item(actor=actor, work_item_id=work_item_id)
        assert caught.value.code == "workflow.task-not-found"
    for path in ("/v1/workflow/tasks/{}/complete", "/v1/cases/tasks/{}/complete"):
        _same_not_found(
            client.post(path.format(review.pk), json={"opinion": "x"}, **as_(world.chief)),
            client.post(path.format(10**9), json={"opinion": "x"}, **as_(world.handler)))
    assert WorkItem.objects.get(pk=review.pk).status == "READY"


def _approved(world, now):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    for actor, decision in ((world.handler, None), (world.chief, "approve")):
        step = WorkItem.objects.get(subject_id=str(case.pk), status="READY")
        services.case_task_complete(actor=actor, work_item=step, opinion="同意",
                                    decision=decision, now=now)
    return case


def test_each_delivery_act_has_its_route(world, now):
    handed = _approved(world, now)
    answer = client.post(f"/v1/cases/{handed.number}/hand-over", json={
        "recipient_name": "张三", "recipient_id_number": "110101199003077777",
        "id_checked": True, "signature": SIGNATURE}, **as_(world.clerk))
    assert answer.status_code == 200 and answer.json()["status"] == "DELIVERED"
    mailed = _approved(world, now)
    early = client.post(f"/v1/cases/{mailed.number}/mail-delivered", json={},
                        **as_(world.clerk))
    assert early.status_code == 409 and early.json()["code"] == "cases.invalid-transition"
    sent = client.post(f"/v1/cases/{mailed.number}/mail-dispatch", json={
        "carrier": "EMS", "tracking_number": "EA1", "address": "某地"}, **as_(world.clerk))
    assert sent.status_code == 200 and "case_mail_deliver" in sent.json()["allowed_actions"]
    got = client.post(f"/v1/cases/{mailed.number}/mail-delivered", json={},
                      **as_(world.clerk))
    assert got.status_code == 200 and got.json()["status"] == "DELIVERED"
    online = _approved(world, now)
    published = client.post(f"/v1/cases/{online.number}/publish-online", json={},
                            **as_(world.clerk))
    assert published.json()["delivery_channel"] == "ELECTRONIC"


def test_the_deprecated_deliver_route_still_runs_each_act(world, now):
    case = _approved(world, now)
    wrong = client.post(f"/v1/cases/{case.number}/deliver",
                        json={"channel": "ELECTRONIC", "carrier": "EMS"}, **as_(world.clerk))
    assert wrong.status_code == 422 and wrong.json()["details"] == {"unknown": ["carrier"]}
    sent = client.post(f"/v1/cases/{case.number}/deliver", json={
        "channel": "MAIL", "carrier": "EMS", "tracking_number": "EA1", "address": "某地"},
        **as_(world.clerk))
    assert sent.status_code == 200 and sent.json()["status"] == "APPROVED"
    got = client.post(f"/v1/cases/{case.number}/deliver",
                      json={"channel": "MAIL", "event": "DELIVERED"}, **as_(world.clerk))
    assert got.status_code == 200 and got.json()["status"] == "DELIVERED"
    assert [a.kind for a in case.actions.order_by("seq")][-2:] == ["MAIL_DISPATCH",
                                                                  "MAIL_DELIVER"]
