"""A city-wide supervisor (电子监察) watching the front desk sees the cases that wait there
(read-only), and the 签发证照 page never claims that no licence type exists when types
exist under other issuers."""

import pytest
from django.urls import reverse

from onewindow.cases.tests.factories import submit_online
from onewindow.licences.tests.factories import make_world as make_licence_world
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_city_supervisor_sees_the_waiting_case_read_only(client, now):
    world = build_world(now=now)
    case = submit_online(world, now)
    client.force_login(world.supervisor)
    page = client.get(reverse("web:front-desk")).content.decode()
    assert case.number in page and "本页 1 件" in page
    assert "只读" in page and reverse("web:walk-in") not in page
    # The workbench offers the page to them.
    home = client.get(reverse("web:workbench")).content.decode()
    assert reverse("web:front-desk") in home
    # Watching is not acting: the case page offers no acceptance.
    detail = client.get(reverse("web:staff-case", args=[case.number])).content.decode()
    assert 'id="action-accept"' not in detail
    client.force_login(world.clerk)  # the window clerk, on the same page, is offered it
    assert 'id="action-accept"' in client.get(
        reverse("web:staff-case", args=[case.number])).content.decode()
    client.force_login(world.supervisor)
    refused = client.post(reverse("web:staff-case-accept", args=[case.number]),
                          {"expected_version": case.lock_version})
    assert refused.status_code == 404
    case.refresh_from_db()
    assert case.status == "SUBMITTED"


def test_a_handler_of_a_department_does_not_get_a_front_desk(client, now):
    world = build_world(now=now)
    submit_online(world, now)
    client.force_login(world.handler)
    home = client.get(reverse("web:workbench")).content.decode()
    assert reverse("web:front-desk") not in home


def test_the_issue_page_names_the_types_a_clerk_cannot_issue(client, now):
    world = make_licence_world(now)
    client.force_login(world.clerk)
    home = client.get(reverse("licences:staff-home")).content.decode()
    assert reverse("licences:staff-issue") not in home
    page = client.get(reverse("licences:staff-issue")).content.decode()
    assert "尚未定义证照类型" not in page
    assert "您没有签发证照的权限" in page
    assert world.person_type.name in page and world.person_type.code in page
