"""The case pages through the Django test client: applying step by step, the idempotent
submit, my cases, corrections, the front desk and its actions (stale page → conflict
message, nothing written), walk-in registration, downloads and public progress."""

import re

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import FORM, pdf_bytes, submit_online, walk_in
from onewindow.identity.tests.factories import make_id_number
from onewindow.workdays import selectors as workdays

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    workdays.reset_calendar_cache()
    yield
    workdays.reset_calendar_cache()


def _upload(name="scan.pdf", content=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content or pdf_bytes(), content_type="application/pdf")


def _text(response) -> str:
    return response.content.decode()


def test_apply_step_by_step_and_a_double_submit_makes_one_case(client, world):
    client.force_login(world.citizen)
    start = client.get(reverse("web:apply", args=[world.item.code]))
    assert start.status_code == 200 and "第 1 步，共 4 步" in _text(start)
    # The citizen's own ID number is shown masked.
    assert world.citizen.person.id_number not in _text(start)

    response = client.post(reverse("web:apply", args=[world.item.code]), {"applicant": "self"})
    draft = Case.objects.get(created_by=world.citizen)
    assert response.url == reverse("web:apply-form", kwargs={"draft_id": draft.pk})

    # Required fields missing: error summary, input kept, nothing lost.
    bad = client.post(response.url, {"contact_name": "张三", "contact_phone": "123",
                                     "next": "1"})
    assert bad.status_code == 422
    body = _text(bad)
    assert 'href="#id_contact_phone"' in body and 'value="张三"' in body
    # "Save for later" keeps a partial draft and shows it in my cases.
    later = client.post(response.url, {"contact_name": "张三", "save_later": "1"})
    assert later.url == reverse("web:my-cases")
    assert "继续申请" in _text(client.get(reverse("web:my-cases")))

    ok = client.post(response.url, {**FORM, "next": "1"})
    assert ok.url == reverse("web:apply-materials", kwargs={"draft_id": draft.pk})

    # An executable named .pdf is refused next to its material.
    first = draft.materials.order_by("position").first()
    refused = client.post(ok.url, {"material_id": first.pk,
                                   "file": _upload("a.pdf", b"MZ\x90\x00binary")})
    assert refused.status_code == 422 and "可执行程序" in _text(refused)
    assert f'href="#file-{first.pk}"' in _text(refused)
    for material in draft.materials.filter(requirement="REQUIRED"):
        done = client.post(ok.url, {"material_id": material.pk, "file": _upload()})
        assert done.status_code == 302

    check = client.get(reverse("web:apply-check", kwargs={"draft_id": draft.pk}))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', _text(check)).group(1)
    version = re.search(r'name="expected_version" value="(\d+)"', _text(check)).group(1)
    data = {"idempotency_key": key, "expected_version": version}
    first_submit = client.post(check.wsgi_request.path, data)
    second_submit = client.post(check.wsgi_request.path, data)
    case = Case.objects.get(pk=draft.pk)
    assert case.status == "SUBMITTED" and case.number
    assert first_submit.url == second_submit.url == reverse("web:my-case",
                                                            kwargs={"number": case.number})
    assert Case.objects.filter(created_by=world.citizen).count() == 1
    page = _text(client.get(first_submit.url))
    assert "待受理" in page and "受理期限" in page and "个工作日" in page


def test_submit_without_materials_links_back_to_them(client, world, now):
    client.force_login(world.citizen)
    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     form_data=FORM, now=now)
    url = reverse("web:apply-check", kwargs={"draft_id": draft.pk})
    response = client.post(url, {"idempotency_key": "k1", "expected_version": ""})
    assert response.status_code == 422
    assert reverse("web:apply-materials", kwargs={"draft_id": draft.pk}) + "#material-" in (
        _text(response))


