"""The 500 page tells people where they are and whom to call; a long URL reaches Django
(a friendly 404, not gunicorn's raw 414); the site has a favicon."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from onewindow.web.management.commands.serve import LIMIT_REQUEST_LINE, server_options


def test_the_500_page_has_the_header_the_service_phone_and_the_reference(rf, settings):
    from onewindow.web.views.errors import server_error

    settings.ONEWINDOW_SERVICE_PHONE = "0631-12345"
    request = rf.get("/")
    request.request_id = "abc123"
    response = server_error(request)
    body = response.content.decode()
    assert response.status_code == 500
    assert 'class="site-header"' in body and 'class="brand" href="/"' in body
    assert "服务电话" in body and 'href="tel:0631-12345"' in body
    assert "abc123" in body and "Traceback" not in body
    assert "favicon.svg" in body


@pytest.mark.django_db
def test_pages_link_a_favicon_and_favicon_ico_is_served(client):
    page = client.get(reverse("web:home")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_long_url_gets_djangos_friendly_404_from_the_real_server(tmp_path):
    assert server_options(bind="x:1", workers=1, threads=1)["limit_request_line"] == (
        LIMIT_REQUEST_LINE) > 4094  # gunicorn's own default answers 414 above 4094
    port = _free_port()
    src = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onewindow.settings.test",
           "PYTHONPATH": str(src), "ONEWINDOW_VAR_DIR": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "onewindow", "serve", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--threads", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/items/{'x' * 6000}/"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    status, body = answer.status, answer.read().decode()
                break
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert status == 404
        assert "页面不存在" in body and 'class="site-header"' in body
    finally:
        server.terminate()
        server.wait(timeout=10)
