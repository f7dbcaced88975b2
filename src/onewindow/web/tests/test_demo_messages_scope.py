"""The demo SMS page lists only the messages sent on behalf of the viewer's centres, and
exists only while the demo SMS backend is configured (issue 11, finding 4)."""

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.cases.tests.factories import submit_online
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(now, django_capture_on_commit_callbacks):
    world = build_world(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        case = submit_online(world, now)
    return world, case


def _page(account) -> tuple[int, str]:
    client = Client()
    client.force_login(account)
    response = client.get(reverse("web:demo-messages"))
    return response.status_code, response.content.decode()


def test_a_clerk_of_another_centre_does_not_see_the_number_or_query_code(case):
    world, submitted = case
    status, own = _page(world.clerk)
    assert status == 200 and submitted.number in own
    status, foreign = _page(world.other_clerk)
    assert status == 200
    assert submitted.number not in foreign and submitted.query_code not in foreign


def test_with_a_real_sms_gateway_the_page_is_gone(case, settings):
    world, _ = case
    settings.ONEWINDOW_SMS_BACKEND = "onewindow.cases.tests.test_handlers.BrokenSms"
    status, _ = _page(world.clerk)
    assert status == 404
