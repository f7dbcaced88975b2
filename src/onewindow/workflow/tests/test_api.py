"""The workflow API as a client sees it."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve

from onewindow.catalog.tests.factories import make_item
from onewindow.workflow import services

from .conftest import SUBJECT, fixture_xml

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workflow"


@pytest.fixture(autouse=True)
def api(settings):
    try:
        resolve(f"{BASE}/tasks")
    except Resolver404:
        # Until onewindow.api mounts the router, test it through a stand-in URLconf.
        settings.ROOT_URLCONF = "onewindow.workflow.tests.urls"


@pytest.fixture
def version(tree, now):
    return make_item(organisation=tree.dept_a, now=now, name="食品经营许可").current_version


@pytest.fixture
def as_user(client):
    def login(account):
        client.force_login(account)
        return client
    return login


def route_url(version):
    return f"{BASE}/routes/{version.implementation.code}/{version.number}"


def test_upload_as_file_then_get(as_user, tree, version, camunda_xml):
    client = as_user(tree.admin_a)
    upload = SimpleUploadedFile("food.bpmn", camunda_xml.encode(), "application/octet-stream")
    response = client.post(route_url(version), {"file": upload})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source"] == "UPLOADED" and body["file_name"] == "food.bpmn"
    assert {lane["name"]: lane["role_label"] for lane in body["lanes"]} == {
        "承办人": "承办人", "首席代表": "首席代表"}
    got = as_user(tree.handler_a).get(route_url(version)).json()
    assert got["id"] == body["id"] and got["bpmn_xml"].startswith("<?xml")


def test_upload_as_xml_body(as_user, tree, version, camunda_xml):
    response = as_user(tree.admin_a).post(route_url(version), camunda_xml.encode(),
                                          content_type="application/xml")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("fixture, code", [
    ("camunda_script_task.bpmn", "workflow.script-task-refused"),
    ("camunda_unknown_lane.bpmn", "workflow.unknown-lane"),
    ("camunda_unsafe_condition.bpmn", "workflow.unsafe-expression"),
])
def test_refused_uploads_explain_why(as_user, tree, version, fixture, code):
    response = as_user(tree.admin_a).post(route_url(version), fixture_xml(fixture).encode(),
                                          content_type="application/xml")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and body["details"]["element_id"]
    assert body["message"]


def test_upload_needs_scope_and_a_body(as_user, tree, version, camunda_xml):
    response = as_user(tree.admin_c).post(route_url(version), camunda_xml.encode(),
                                          content_type="application/xml")
    assert response.status_code == 404
    response = as_user(tree.admin_a).post(route_url(version), {"x": "1"})
    assert response.status_code == 422 and response.json()["code"] == "workflow.invalid-bpmn"


def test_route_get_shows_the_default_without_storing_it(as_user, tree, version):
    body = as_user(tree.handler_a).get(route_url(version)).json()
    assert body["source"] == "DEFAULT" and body["kind"] == "promise" and body["id"] is None
    assert [t["name"] for t in body["tasks"]] == ["审查", "决定"]
    assert as_user(tree.handler_a).get(f"{BASE}/routes/nope/1").status_code == 404


def test_anonymous_is_refused(client, version):
    assert client.get(f"{BASE}/tasks").status_code == 401
    assert client.get(route_url(version)).status_code == 401


def test_worklist_get_complete_and_conflict(as_user, tree, version, subjects, now):
    traveller = time_machine.travel(now, tick=False)
    traveller.start()
    try:
        _drive_through_the_api(as_user, tree, version, subjects, now)
    finally:
        traveller.stop()


def _drive_through_the_api(as_user, tree, version, subjects, now):
    route = services.route_for(version=version)
    [review] = services.process_start(actor=None, route=route, subject_type=SUBJECT,
                                      subject_id="A-1", now=now).created
    client = as_user(tree.handler_a)
    page = client.get(f"{BASE}/tasks").json()
    # The test adapter gives each step 3 working days: due soon (ONEWINDOW_DUE_SOON_WORKING_DAYS).
    assert [(t["id"], t["task_label"], t["deadline_status"]) for t in page["items"]] == [
        (review.pk, "审查", "DUE_SOON")]
    assert page["next_cursor"] is None
    assert client.get(f"{BASE}/tasks/{review.pk}").json()["organisation_name"] == "甲局"

    # Another department neither sees nor completes it.
    other = as_user(tree.handler_b)
    assert other.get(f"{BASE}/tasks").json()["items"] == []
    assert other.get(f"{BASE}/tasks/{review.pk}").status_code == 404
    response = other.post(f"{BASE}/tasks/{review.pk}/complete", {"opinion": "x"},
                          content_type="application/json")
    assert response.status_code == 404 and response.json()["code"] == "workflow.task-not-found"

    client = as_user(tree.handler_a)
    response = client.post(f"{BASE}/tasks/{review.pk}/complete",
                           {"opinion": "材料齐全", "data": {"score": 90}},
                           content_type="application/json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["task"]["status"] == "COMPLETED" and body["task"]["opinion"] == "材料齐全"
    assert body["state_version"] == 2 and not body["finished"]
    assert [t["task_label"] for t in body["next_tasks"]] == ["决定"]

    again = client.post(f"{BASE}/tasks/{review.pk}/complete", {},
                        content_type="application/json")
    assert again.status_code == 409
    assert again.json()["code"] == "workflow.task-already-completed"

    chief = as_user(tree.chief_a)
    [decide] = chief.get(f"{BASE}/tasks").json()["items"]
    back = chief.post(f"{BASE}/tasks/{decide['id']}/send-back", {"reason": "请补充核查"},
                      content_type="application/json")
    assert back.status_code == 200 and back.json()["task"]["status"] == "RETURNED"
    returned = as_user(tree.handler_a).get(f"{BASE}/tasks").json()["items"]
    assert [t["returned_reason"] for t in returned] == ["请补充核查"]
    done = as_user(tree.handler_a).post(f"{BASE}/tasks/{returned[0]['id']}/complete", {},
                                        content_type="application/json").json()
    [decide_again] = done["next_tasks"]
    assert decide_again["task_label"] == "决定"
    chief = as_user(tree.chief_a)
    [decide] = chief.get(f"{BASE}/tasks").json()["items"]
    final = chief.post(f"{BASE}/tasks/{decide['id']}/complete",
                       {"decision": "approve", "opinion": "准予"},
                       content_type="application/json").json()
    assert final["finished"] and final["decision"] == "approve"
    assert final["end_events"] == ["End_approved"]


def test_task_list_validates_parameters(as_user, tree):
    client = as_user(tree.handler_a)
    assert client.get(f"{BASE}/tasks?sort=random").json()["code"] == "workflow.invalid-sort"
    assert client.get(f"{BASE}/tasks?deadline=OVERDUE&deadline=DUE_SOON").status_code == 200
    assert client.get(f"{BASE}/tasks?limit=1000").status_code == 422


def test_openapi_lists_the_operations(client, settings):
    if settings.ROOT_URLCONF != "onewindow.workflow.tests.urls":
        pytest.skip("mounted in onewindow.api: its own tests cover the schema")
    schema = client.get("/api/openapi.json").json()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"route_upload", "route_get", "task_list", "task_get", "task_complete",
            "task_send_back"} <= operations
