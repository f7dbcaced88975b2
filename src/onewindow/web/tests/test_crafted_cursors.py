"""A crafted paging cursor (``WyJ4IiwieSJd`` is ``["x","y"]``) on every list that pages:
the API answers 422 pagination.invalid-cursor, a page starts again from its first page;
neither answers 500 (issue 11, finding 3)."""

import pytest
from django.test import Client

from onewindow.cases.tests.factories import submit_online
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db

CRAFTED = "WyJ4IiwieSJd"


@pytest.fixture
def world(now):
    world = build_world(now=now)
    submit_online(world, now)
    return world


def _client(account) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(account)
    return client


@pytest.mark.parametrize(("who", "url"), [
    ("clerk", "/api/v1/cases?scope=queue"),
    ("clerk", "/api/v1/cases/output-queue"),
    ("citizen", "/api/v1/licences/mine"),
    ("citizen", "/api/v1/licences/usage/mine"),
])
def test_the_api_answers_422_for_a_crafted_cursor(world, who, url):
    sep = "&" if "?" in url else "?"
    response = _client(getattr(world, who)).get(f"{url}{sep}cursor={CRAFTED}")
    assert response.status_code == 422
    assert response.json()["code"] == "pagination.invalid-cursor"


@pytest.mark.parametrize(("who", "url"), [
    ("citizen", "/inbox/"),
    ("citizen", "/licences/wallet/"),
    ("clerk", "/staff/output/"),
    ("clerk", "/staff/messages/"),
    ("clerk", "/staff/front-desk/"),
])
def test_a_page_starts_again_from_its_first_page(world, who, url):
    response = _client(getattr(world, who)).get(url, {"cursor": CRAFTED})
    assert response.status_code == 302
    assert "cursor" not in response.url and response.url.startswith(url)


@pytest.mark.parametrize(("who", "url", "kept"), [
    ("citizen", "/inbox/", {"from": "sms"}),
    ("citizen", "/my/cases/", {"from": "sms"}),
    ("citizen", "/licences/wallet/", {"from": "sms"}),
    ("clerk", "/staff/output/", {"from": "sms"}),
    ("clerk", "/staff/messages/", {"channel": "SMS"}),
    ("clerk", "/staff/front-desk/", {"status": "SUBMITTED"}),
    ("handler", "/staff/tasks/", {"sort": "due_date"}),
])
def test_every_list_restarts_the_same_way_keeping_its_filters(world, who, url, kept):
    """One helper (ui.first_page) for every page: the cursor goes, the rest stays."""
    response = _client(getattr(world, who)).get(url, {**kept, "cursor": CRAFTED})
    assert response.status_code == 302
    key, value = next(iter(kept.items()))
    assert response.url == f"{url}?{key}={value}"
