"""The Cases II endpoints and the workflow API acting on a case through one code path."""

import base64

import pytest
from django.test import Client
from ninja import NinjaAPI
from ninja.security import APIKeyHeader
from ninja.testing import TestClient

from onewindow.cases.api import router as cases_router
from onewindow.common.errors import ApplicationError
from onewindow.identity.models import Account
from onewindow.workflow.api import router as workflow_router
from onewindow.workflow.models import WorkItem

from .factories import submit_online

pytestmark = pytest.mark.django_db

SIGNATURE = "data:image/png;base64," + base64.b64encode(
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


class HeaderUser(APIKeyHeader):
    param_name = "X-Test-User"

    def authenticate(self, request, key):
        return Account.objects.filter(username=key).first()


api = NinjaAPI(urls_namespace="cases-review-api-test", auth=[HeaderUser()])
api.add_router("/v1/workflow/", workflow_router)
api.add_router("/v1/cases", cases_router)


@api.exception_handler(ApplicationError)
def _application_error(request, exc):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


client = TestClient(api)


def as_(account):
    return {"headers": {"X-Test-User": account.username}}


def ready(case):
    return list(WorkItem.objects.filter(subject_type="cases.case", subject_id=str(case.pk),
                                        status="READY").order_by("id"))


def test_operation_ids_are_published():
    schema = Client().get("/api/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"case_return", "case_suspend", "case_resume", "case_extend_request",
            "case_extend_decide", "case_deliver", "case_delivery_choose", "case_timing",
            "case_decision_pdf", "output_queue", "case_task_complete", "task_list",
            "task_get", "task_complete", "route_upload", "route_get"} <= ids


def test_workflow_api_completion_decides_the_case(world, now):
    case = submit_online(world, now)
    client.post(f"/v1/cases/{case.number}/accept", json={}, **as_(world.clerk))
    [review] = ready(case)
    # A handler of another department: not found.
    outsider = Account.objects.get(pk=world.other_clerk.pk)
    missing = client.post(f"/v1/workflow/tasks/{review.pk}/complete", json={"opinion": "x"},
                          **as_(outsider))
    assert missing.status_code == 404 and missing.json()["code"] == "workflow.task-not-found"
    done = client.post(f"/v1/workflow/tasks/{review.pk}/complete",
                       json={"opinion": "符合条件"}, **as_(world.handler))
    assert done.status_code == 200, done.json()
    [decide] = ready(case)
    # A denial through the workflow API needs reasons too (the same case code path).
    refused = client.post(f"/v1/workflow/tasks/{decide.pk}/complete",
                          json={"decision": "deny", "opinion": "不同意"}, **as_(world.chief))
    assert refused.status_code == 422 and refused.json()["code"] == "cases.reason-required"
    approved = client.post(f"/v1/workflow/tasks/{decide.pk}/complete",
                           json={"decision": "approve", "opinion": "同意"}, **as_(world.chief))
    assert approved.status_code == 200 and approved.json()["finished"] is True
    case.refresh_from_db()
    assert case.status == "APPROVED" and case.output_due_date is not None
    again = client.post(f"/v1/workflow/tasks/{decide.pk}/complete",
                        json={"decision": "approve"}, **as_(world.chief))
    assert again.status_code == 409
    assert again.json()["code"] == "workflow.task-already-completed"
    opinions = client.get(f"/v1/cases/{case.number}/opinions", **as_(world.chief)).json()
    assert [o["decision"] for o in opinions] == ["", "approve"]
    # The back office's opinions are internal: the applicant reads the decision instead.
    mine = client.get(f"/v1/cases/{case.number}/opinions", **as_(world.citizen))
    assert mine.status_code == 404 and mine.json()["code"] == "cases.not-found"
    pdf = client.get(f"/v1/cases/{case.number}/decision.pdf", **as_(world.citizen))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    queue = client.get("/v1/cases/output-queue", **as_(world.clerk)).json()
    assert [row["number"] for row in queue["items"]] == [case.number]
    assert queue["items"][0]["output_due_date"] == "2026-12-07"
    assert queue["total"] == 1 and queue["next_cursor"] is None
    stale = client.get("/v1/cases/output-queue?cursor=zz", **as_(world.clerk))
    assert stale.status_code == 422
    assert stale.json()["code"] == "pagination.invalid-cursor"
    bad = client.post(f"/v1/cases/{case.number}/deliver",
                      json={"channel": "PICKUP", "recipient_name": "张三",
                            "recipient_id_number": "110101199003077777", "id_checked": False,
                            "signature": SIGNATURE}, **as_(world.clerk))
    assert bad.status_code == 422 and bad.json()["code"] == "cases.identity-not-checked"
    handed = client.post(f"/v1/cases/{case.number}/deliver",
                         json={"channel": "PICKUP", "recipient_name": "张三",
                               "recipient_id_number": "110101199003077777", "id_checked": True,
                               "signature": SIGNATURE}, **as_(world.clerk))
    assert handed.status_code == 200 and handed.json()["status"] == "DELIVERED"


def test_suspend_extend_and_timing_endpoints(world, now):
    case = submit_online(world, now)
    client.post(f"/v1/cases/{case.number}/accept", json={}, **as_(world.clerk))
    bad = client.post(f"/v1/cases/{case.number}/suspend",
                      json={"procedure": "EXPERT_REVIEW", "expected_days": 0, "reason": "评审"},
                      **as_(world.handler))
    assert bad.status_code == 422 and bad.json()["code"] == "cases.suspension-invalid"
    suspended = client.post(f"/v1/cases/{case.number}/suspend",
                            json={"procedure": "EXPERT_REVIEW", "expected_days": 5,
                                  "reason": "专家评审"}, **as_(world.handler))
    assert suspended.status_code == 200 and suspended.json()["status"] == "SUSPENDED"
    assert "case_resume" in suspended.json()["allowed_actions"]
    resumed = client.post(f"/v1/cases/{case.number}/resume", json={}, **as_(world.handler))
    assert resumed.json()["status"] == "IN_REVIEW"
    asked = client.post(f"/v1/cases/{case.number}/extension",
                        json={"days": 10, "reason": "复杂"}, **as_(world.handler))
    assert asked.status_code == 200 and "case_extend_decide" not in asked.json()[
        "allowed_actions"]
    decided = client.post(f"/v1/cases/{case.number}/extension/decision",
                          json={"approve": True}, **as_(world.chief))
    assert decided.status_code == 200
    twice = client.post(f"/v1/cases/{case.number}/extension",
                        json={"days": 1, "reason": "再延"}, **as_(world.handler))
    assert twice.status_code == 409 and twice.json()["code"] == "cases.extension-already-used"
    timing = client.get(f"/v1/cases/{case.number}/timing", **as_(world.citizen)).json()
    assert timing["extension_state"] == "APPROVED" and timing["extension_days"] == 10
    assert timing["explanation"] and {"date", "kind", "label"} <= set(timing["explanation"][0])


def test_case_return_endpoint(world, now):
    case = submit_online(world, now)
    client.post(f"/v1/cases/{case.number}/accept", json={}, **as_(world.clerk))
    [review] = ready(case)
    client.post(f"/v1/cases/tasks/{review.pk}/complete", json={"opinion": "通过"},
                **as_(world.handler))
    [decide] = ready(case)
    back = client.post(f"/v1/cases/tasks/{decide.pk}/return", json={"reason": "补充核查"},
                       **as_(world.chief))
    assert back.status_code == 200 and back.json()["status"] == "IN_REVIEW"
    [again] = ready(case)
    assert again.task_label == "审查" and again.returned_reason == "补充核查"
