"""A write without a usable token answers 401 with WWW-Authenticate: Bearer, never 403
"CSRF check Failed"; a logged-in browser still needs its CSRF token (issue 11, finding 6)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.identity.services import token_issue, token_revoke
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/drafts"


@pytest.fixture
def world(now):
    return build_world(now=now)


def _post(client: Client, **headers):
    return client.post(URL, {"implementation_code": "x"}, content_type="application/json",
                       headers=headers)


def _browser() -> Client:
    return Client(enforce_csrf_checks=True)


def test_a_write_without_a_token_is_401_with_a_bearer_challenge():
    response = _post(_browser())
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["code"] == "auth.required"


def test_a_bad_token_is_401_invalid_token():
    response = _post(_browser(), Authorization="Bearer not-a-token")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_an_expired_or_revoked_token_is_401(world):
    issued = token_issue(actor=world.citizen, now=timezone.now())
    token_revoke(actor=world.citizen, token=issued.token, now=timezone.now())
    revoked = _post(_browser(), Authorization=f"Bearer {issued.secret}")
    assert revoked.status_code == 401 and "invalid_token" in revoked["WWW-Authenticate"]
    old = token_issue(actor=world.citizen, now=timezone.now() - dt.timedelta(days=400))
    expired = _post(_browser(), Authorization=f"Bearer {old.secret}")
    assert expired.status_code == 401 and "invalid_token" in expired["WWW-Authenticate"]


def test_a_bad_token_does_not_fall_back_to_the_browser_session(world):
    browser = _browser()
    browser.force_login(world.citizen)
    response = _post(browser, Authorization="Bearer not-a-token")
    assert response.status_code == 401


def test_a_logged_in_browser_still_needs_its_csrf_token(world):
    browser = _browser()
    browser.force_login(world.citizen)
    assert _post(browser).status_code == 403
