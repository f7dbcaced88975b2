"""The wallet, the QR link and revocation as people use them (the case part of the
issue's browser test comes with the case engine: here the licence is issued directly)."""

import pytest
from django.utils import timezone

from onewindow.identity.tests.factories import PASSWORD
from onewindow.licences import exports
from onewindow.licences.tests.factories import issue_to_citizen, make_world
from onewindow.testing import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _login(page, path, label, username):
    page.goto(path)
    page.get_by_label(label).fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _no_serious_violations(page):
    violations = axe_violations(page)
    assert not violations, "\n".join(f"{v['id']}: {v['help']}" for v in violations)


def test_wallet_qr_link_and_revocation(phone_page, desk_page, live_server, settings):
    settings.ONEWINDOW_PUBLIC_BASE_URL = live_server.url
    now = timezone.now()
    world = make_world(now)
    licence = issue_to_citizen(world, now)

    page = phone_page
    _login(page, "/login/", "身份证号码、手机号码或用户名", world.citizen.username)
    page.wait_for_url("**/")
    page.goto("/licences/wallet/")
    _no_serious_violations(page)
    page.get_by_role("link", name=licence.name).click()
    assert licence.number in page.get_by_role("main").inner_text()
    _no_serious_violations(page)

    # The QR code's link opens the public verification page: valid, holder masked.
    page.goto(exports.verify_url(licence))
    outcome = page.locator("#verify-outcome")
    assert outcome.get_attribute("data-outcome") == "valid"
    assert licence.holder_name in page.content() and licence.holder_code not in page.content()
    _no_serious_violations(page)

    # The chief representative revokes it at the workbench.
    desk = desk_page
    _login(desk, "/staff/login/", "工作人员用户名", world.chief.username)
    desk.wait_for_url("**/staff/")
    desk.goto(f"/licences/staff/l/{licence.identifier}/")
    _no_serious_violations(desk)
    desk.get_by_label("注销理由").fill("经营者申请注销")
    desk.get_by_role("button", name="确认注销").click()
    desk.wait_for_url(f"**/licences/staff/l/{licence.identifier}/")
    assert "证照已注销" in desk.content()

    page.reload()
    assert page.locator("#verify-outcome").get_attribute("data-outcome") == "revoked"
    assert "经营者申请注销" in page.locator("#verify-outcome").inner_text()
