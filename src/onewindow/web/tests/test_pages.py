import os
import secrets
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.urls import reverse

from onewindow.identity.models import Role
from onewindow.identity.tests.factories import (
    PASSWORD,
    CentreFactory,
    CitizenFactory,
    StaffFactory,
    grant,
)

pytestmark = pytest.mark.django_db


def test_pages_carry_a_content_security_policy_and_a_request_id(client):
    response = client.get(reverse("web:citizen-login"))
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Request-ID"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_login_form_requires_csrf():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("web:citizen-login"), {"identifier": "x", "password": "y"})
    assert response.status_code == 403


def test_citizen_login_then_home(client):
    citizen = CitizenFactory()
    response = client.post(reverse("web:citizen-login"),
                           {"identifier": citizen.person.phone, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("web:home")
    home = client.get(reverse("web:home"))
    assert citizen.person.name in home.content.decode()


def test_login_refuses_an_open_redirect(client):
    citizen = CitizenFactory()
    response = client.post(reverse("web:citizen-login") + "?next=https://evil.example/",
                           {"identifier": citizen.username, "password": PASSWORD})
    assert response.url == reverse("web:home")


def test_workbench_requires_staff(client):
    response = client.get(reverse("web:workbench"))
    assert response.status_code == 302 and reverse("web:staff-login") in response.url
    citizen = CitizenFactory()
    client.force_login(citizen)
    assert client.get(reverse("web:workbench")).status_code == 404


def test_workbench_shows_roles_and_scope(client):
    staff = StaffFactory()
    centre = CentreFactory(name="测试中心甲")
    grant(staff, Role.WINDOW_CLERK, centre)
    client.force_login(staff)
    page = client.get(reverse("web:workbench")).content.decode()
    assert "综合受理" in page and "测试中心甲" in page


def test_missing_page_is_friendly_with_a_reference(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and response.headers["X-Request-ID"] in body


def test_opening_a_button_address_directly_gets_a_friendly_page(client):
    response = client.get(reverse("web:logout"))
    assert response.status_code == 405 and response["Allow"] == "POST"
    body = response.content.decode()
    assert "请通过页面上的按钮操作" in body and "回到首页" in body
    # The API still answers in JSON.
    api = client.get("/api/v1/auth/token")
    assert api.status_code == 405 and "请通过页面上的按钮操作" not in api.content.decode()


def test_server_error_page_shows_reference_not_a_trace(rf):
    from onewindow.web.views.errors import server_error

    request = rf.get("/")
    request.request_id = "abc123"
    response = server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "abc123" in body and "Traceback" not in body


def test_production_settings_pass_check_deploy(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onewindow.settings.production",
        "ONEWINDOW_SECRET_KEY": secrets.token_urlsafe(60),
        "ONEWINDOW_ALLOWED_HOSTS": "gov.example.cn",
        "ONEWINDOW_PUBLIC_BASE_URL": "https://gov.example.cn",
        "ONEWINDOW_VAR_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "onewindow", "check", "--deploy", "--fail-level", "WARNING"]
    # Production never creates the audit signing key: without one it refuses to start.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "onewindow.E030" in result.stderr
    key = tmp_path / "audit-signing-key.pem"
    key.write_bytes(Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    env["ONEWINDOW_AUDIT_SIGNING_KEY_FILE"] = str(key)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr

    # Without the public address the printed QR codes could point anywhere: refused.
    env["ONEWINDOW_PUBLIC_BASE_URL"] = ""
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "onewindow.E001" in result.stderr and "ONEWINDOW_PUBLIC_BASE_URL" in result.stderr


def test_production_refuses_to_start_without_a_secret(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onewindow.settings.production",
           "ONEWINDOW_SECRET_KEY": "", "ONEWINDOW_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "onewindow", "check"], env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "ONEWINDOW_SECRET_KEY" in result.stderr


def test_demo_creates_accounts_only_when_asked():
    from onewindow.identity.models import Account

    # Migrations ran for this test database; they must not have created any account.
    assert not Account.objects.filter(username__in=["citizen1", "clerk1", "admin"]).exists()