def test_correction_round_trip_through_the_pages(client, world, now):
    case = submit_online(world, now)
    materials = list(case.materials.order_by("position"))
    client.force_login(world.clerk)
    queue = _text(client.get(reverse("web:front-desk")))
    assert case.number in queue and "deadline-normal" in queue
    page = client.get(reverse("web:staff-case", args=[case.number]))
    assert page.status_code == 200 and "一次性告知补正" in _text(page)
    # Ticked without a problem: the form says which, nothing is written.
    url = reverse("web:staff-case-correction", args=[case.number])
    missing = client.post(url, {f"c_{materials[0].pk}": "on",
                                "expected_version": case.lock_version})
    assert missing.status_code == 422 and "需要补正的问题" in _text(missing)
    response = client.post(url, {
        f"c_{materials[0].pk}": "on", f"p_{materials[0].pk}": "缺少盖章",
        f"c_{materials[2].pk}": "on", f"p_{materials[2].pk}": "租赁协议已过期",
        "expected_version": case.lock_version,
    })
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "CORRECTION_REQUESTED"

    client.force_login(world.citizen)
    mine = _text(client.get(reverse("web:my-case", args=[case.number])))
    assert "缺少盖章" in mine and "租赁协议已过期" in mine and "提交补正材料" in mine
    early = client.post(reverse("web:my-case-supply", args=[case.number]),
                        {"expected_version": case.lock_version})
    assert early.status_code == 422 and "尚未补正" in _text(early)
    for material in (materials[0], materials[2]):
        client.post(reverse("web:my-case-upload", args=[case.number]),
                    {"material_id": material.pk, "file": _upload()})
    case.refresh_from_db()
    done = client.post(reverse("web:my-case-supply", args=[case.number]),
                       {"expected_version": case.lock_version})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == "SUBMITTED"


def test_a_stale_page_gets_the_conflict_message_and_nothing_is_written(client, world, now):
    case = submit_online(world, now)
    stale = case.lock_version
    services.case_accept(actor=world.clerk, case=case, now=now)
    client.force_login(world.clerk)
    response = client.post(reverse("web:staff-case-reject", args=[case.number]),
                           {"reason": "不符合条件", "expected_version": stale})
    assert response.status_code == 409
    assert "该办件刚被其他人处理，请刷新后查看。" in _text(response)
    case.refresh_from_db()
    assert case.status == "IN_REVIEW"  # accepted, and its approval route has started


def test_reject_needs_a_reason_and_states_remedies(client, world, now):
    case = submit_online(world, now)
    client.force_login(world.clerk)
    page = _text(client.get(reverse("web:staff-case", args=[case.number])))
    assert "行政复议" in page and "此操作不能撤销" in page
    response = client.post(reverse("web:staff-case-reject", args=[case.number]),
                           {"reason": "", "expected_version": case.lock_version})
    assert response.status_code == 422 and "请填写不予受理的理由" in _text(response)


def _choices(response) -> list[str]:
    select = _text(response).split('name="implementation_code"')[1].split("</select>")[0]
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_walk_in_item_picker_lists_the_centres_items_and_searches_them(client, world,
                                                                          now):
    from onewindow.catalog.tests.factories import make_item

    elsewhere = make_item(organisation=world.other_dept, now=now, name="外市食品经营许可")
    client.force_login(world.clerk)
    url = reverse("web:walk-in")
    everything = _choices(client.get(url))
    assert set(everything) == {"", world.item.code, world.instant_item.code}
    assert elsewhere.code not in everything
    # Type part of a name: the list narrows, and what was typed stays (no JavaScript).
    id_number = make_id_number()
    found = client.post(url, {"id_number": id_number, "item_q": "个体工商户",
                              "find_item": "1"})
    assert found.status_code == 200
    assert _choices(found) == ["", world.instant_item.code]
    assert f'value="{id_number}"' in _text(found) and "请填写" not in _text(found)
    # Or part of the 实施编码, also as a plain link.
    assert _choices(client.get(url, {"item_q": world.item.code[-10:]})) == ["", world.item.code]
    assert "没有找到" in _text(client.get(url, {"item_q": "不存在的事项名称"}))
    # An item of another centre cannot be registered by posting its code.
    refused = client.post(url, {"id_number": id_number, "name": "王小五",
                                "phone": "13906318888", "implementation_code": elsewhere.code,
                                "application_content": "开店", "register": "1"})
    assert refused.status_code == 422 and "请从列表中选择本中心受理的事项" in _text(refused)
    assert not Case.objects.filter(implementation=elsewhere).exists()


