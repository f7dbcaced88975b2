"""Links and QR codes on notices and licences point at the address the platform is really
served on: the configured ONEWINDOW_PUBLIC_BASE_URL, else the request's own host, else the
address `onewindow serve --bind` listens on — never a hard-wired port 8000."""

import socket

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from onewindow.cases import notices
from onewindow.common.request_context import SERVED_BASE_ENV, public_base_url
from onewindow.web.management.commands.serve import served_base_url
from onewindow.web.middleware import RequestIdMiddleware


def _link_in_request(host: str) -> str:
    seen = {}

    def view(request):
        seen["url"] = notices.public_progress_url(number="N1", query_code="QC")
        return HttpResponse("ok")

    RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_HOST=host))
    return seen["url"]


def test_a_request_on_another_port_links_to_itself(settings, monkeypatch):
    settings.ONEWINDOW_PUBLIC_BASE_URL = ""
    monkeypatch.delenv(SERVED_BASE_ENV, raising=False)
    assert _link_in_request("demo.example.test:9090").startswith(
        "http://demo.example.test:9090/progress/?number=N1")
    # Outside the request the context is gone again.
    assert public_base_url() == "http://127.0.0.1:8000"


def test_the_served_address_applies_outside_requests(settings, monkeypatch):
    settings.ONEWINDOW_PUBLIC_BASE_URL = ""
    monkeypatch.setenv(SERVED_BASE_ENV, served_base_url("192.0.2.10:8181"))
    assert notices.public_progress_url(number="N1", query_code="QC").startswith(
        "http://192.0.2.10:8181/progress/")
    assert served_base_url("0.0.0.0:9000") == f"http://{socket.gethostname()}:9000"


def test_a_configured_address_wins(settings, monkeypatch):
    settings.ONEWINDOW_PUBLIC_BASE_URL = "https://zwfw.example.gov.cn/"
    monkeypatch.setenv(SERVED_BASE_ENV, "http://192.0.2.10:8181")
    assert _link_in_request("other.example.test").startswith(
        "https://zwfw.example.gov.cn/progress/")


@pytest.mark.django_db
def test_licence_links_follow_the_request_host(settings, monkeypatch):
    from django.utils import timezone

    from onewindow.licences import exports
    from onewindow.licences.tests.factories import issue_to_citizen, make_world

    settings.ONEWINDOW_PUBLIC_BASE_URL = ""
    monkeypatch.delenv(SERVED_BASE_ENV, raising=False)
    licence = issue_to_citizen(make_world(timezone.now()), timezone.now())
    seen = {}

    def view(request):
        seen["url"] = exports.verify_url(licence)
        return HttpResponse("ok")

    RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_HOST="demo.example.test:9090"))
    assert seen["url"].startswith("http://demo.example.test:9090/licences/v/")
