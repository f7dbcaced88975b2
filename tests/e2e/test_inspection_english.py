"""Issue 13's back-office pages in English, at 375 px and at desktop width: the 现场核查 step
(the checklist form and, once saved, the record), the 决定 step with the licence draft,
and the holder's wallet with the 亮证 QR and what its scan shows. Only what people and the
catalog wrote stays Chinese; nothing scrolls sideways on a phone; axe-core finds no
serious problem. Screenshots go to /tmp/inspect_shots/."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.identity.models import Account
from onewindow.licences.models import Licence
from onewindow.testing import axe_violations
from onewindow.web.tests.test_english import typed_text
from onewindow.workflow.models import WorkItem

from .test_cases_approval import SHOTS, apply_as_citizen1
from .test_cases_intake import FOOD, citizen_login, demo_data, staff_login  # noqa: F401
from .test_english import own_words

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HAN = re.compile(r"[\u3400-\u9fff]")


def walk(page, name: str) -> None:
    """The page in English at 375 px and at 1366 px, with a screenshot of each."""
    data = typed_text()
    for width in (375, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        page.reload()
        assert page.evaluate("document.documentElement.lang") == "en", name
        assert HAN.findall(own_words(page, data)) == [], name
        assert axe_violations(page) == [], name
        if width == 375:
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"en-{name}-{width}.png"), full_page=True)


def english(page, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en",
                               "url": live_server.url}])


def ready(case) -> WorkItem:
    return WorkItem.objects.get(subject_id=str(case.pk), status="READY")


def test_inspection_draft_and_show_code_in_english(desk_page, phone_page, live_server,
                                                   demo_data):  # noqa: F811
    number = apply_as_citizen1(demo_data[FOOD])
    case = Case.objects.get(number=number)
    handler, chief = Account.objects.get(username="handler1"), Account.objects.get(
        username="chief1")
    now = timezone.now()
    services.case_accept(actor=Account.objects.get(username="clerk1"), case=case, now=now)
    services.case_task_complete(actor=handler, work_item=ready(case), opinion="材料齐全。",
                                stance="agree", now=now)

    page = desk_page
    staff_login(page, "handler1")
    english(page, live_server)
    step = ready(case)
    page.goto(f"/staff/tasks/{step.pk}/")
    expect(page.get_by_role("button", name="Save the inspection record")).to_be_visible()
    walk(page, "inspection-form")
    case.refresh_from_db()
    services.inspection_record_save(
        actor=handler, work_item=step, now=timezone.now(), conclusion="符合要求。",
        results={p["key"]: {"result": "pass"} for p in case.version.inspection_checklist})
    walk(page, "inspection-saved")
    services.case_task_complete(actor=handler, work_item=step, opinion="核查通过。",
                                stance="agree", now=timezone.now())

    page.context.clear_cookies()
    staff_login(page, "chief1")
    english(page, live_server)
    decide = ready(case)
    page.goto(f"/staff/tasks/{decide.pk}/")
    expect(page.locator("#licence-draft")).to_contain_text("Licence draft")
    walk(page, "licence-draft")
    services.case_task_complete(actor=chief, work_item=decide, opinion="同意。",
                                decision="approve", now=timezone.now())
    licence = Licence.objects.get(case_number=number)

    phone = phone_page
    citizen_login(phone)
    english(phone, live_server)
    phone.goto(f"/licences/wallet/{licence.identifier}/")
    expect(phone.get_by_role("heading", name="Show this licence")).to_be_visible()
    walk(phone, "wallet-show-code")
    phone.goto(phone.locator("#show-link").get_attribute("href"))
    expect(phone.locator("#verify-outcome")).to_have_attribute("data-outcome", "valid")
    walk(phone, "show-code-scanned")
