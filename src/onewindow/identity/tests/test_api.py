import pytest
from django.test import override_settings

from onewindow.identity.models import ApiToken, Role

from .factories import PASSWORD, CentreFactory, CitizenFactory, StaffFactory, grant

pytestmark = pytest.mark.django_db


def _token(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json")


def test_issue_use_and_revoke_a_token(client):
    staff = StaffFactory()
    grant(staff, Role.WINDOW_CLERK, CentreFactory())
    response = _token(client, staff.username)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_at"]
    auth = {"Authorization": f"Bearer {body['access_token']}"}

    me = client.get("/api/v1/auth/me", headers=auth)
    assert me.status_code == 200
    assert me.json()["username"] == staff.username
    assert me.json()["roles"][0]["role"] == Role.WINDOW_CLERK

    assert client.delete("/api/v1/auth/token", headers=auth).status_code == 204
    after = client.get("/api/v1/auth/me", headers=auth)
    assert after.status_code == 401
    assert after.json()["code"] == "auth.required"
    # Only a hash is stored: the secret is nowhere in the table.
    assert not ApiToken.objects.filter(key_hash=body["access_token"]).exists()


def test_citizen_can_get_a_token_with_id_number(client):
    citizen = CitizenFactory()
    response = _token(client, citizen.person.id_number)
    assert response.status_code == 200
    me = client.get("/api/v1/auth/me",
                    headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert me.json()["id_number"] == citizen.person.id_number  # their own data, in clear


def test_wrong_password_gives_a_stable_error_code(client):
    staff = StaffFactory()
    response = _token(client, staff.username, "wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "identity.invalid-credentials"


@override_settings(ONEWINDOW_LOGIN_MAX_FAILURES=2)
def test_token_endpoint_honours_the_login_throttle(client):
    staff = StaffFactory()
    _token(client, staff.username, "wrong")
    response = _token(client, staff.username, "wrong")
    assert response.status_code == 429
    assert response.json()["code"] == "too-many-attempts"
    assert _token(client, staff.username).status_code == 429


@override_settings(ONEWINDOW_LOGIN_ACCOUNT_MAX_FAILURES=2)
def test_token_endpoint_honours_lock_out(client):
    staff = StaffFactory()
    _token(client, staff.username, "wrong")
    response = _token(client, staff.username, "wrong")
    assert response.status_code == 423
    assert response.json()["code"] == "identity.account-locked"
    assert _token(client, staff.username).status_code == 423


def test_malformed_body_is_a_clear_422(client):
    response = client.post("/api/v1/auth/token", {"user": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_expired_token_is_refused(client, settings):
    import time_machine

    staff = StaffFactory()
    settings.ONEWINDOW_API_TOKEN_HOURS = 1
    with time_machine.travel("2026-11-23 09:00 +0800", tick=False):
        token = _token(client, staff.username).json()["access_token"]
    with time_machine.travel("2026-11-23 10:30 +0800", tick=False):
        response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_openapi_lists_the_stable_operation_ids(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    operation_ids = {
        op["operationId"] for path in schema["paths"].values() for op in path.values()
    }
    assert {"auth_token", "auth_token_revoke", "auth_me"} <= operation_ids
