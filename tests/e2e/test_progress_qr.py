"""Scanning a notice's QR code shows the progress at once, while the query code rides in
the URL fragment (never sent to the server) and leaves the address bar."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases import notices
from onewindow.cases.tests.factories import submit_online
from onewindow.testing.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_qr_link_looks_the_case_up_without_the_code_in_the_address(phone_page, settings,
                                                                        tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path
    # The QR points at the configured public address: here, the test's live server.
    settings.ONEWINDOW_PUBLIC_BASE_URL = live_server.url
    now = timezone.now()
    world = build_world(now=now)
    case = submit_online(world, now)
    url = notices.public_progress_url(number=case.number, query_code=case.query_code)
    page = phone_page
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    assert url.startswith(live_server.url + "/")
    page.goto(url)
    expect(page.locator(".status-card")).to_contain_text("待受理")
    assert case.query_code not in page.url
    # Neither the page's address nor any request carried the code in a URL.
    assert not [u for u in requests if case.query_code in u]