def test_walk_in_with_tolerance_and_without(client, world, now):
    client.force_login(world.clerk)
    id_number = make_id_number()
    lookup = client.post(reverse("web:walk-in"), {"id_number": id_number, "lookup": "1"})
    assert "尚未登记" in _text(lookup)
    response = client.post(reverse("web:walk-in"), {
        "id_number": id_number, "name": "王小五", "phone": "13906318888",
        "implementation_code": world.item.code, "application_content": "开一家面馆",
        "register": "1",
    })
    assert response.status_code == 302
    draft = Case.objects.get(applicant_person__id_number=id_number)
    materials = list(draft.materials.order_by("position"))
    received = [m.pk for m in materials if m.requirement == "REQUIRED" and
                not m.tolerance_allowed]
    paper = client.post(reverse("web:staff-case-paper", args=[draft.pk]),
                        {"material_ids": received, "original_seen": "on",
                         "expected_version": draft.lock_version})
    assert paper.status_code == 302
    draft.refresh_from_db()
    page = client.get(reverse("web:staff-case", args=[draft.pk]))
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', _text(page)).group(1)
    submitted = client.post(reverse("web:staff-case-submit", args=[draft.pk]),
                            {"proxy": "on", "idempotency_key": key,
                             "expected_version": draft.lock_version})
    case = Case.objects.get(pk=draft.pk)
    assert submitted.url == reverse("web:staff-case", args=[case.number]) and case.proxy
    tolerable = next(m for m in materials if m.tolerance_allowed)
    accepted = client.post(reverse("web:staff-case-accept", args=[case.number]),
                           {"tolerated": [tolerable.pk], "supply_days": "10",
                            "expected_version": case.lock_version})
    assert accepted.status_code == 302
    case.refresh_from_db()
    assert case.status == "IN_REVIEW" and case.accepted_at and case.tolerance_due_date

    # A missing material the catalog does not allow to tolerate: refused, clearly.
    other = walk_in(world, now, received=("食品经营许可申请书", "经营场所使用证明",
                                          "食品安全管理制度"))
    refused = client.post(reverse("web:staff-case-accept", args=[other.number]),
                          {"expected_version": other.lock_version})
    assert refused.status_code == 422 and "必要材料不齐全：营业执照" in _text(refused)
    other.refresh_from_db()
    assert other.status == "SUBMITTED"


def test_notice_pdf_download_and_public_progress_without_personal_data(client, world, now):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    client.force_login(world.citizen)
    page = _text(client.get(reverse("web:my-case", args=[case.number])))
    match = re.search(r'href="(/cases/[^"]+/notices/\d+/)"', page)
    pdf = client.get(match.group(1))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    client.logout()
    progress = client.get(reverse("web:progress"),
                          {"number": case.number, "code": case.query_code})
    body = _text(progress)
    person = world.citizen.person
    assert progress.status_code == 200 and "审查中" in body  # accepted, in review
    assert person.name not in body and person.id_number not in body
    assert person.phone not in body
    wrong = client.get(reverse("web:progress"), {"number": case.number, "code": "WRONG123"})
    assert wrong.status_code == 404 and "不正确" in _text(wrong)


