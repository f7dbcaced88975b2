"""On a 375 px phone the portal menu is one row that scrolls sideways: a visible hint says
there is more, and a menu link that gets keyboard focus is scrolled into view (WCAG 2.2
2.4.11 Focus Not Obscured)."""

import os

import pytest
from django.utils import timezone

from onewindow.web import demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ONEWINDOW_SCREENSHOTS", "")


@pytest.fixture
def demo_data():
    demo.load_identity(now=timezone.now())


def _login(page):
    page.goto("/login/")
    page.get_by_label("身份证号码、手机号码或用户名").fill("citizen1")
    page.get_by_label("密码").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def _hint(page, edge: str) -> dict:
    return page.evaluate("""edge => {
        const nav = document.querySelector('.main-nav');
        const style = getComputedStyle(nav, edge === 'end' ? '::after' : '::before');
        return {content: style.content, opacity: style.opacity, display: style.display};
    }""", edge)


def test_the_phone_menu_hints_at_more_and_keeps_focus_in_view(phone_page, demo_data):
    page = phone_page
    _login(page)
    menu = page.locator(".main-nav ul")
    overflow = menu.evaluate("ul => ul.scrollWidth - ul.clientWidth")
    assert overflow > 0  # the menu is wider than the phone
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/nav-start.png")
    # At the start: a hint at the end edge, none at the start edge.
    assert _hint(page, "end")["opacity"] == "1" and _hint(page, "end")["content"] != "none"
    assert _hint(page, "start")["opacity"] == "0"

    # Tab through the menu: every focused link is fully inside the phone's width and the
    # menu's visible part.
    links = page.locator(".main-nav a")
    page.locator(".brand").focus()
    for index in range(links.count()):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const a = document.activeElement, ul = a.closest('.main-nav ul');
            if (!ul) { return null; }
            const r = a.getBoundingClientRect(), box = ul.getBoundingClientRect();
            return {left: r.left, right: r.right, boxLeft: box.left, boxRight: box.right,
                    width: window.innerWidth};
        }""")
        assert focused is not None, f"focus left the menu at link {index}"
        assert focused["left"] >= focused["boxLeft"] - 1, focused
        assert focused["right"] <= focused["boxRight"] + 1, focused
        assert focused["right"] <= focused["width"], focused
    # At the end: the hint has moved to the start edge.
    page.wait_for_function("""() => getComputedStyle(document.querySelector('.main-nav'),
                                      '::before').opacity === '1'""")
    page.wait_for_function("""() => getComputedStyle(document.querySelector('.main-nav'),
                                      '::after').opacity === '0'""")
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/nav-end.png")
    # The page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
