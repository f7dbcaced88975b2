"""Text no field may hold (NUL, lone surrogates) is refused at the edge with 422, before
any view or query runs — without login too (issue 11, finding 3)."""

import pytest
from django.test import Client

from onewindow.cases.models import Case
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(now):
    return build_world(now=now)


def _json(client, method, url, text: str, **extra):
    return client.generic(method, url, text.encode(), content_type="application/json", **extra)


def test_a_nul_in_the_public_progress_lookup_is_refused_without_login():
    response = Client().get("/api/v1/cases/progress?number=x%00&code=y")
    assert response.status_code == 422
    assert response.json() == {
        "code": "request.invalid-characters",
        "message": "请求中含有不允许的字符（空字符或不成对的代理字符），请删去后重试。",
        "details": {"number": "请求中含有不允许的字符（空字符或不成对的代理字符），请删去后重试。"},
    }


def test_a_lone_surrogate_in_a_json_body_is_refused():
    response = _json(Client(), "POST", "/api/v1/cases/progress",
                     '{"number": "x\\ud800", "code": "y"}')
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["body.number"]


def test_a_case_draft_with_a_nul_is_refused_and_nothing_is_written(world):
    client = Client()
    client.force_login(world.citizen)
    code = world.item.code
    response = _json(client, "POST", "/api/v1/cases/drafts",
                     '{"implementation_code": "' + code + '", "form_data": {"name": "a\\u0000b"}}')
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["body.form_data.name"]
    assert not Case.objects.exists()
    # An escaped backslash is just text: "\\u0000" spelled out is stored as typed.
    spelled = _json(client, "POST", "/api/v1/cases/drafts",
                    '{"implementation_code": "' + code + '", "form_data": {"note": "\\\\u0000"}}')
    assert spelled.status_code == 201, spelled.json()


def test_a_licence_issue_with_a_surrogate_is_refused(world):
    client = Client()
    client.force_login(world.handler)
    response = _json(client, "POST", "/api/v1/licences/",
                     '{"type_code": "x", "holder_code": "\\udfff"}')
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid-characters"


def test_a_nul_in_a_path_is_refused():
    response = Client().get("/api/v1/catalog/items/abc%00")
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["path"]


def test_pages_answer_the_error_page_for_a_nul_in_a_form_or_query(world):
    client = Client()
    page = client.get("/items/?q=%00")
    assert page.status_code == 422
    assert "请求无法处理" in page.content.decode()
    client.force_login(world.clerk)
    posted = client.post("/staff/front-desk/", {"number": "x\x00"})
    assert posted.status_code == 422


@pytest.mark.parametrize("depth", [3_000, 30_000])
def test_a_deeply_nested_json_body_is_an_answer_not_a_server_error(depth):
    body = "[" * depth + "]" * depth
    response = _json(Client(raise_request_exception=False), "POST", "/api/v1/cases/progress",
                     body)
    assert response.status_code == 422
    page = Client(raise_request_exception=False).generic(
        "POST", "/items/", body.encode(), content_type="application/json")
    assert page.status_code < 500
