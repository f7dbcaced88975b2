"""A refused action on a page speaks the reader's language: the service's message is
marked for translation, so an English clerk reads English and a Chinese one Chinese;
what people typed (the material's name) is shown as written (ADR 0015)."""

import pytest
from django.conf import settings
from django.urls import reverse

from onewindow.cases.tests.factories import walk_in
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db

WITHOUT_LICENCE = ("食品经营许可申请书", "经营场所使用证明", "食品安全管理制度")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_refused_acceptance_is_explained_in_the_readers_language(client, now):
    world = build_world(now=now)
    case = walk_in(world, now, received=WITHOUT_LICENCE)
    actions_before = case.actions.count()
    client.force_login(world.clerk)
    url = reverse("web:staff-case-accept", args=[case.number])

    chinese = client.post(url, {"expected_version": case.lock_version})
    assert chinese.status_code == 422
    assert "必要材料不齐全：营业执照。请一次性告知补正" in chinese.content.decode()

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(url, {"expected_version": case.lock_version})
    page = english.content.decode()
    assert english.status_code == 422
    assert "Required materials are missing: 营业执照. Ask for all corrections at once" in page
    assert "必要材料不齐全" not in page

    case.refresh_from_db()
    assert case.status == "SUBMITTED" and case.actions.count() == actions_before
