"""亮证 (issue 13): the wallet's short-lived code — valid for a few minutes with the holder
disclosed, expired afterwards, refused when altered."""

import datetime as dt

import pytest

from onewindow.licences import verification

from .factories import issue_to_citizen, make_world

pytestmark = pytest.mark.django_db


def test_a_fresh_code_verifies_with_the_holder_and_an_old_one_has_expired(now):
    world = make_world(now)
    licence = issue_to_citizen(world, now)
    shown = verification.show_code(licence=licence, now=now)
    assert shown.expires_at == now + dt.timedelta(seconds=verification.SHOW_SECONDS)
    fresh = verification.verify_show_code(code=shown.code, now=now + dt.timedelta(minutes=4))
    assert fresh.outcome == "valid" and fresh.disclosed
    assert fresh.public()["licence"]["holder_name"] == licence.holder_name
    late = verification.verify_show_code(code=shown.code, now=now + dt.timedelta(minutes=6))
    assert late.outcome == "code_expired" and late.licence is None
    assert "已过期" in late.message
    forged = shown.code.replace(licence.identifier, licence.identifier[:-1] + "X")
    assert verification.verify_show_code(code=forged, now=now).outcome == "code_invalid"
    longer = shown.code.rsplit(":", 1)[0].replace("~", "~9") + ":" + shown.code.rsplit(":", 1)[1]
    assert verification.verify_show_code(code=longer, now=now).outcome == "code_invalid"