@pytest.fixture
def clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_guessing_query_codes_is_stopped_after_ten_misses(client, world, now, clean_cache):
    case = submit_online(world, now)
    url = reverse("web:progress")
    for attempt in range(10):
        wrong = client.get(url, {"number": case.number, "code": f"WRONG{attempt:03d}"})
        assert wrong.status_code == 404
    # Even the right code is not looked up any more from this address.
    blocked = client.get(url, {"number": case.number, "code": case.query_code})
    assert blocked.status_code == 429 and "查询次数过多" in _text(blocked)
    assert "待受理" not in _text(blocked)
    # Another address is not affected.
    other = client.get(url, {"number": case.number, "code": case.query_code},
                       REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200 and "待受理" in _text(other)


def test_files_and_cases_of_others_are_not_found(client, world, now):
    case = submit_online(world, now)
    file_id = case.files.first().pk
    client.force_login(world.agent)
    assert client.get(reverse("web:my-case", args=[case.number])).status_code == 404
    assert client.get(reverse("web:case-file", args=[file_id])).status_code == 404
    client.force_login(world.other_clerk)
    assert client.get(reverse("web:staff-case", args=[case.number])).status_code == 404
    client.force_login(world.citizen)
    download = client.get(reverse("web:case-file", args=[file_id]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    # Named after the material and the case, not the uploader's file name.
    from urllib.parse import quote

    record = case.files.get(pk=file_id)
    expected = f"{record.case_material.name}-{case.number}.pdf"
    assert quote(expected) in download["Content-Disposition"]


def test_inbox_and_demo_messages(client, world, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = submit_online(world, now)
    client.force_login(world.citizen)
    inbox = _text(client.get(reverse("web:inbox")))
    assert case.number in inbox and "未读" in inbox
    client.post(reverse("web:inbox"))
    assert "没有未读消息" in _text(client.get(reverse("web:inbox")))
    client.force_login(world.clerk)
    messages = client.get(reverse("web:demo-messages"))
    assert messages.status_code == 200
    assert world.citizen.person.phone not in _text(messages)
    # A broken "more" link starts the list again instead of failing.
    broken = client.get(reverse("web:demo-messages"), {"cursor": "not-a-cursor", "channel": "SMS"})
    assert broken.status_code == 302
    assert broken.url == reverse("web:demo-messages") + "?channel=SMS"
    client.force_login(world.handler)
    assert client.get(reverse("web:demo-messages")).status_code == 404


def test_an_agent_applies_for_the_enterprise(client, world):
    client.force_login(world.agent)
    page = _text(client.get(reverse("web:apply", args=[world.item.code])))
    assert world.enterprise.name in page
    response = client.post(reverse("web:apply", args=[world.item.code]),
                           {"applicant": str(world.enterprise.pk)})
    draft = Case.objects.get(created_by=world.agent)
    assert response.status_code == 302 and draft.applicant_legal == world.enterprise
    # An enterprise the agent may not act for is not offered, and not accepted.
    other = client.post(reverse("web:apply", args=[world.item.code]), {"applicant": "999999"})
    assert other.status_code == 422


def test_instant_item_decided_on_the_spot(client, world, now):
    case = submit_online(world, now, item=world.instant_item)
    client.force_login(world.chief)
    page = _text(client.get(reverse("web:staff-case", args=[case.number])))
    assert "即办件当场决定" in page
    url = reverse("web:staff-case-decide", args=[case.number])
    denied = client.post(url, {"decision": "deny", "expected_version": case.lock_version})
    assert denied.status_code == 422 and "请填写不予许可的理由" in _text(denied)
    approved = client.post(url, {"decision": "approve", "confirm": "yes",
                                 "expected_version": case.lock_version})
    assert approved.status_code == 302
    case.refresh_from_db()
    assert case.status == "APPROVED"


def test_withdraw_asks_to_confirm_first(client, world, now):
    case = submit_online(world, now)
    client.force_login(world.citizen)
    url = reverse("web:my-case-withdraw", args=[case.number])
    first = client.post(url, {"reason": "不开店了", "expected_version": case.lock_version})
    assert "确认撤回申请？" in _text(first)
    case.refresh_from_db()
    assert case.status == "SUBMITTED"
    client.post(url, {"reason": "不开店了", "expected_version": case.lock_version,
                      "confirm": "yes"})
    case.refresh_from_db()
    assert case.status == "WITHDRAWN"


def test_staff_pages_need_staff_and_portal_pages_need_citizens(client, world):
    assert client.get(reverse("web:front-desk")).status_code == 302
    assert client.get(reverse("web:my-cases")).status_code == 302
    client.force_login(world.citizen)
    assert client.get(reverse("web:front-desk")).status_code == 404
    client.force_login(world.clerk)
    assert client.get(reverse("web:my-cases")).status_code == 404


def test_queue_filters_stay_in_the_url_and_paginate(client, world, now):
    cases = [submit_online(world, now) for _ in range(3)]
    client.force_login(world.clerk)
    import onewindow.web.views.front_desk as front_desk

    front_desk.QUEUE_PAGE, saved = 2, front_desk.QUEUE_PAGE
    try:
        first = _text(client.get(reverse("web:front-desk"),
                                 {"item": world.item.code, "status": "SUBMITTED"}))
    finally:
        front_desk.QUEUE_PAGE = saved
    shown = [c for c in cases if f"{c.number[:-12]}<wbr>{c.number[-12:]}" in first]
    assert shown == cases[:2]  # oldest first, two per page
    next_url = re.search(r'href="(\?[^"]*cursor=[^"]+)" rel="next"', first).group(1)
    assert "item=" in next_url and "status=SUBMITTED" in next_url
    other = _text(client.get(reverse("web:front-desk"), {"item": world.instant_item.code}))
    assert "没有符合条件的办件" in other


def test_odd_numbers_in_forms_and_queries_are_bad_input_not_errors(client, world, now):
    case = submit_online(world, now)
    client.force_login(world.citizen)
    for raw in ("²", "99999999999999999999"):
        # Marking an unknown message read changes nothing and goes back to the inbox.
        marked = client.post(reverse("web:inbox"), {"message": raw})
        assert marked.status_code == 302 and marked["Location"] == reverse("web:inbox")
        # An upload naming no real material is refused as bad input, with the page shown.
        upload = client.post(reverse("web:my-case-upload", args=[case.number]),
                             {"material_id": raw})
        assert upload.status_code == 422
    assert client.get(reverse("web:items"), {"page": "²"}).status_code == 200


def test_the_front_desk_forms_do_not_share_element_ids(client, world, now):
    import collections

    case = submit_online(world, now)
    client.force_login(world.clerk)
    page = _text(client.get(reverse("web:staff-case", args=[case.number])))
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert [i for i, n in collections.Counter(ids).items() if n > 1] == []
    # An empty withdrawal links to the withdrawal's reason, not the refusal's.
    empty = client.post(reverse("web:staff-case-withdraw", args=[case.number]), {})
    assert 'href="#id_withdraw_reason"' in _text(empty)
