"""The cases router as mounted by onewindow.api: at /api/v1/cases, with the four routes
that moved still answering at their old paths for one release."""

import pytest
from django.test import Client

from .factories import submit_online

pytestmark = pytest.mark.django_db


def _client(account) -> Client:
    client = Client()
    client.force_login(account)
    return client


def test_fixed_paths_are_not_taken_for_a_case_number(world, now):
    case = submit_online(world, now)
    public = Client().get("/api/v1/cases/progress",
                          {"number": case.number, "code": case.query_code})
    assert public.status_code == 200, public.json()
    assert public.json()["number"] == case.number
    queue = _client(world.clerk).get("/api/v1/cases/output-queue")
    assert queue.status_code == 200 and queue.json()["items"] == []


def test_moved_routes_still_answer_at_their_old_paths_and_name_the_new_one(world, now):
    citizen = _client(world.citizen)
    old = citizen.post("/api/v1/case-drafts", {"implementation_code": world.item.code},
                       content_type="application/json")
    assert old.status_code == 201, old.json()
    assert old["Deprecation"] == "true"
    assert old["Link"] == '</api/v1/cases/drafts>; rel="successor-version"'
    draft_id = old.json()["id"]

    saved = citizen.put(f"/api/v1/case-drafts/{draft_id}", {"form_data": {"note": "x"}},
                        content_type="application/json")
    assert saved.status_code == 200 and saved.json()["id"] == draft_id
    assert saved["Link"] == f'</api/v1/cases/drafts/{draft_id}>; rel="successor-version"'

    new = citizen.post("/api/v1/cases/drafts", {"implementation_code": world.item.code},
                       content_type="application/json")
    assert new.status_code == 201 and "Deprecation" not in new

    case = submit_online(world, now)
    progress = Client().get("/api/v1/progress", {"number": case.number,
                                                 "code": case.query_code})
    assert progress.status_code == 200 and progress.json()["number"] == case.number
    assert _client(world.clerk).get("/api/v1/output-queue").status_code == 200


def test_old_paths_stay_out_of_the_published_contract():
    paths = set(Client().get("/api/openapi.json").json()["paths"])
    assert {"/api/v1/cases/drafts", "/api/v1/cases/progress", "/api/v1/cases/output-queue",
            "/api/v1/cases/tasks/{task_id}/complete"} <= paths
    assert [p for p in paths if p.startswith(("/api/v1/case-", "/api/v1/progress",
                                              "/api/v1/output-queue"))] == []
