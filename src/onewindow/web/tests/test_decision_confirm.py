"""准予 / 不予许可 ask once more, showing what the decision does, without JavaScript; the
forms post to the page's own address, so after an error the browser is still there."""

import re

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.tests.factories import submit_online
from onewindow.testing.world import build_world
from onewindow.workflow.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _decision_task(world, now):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    review = WorkItem.objects.get(subject_type="cases.case", subject_id=str(case.pk),
                                  status="READY", role="HANDLER")
    case.refresh_from_db()
    services.case_task_complete(actor=world.handler, work_item=review, opinion="建议准予。",
                                now=now)
    case.refresh_from_db()
    item = WorkItem.objects.get(subject_type="cases.case", subject_id=str(case.pk), status="READY",
                                role="CHIEF_REPRESENTATIVE")
    return case, item


def test_approving_shows_the_consequence_and_needs_a_second_click(client, now):
    world = build_world(now=now)
    case, item = _decision_task(world, now)
    client.force_login(world.chief)
    page_url = reverse("web:task", args=[item.pk])
    page = client.get(page_url).content.decode()
    # The decision form posts to the page itself.
    assert re.search(rf'<form method="post" action="{page_url}"[^>]*>\s*<input[^>]*'
                     rf'name="csrfmiddlewaretoken"[^>]*><input type="hidden" name="do" '
                     r'value="decision">', page)

    first = client.post(page_url, {"do": "decision", "decision": "approve",
                                   "opinion": "同意准予许可。",
                                   "expected_version": case.lock_version})
    assert first.status_code == 200
    body = first.content.decode()
    assert "确认准予许可？" in body and "准予行政许可决定书" in body
    assert "10 个工作日内送达申请人" in body and "同意准予许可。" in body
    assert 'name="confirm" value="yes"' in body
    case.refresh_from_db()
    assert case.status == "IN_REVIEW"  # nothing decided yet

    # "返回修改" shows the form again with the opinion kept.
    edit = client.post(page_url, {"do": "decision", "decision": "approve", "edit": "1",
                                  "opinion": "同意准予许可。",
                                  "expected_version": case.lock_version})
    assert edit.status_code == 200 and "同意准予许可。</textarea>" in edit.content.decode()
    case.refresh_from_db()
    assert case.status == "IN_REVIEW"

    done = client.post(page_url, {"do": "decision", "decision": "approve", "confirm": "yes",
                                  "opinion": "同意准予许可。",
                                  "expected_version": case.lock_version})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "APPROVED"


def test_an_error_is_shown_at_the_pages_own_address(client, now):
    world = build_world(now=now)
    case, item = _decision_task(world, now)
    client.force_login(world.chief)
    page_url = reverse("web:task", args=[item.pk])
    no_reasons = client.post(page_url, {"do": "decision", "decision": "deny",
                                        "opinion": "不同意",
                                        "expected_version": case.lock_version})
    assert no_reasons.status_code == 422
    assert no_reasons.wsgi_request.path == page_url
    assert "不予许可须写明理由" in no_reasons.content.decode()

    # The front desk's case page does the same.
    other = submit_online(world, now)
    client.force_login(world.clerk)
    case_url = reverse("web:staff-case", args=[other.number])
    refused = client.post(case_url, {"do": "reject", "reason": "",
                                     "expected_version": other.lock_version})
    assert refused.status_code == 422 and refused.wsgi_request.path == case_url


def test_an_instant_decision_at_the_window_is_confirmed_too(client, now):
    world = build_world(now=now)
    case = submit_online(world, now, item=world.instant_item)
    client.force_login(world.chief)
    url = reverse("web:staff-case", args=[case.number])
    first = client.post(url, {"do": "decide", "decision": "approve",
                              "expected_version": case.lock_version})
    assert first.status_code == 200 and "确认准予许可？" in first.content.decode()
    assert "当场受理本件" in first.content.decode()
    case.refresh_from_db()
    assert case.status == "SUBMITTED"
    done = client.post(url, {"do": "decide", "decision": "approve", "confirm": "yes",
                             "expected_version": case.lock_version})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "APPROVED"


def test_a_denial_states_the_remedies_as_text_not_markup(client, now):
    world = build_world(now=now)
    case, item = _decision_task(world, now)
    client.force_login(world.chief)
    page_url = reverse("web:task", args=[item.pk])
    first = client.post(page_url, {"do": "decision", "decision": "deny",
                                   "opinion": "不符合条件。", "reasons": "经营场所不符合要求。",
                                   "expected_version": case.lock_version})
    assert first.status_code == 200
    body = first.content.decode()
    assert "不予行政许可决定书" in body and "行政复议" in body
    assert "&lt;span" not in body  # the quoted remedies are shown, not their markup
