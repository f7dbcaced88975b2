"""The apply flow in English on a 375 px phone: a citizen whose browser asks for English
logs in, applies for the demo's flagship item, uploads the documents, checks and submits,
and lands on the case page, reading English all the way (the item's and the materials'
own names stay as the catalog wrote them). Nothing scrolls sideways and axe-core finds no
serious problem. Screenshots of each step go to the test's temporary folder."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases.models import Case
from onewindow.testing import axe_violations
from onewindow.web import demo
from onewindow.web.demo_forms import answer_sample
from onewindow.web.tests.test_english import typed_text

from .test_cases_intake import FOOD, demo_data, pdf_file  # noqa: F401  (demo_data: fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HAN = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture
def english_phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="en-GB", is_mobile=True,
        has_touch=True, base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def own_words(page, data: list[str]) -> str:
    """The page's visible text without what the catalog and the person wrote, nor the
    elements marked as Chinese; whatever Chinese is left is the page's own."""
    text = page.evaluate("""() => {
        const copy = document.body.cloneNode(true);
        copy.querySelectorAll('[lang^="zh"], script, style').forEach(e => e.remove());
        return copy.innerText;
    }""")
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def check(page, data, shots, name):
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert HAN.findall(own_words(page, data)) == [], name
    assert axe_violations(page) == [], name
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_apply_on_a_phone_in_english(english_phone, demo_data, tmp_path):  # noqa: F811
    page = english_phone
    item = demo_data[FOOD]
    # What the catalog and the people wrote (the database's text) stays as written.
    data = typed_text()

    page.goto("/login/")
    page.get_by_label("ID number, mobile number or username").fill("citizen1")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    page.goto(f"/apply/{item.code}/")
    expect(page.get_by_text("Step 1 of 5")).to_be_visible()
    check(page, data, tmp_path, "1-applicant")
    page.get_by_role("button", name="Next: fill in the application form").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Fill in the application form")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter: What you are applying for.")
    check(page, data, tmp_path, "2-form-with-errors")
    page.get_by_label("What you are applying for").fill("A small noodle shop.")
    page.get_by_role("button", name="Save and continue").click()
    # The item's own form, one page per screen (ADR 0031).
    expect(page.get_by_role("heading", level=1)).to_have_text("The operator")
    check(page, data, tmp_path, "2b-item-form")
    draft_id = int(re.search(r"/apply/draft/(\d+)/", page.url).group(1))
    draft = Case.objects.get(pk=draft_id)
    answer_sample(draft, actor=draft.created_by, now=timezone.now())
    data = typed_text()  # the answers are what people typed too
    page.goto(f"/apply/draft/{draft_id}/materials/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Upload your documents")
    cards = page.locator("li.material")
    for index in range(cards.count()):
        card = cards.nth(index)
        card.locator("input[type=file]").set_input_files(pdf_file(f"material-{index}.pdf"))
        card.get_by_role("button", name=re.compile("^Upload")).click()
        expect(page.locator(".notice-list")).to_contain_text(f"material-{index}.pdf")
    check(page, data, tmp_path, "3-materials")
    page.get_by_role("link", name="Next: check and submit").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your application")
    check(page, data, tmp_path, "4-check")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url(re.compile(r"/my/cases/[0-9A-Z]+/$"))
    expect(page.locator(".status-card")).to_contain_text("Waiting for acceptance")
    expect(page.locator(".notice-list")).to_contain_text("Application submitted.")
    check(page, data, tmp_path, "5-my-case")
