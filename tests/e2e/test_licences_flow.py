"""电子证照 × 办件 as people use it (issue 6, Done when): citizen1's application for the
licence-producing demo item is approved → the 食品经营许可证 appears in the wallet → the
link its PDF prints (the QR code's target) opens the public verification page: valid →
citizen1 applies for the renewal, whose material is that licence, and uploads nothing for
it (免证办; the use shows in the wallet's 用证记录) → chief1 revokes the licence at the
workbench → the verification page says revoked, and a new application needs the upload
again.

The approval is driven through the case services (acceptance, then each step of the
item's approval route); everything about the licence is done in the browser.
"""

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onewindow.cases import services
from onewindow.cases.codes import CaseStatus, MaterialState, TrustGrade
from onewindow.cases.models import Case
from onewindow.catalog.models import Material
from onewindow.identity.models import Account
from onewindow.licences import exports
from onewindow.licences.models import Licence, LicenceType, LicenceUsage
from onewindow.testing import axe_violations
from onewindow.testing.files import pdf_bytes
from onewindow.web import demo
from onewindow.web.demo_forms import answer_sample
from onewindow.web.demo_items import load_demo_items
from onewindow.workflow import selectors as workflow_selectors
from onewindow.workflow.errors import WorkItemNotFound

from .test_cases_intake import answer_by_service, citizen_login, pdf_file, staff_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOOD = "食品经营许可（新办）"
RENEWAL = "食品经营许可（延续）"
LICENCE_MATERIAL = "食品经营许可证"
FROM_LIBRARY = "已由电子证照提供（免提交）"


@pytest.fixture
def demo_data():
    now = timezone.now()
    demo.load_identity(now=now)
    items = load_demo_items(now=now)
    return {i.current_version.name: i for i in items}


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, "\n".join(f"{v['id']}: {v['help']}" for v in violations)


def account(username: str) -> Account:
    return Account.objects.get(username=username)


def apply_for_food_licence(item) -> Case:
    """citizen1 applies online with every required material uploaded."""
    citizen, now = account("citizen1"), timezone.now()
    draft = services.case_draft_save(
        actor=citizen, implementation_code=item.code, now=now,
        form_data={"contact_name": "张晓明", "contact_phone": "13806310001",
                   "contact_address": "山东省威海市环翠区新威路 18 号",
                   "application_content": "热食类食品制售"},
    )
    draft = answer_sample(draft, actor=citizen, now=now)  # the item's own form (ADR 0031)
    for material in draft.materials.filter(requirement="REQUIRED"):
        services.case_material_upload(actor=citizen, case=draft, material_id=material.pk,
                                      stream=pdf_bytes(material.name, page_text=material.name),
                                      filename="scan.pdf", now=now)
    return services.case_submit(actor=citizen, case=draft, idempotency_key="e2e-food",
                                now=timezone.now())


def approve(case: Case) -> Case:
    """Accept at the window, then complete each step of the route as the demo staff whose
    worklist holds it, approving, until the route ends."""
    services.case_accept(actor=account("clerk1"), case=case, now=timezone.now())
    staff = [account(name) for name in ("handler1", "chief1", "clerk1")]
    for _ in range(10):
        case.refresh_from_db()
        if case.status != CaseStatus.IN_REVIEW:
            break
        ready = [item for item in workflow_selectors.work_items_of_subject(
            subject_type="cases.case", subject_id=str(case.pk)) if item.status == "READY"]
        assert ready, "the route stopped without a task"
        actor = next(a for a in staff if _may_work_on(a, ready[0]))
        # A 现场核查 step is recorded first (every point complies).
        if ready[0].kind == "inspection":
            services.inspection_record_save(
                actor=actor, work_item=ready[0], now=timezone.now(),
                results={p["key"]: {"result": "pass"}
                         for p in case.version.inspection_checklist})
        # Review steps give an opinion; the chief representative's step decides.
        decides = ready[0].role == "CHIEF_REPRESENTATIVE"
        services.case_task_complete(actor=actor, work_item=ready[0], opinion="材料齐全，同意。",
                                    decision="approve" if decides else None,
                                    now=timezone.now())
    case.refresh_from_db()
    return case


def _may_work_on(actor, item) -> bool:
    try:
        workflow_selectors.access_work_item(actor=actor, work_item_id=item.pk)
    except WorkItemNotFound:
        return False
    return True


def pdf_text(path: str) -> str:
    return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True,
                          check=True).stdout


def test_licence_from_approval_to_wallet_verification_reuse_and_revocation(
        phone_page, desk_page, live_server, settings, demo_data):
    settings.ONEWINDOW_PUBLIC_BASE_URL = live_server.url
    case = approve(apply_for_food_licence(demo_data[FOOD]))
    assert case.status == CaseStatus.APPROVED
    licence = Licence.objects.get(case_number=case.number)

    # The licence is in citizen1's wallet.
    page = phone_page
    citizen_login(page)
    page.goto("/licences/wallet/")
    page.get_by_role("link", name=LICENCE_MATERIAL).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text(licence.number)
    expect(main).to_contain_text("热食类食品制售")  # 经营项目, from the application form
    assert_accessible(page)

    # Its PDF prints the verification link the QR code encodes.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").click()
    path = download_info.value.path()
    assert Path(path).read_bytes().startswith(b"%PDF")
    # The link is printed amid Chinese text, possibly broken over lines.
    printed = re.search(r"https?://[!-~]+", pdf_text(path).replace("\n", ""))
    assert printed, "the PDF prints no verification link"
    qr_url = exports.verify_url(licence)  # what the QR code holds: the link + a signature
    assert qr_url.split("?")[0] == printed.group(0)
    verify = urlsplit(qr_url)
    page.goto(f"{verify.path}?{verify.query}")
    outcome = page.locator("#verify-outcome")
    expect(outcome).to_have_attribute("data-outcome", "valid")
    assert "37100219900307002X" not in page.content()  # the holder's ID number is masked
    assert_accessible(page)

    # The renewal's material is the licence itself: nothing to upload for it.
    page.goto(f"/apply/{demo_data[RENEWAL].code}/")
    page.get_by_role("button", name="下一步：填写申请表").click()
    page.get_by_label("申请内容").fill("食品经营许可证延续五年")
    page.get_by_role("button", name="保存并继续").click()
    # The renewal's form: the licence's number, premises and items come from the wallet.
    expect(page.get_by_role("heading", level=1)).to_have_text("原许可证信息")
    assert page.get_by_label("许可证编号").input_value() == licence.number
    expect(page.get_by_text("来自食品经营许可证").first).to_be_visible()
    answer_by_service(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("上传申请材料")
    card = page.locator("li.material", has_text=LICENCE_MATERIAL).last
    expect(card).to_contain_text(FROM_LIBRARY)
    expect(card).to_contain_text(licence.number)
    expect(card.locator("input[type=file]")).to_have_count(0)
    assert_accessible(page)
    form_card = page.locator("li.material", has_text="食品经营许可延续申请书")
    form_card.locator("input[type=file]").set_input_files(pdf_file("renewal-form.pdf"))
    form_card.get_by_role("button", name=re.compile("^上传")).click()
    expect(page.locator(".notice-list")).to_contain_text("renewal-form.pdf")
    page.get_by_role("link", name="下一步：核对并提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("核对您的申请")
    expect(page.locator(".summary-list").last).to_contain_text(FROM_LIBRARY)
    expect(page.locator(".notice-error")).to_have_count(0)  # nothing required is missing
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/my/cases/[0-9A-Z]+/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.locator(".status-card")).to_contain_text("待受理")
    material = Case.objects.get(number=number).materials.get(name=LICENCE_MATERIAL)
    assert material.state == MaterialState.SATISFIED_BY_LICENCE
    assert material.trust_grade == TrustGrade.A and not material.files.exists()
    assert LicenceUsage.objects.filter(licence=licence, case_number=number).count() == 1

    # The holder sees the use in the 用证记录.
    page.goto("/licences/wallet/usage/")
    expect(page.get_by_role("main")).to_contain_text(f"办件 {number} 免提交 {LICENCE_MATERIAL}")

    # chief1 revokes it at the workbench.
    desk = desk_page
    staff_login(desk, "chief1")
    desk.goto(f"/licences/staff/l/{licence.identifier}/")
    desk.get_by_label("注销理由").fill("经营者申请注销")
    desk.get_by_role("button", name="确认注销").click()
    desk.wait_for_url(f"**/licences/staff/l/{licence.identifier}/")
    expect(desk.get_by_role("main")).to_contain_text("证照已注销")

    # The same QR link now says revoked.
    page.goto(f"{verify.path}?{verify.query}")
    expect(outcome).to_have_attribute("data-outcome", "revoked")
    expect(outcome).to_contain_text("经营者申请注销")

    # A revoked licence supplies nothing: a new renewal application asks for the upload.
    page.goto(f"/apply/{demo_data[RENEWAL].code}/")
    page.get_by_role("button", name="下一步：填写申请表").click()
    page.get_by_label("申请内容").fill("再次申请延续")
    page.get_by_role("button", name="保存并继续").click()
    # A revoked licence prefills nothing either.
    expect(page.get_by_role("heading", level=1)).to_have_text("原许可证信息")
    assert page.get_by_label("许可证编号").input_value() == ""
    answer_by_service(page)
    card = page.locator("li.material", has_text=LICENCE_MATERIAL).last
    expect(card).not_to_contain_text(FROM_LIBRARY)
    expect(card.locator("input[type=file]")).to_have_count(1)


# --- the demo data is coherent ------------------------------------------------------------------


def test_demo_items_name_licence_types_that_exist(demo_data):
    """One set of codes: every type a demo item produces or accepts instead of a material
    exists, and the implementing department may issue what its item produces."""
    items = demo_data
    types = {t.code: t for t in LicenceType.objects.prefetch_related("issuers")}
    for implementation in items.values():
        version = implementation.current_version
        if version.result_licence_type:
            produced = types[version.result_licence_type]
            assert implementation.organisation in produced.issuers.all()
    codes = set(Material.objects.exclude(licence_type_code="").values_list(
        "licence_type_code", flat=True))
    assert codes <= types.keys()
    food = items["食品经营许可（新办）"].current_version
    assert types[food.result_licence_type].name == "食品经营许可证"
    renewal = items["食品经营许可（延续）"].current_version
    assert renewal.materials.get(name="食品经营许可证").licence_type_code == (
        food.result_licence_type)


def test_the_instant_demo_item_issues_the_individual_business_licence(demo_data):
    """个体工商户设立登记 (即办件) decided at the window by clerk1 issues citizen1's
    个体工商户营业执照, its 照面信息 taken from the application form."""
    item = demo_data["个体工商户设立登记"]
    citizen, now = account("citizen1"), timezone.now()
    draft = services.case_draft_save(
        actor=citizen, implementation_code=item.code, now=now,
        form_data={"contact_name": "张晓明", "contact_phone": "13806310001",
                   "application_content": "小吃店：热食类食品制售"},
    )
    draft = answer_sample(draft, actor=citizen, now=now)  # the item's own form (ADR 0031)
    for material in draft.materials.filter(requirement="REQUIRED"):
        services.case_material_upload(actor=citizen, case=draft, material_id=material.pk,
                                      stream=pdf_bytes(material.name, page_text=material.name),
                                      filename="scan.pdf", now=now)
    case = services.case_submit(actor=citizen, case=draft, idempotency_key="e2e-gt",
                                now=now)
    case = services.case_decide_instant(actor=account("clerk1"), case=case,
                                        approve=True, now=timezone.now())
    assert case.status == CaseStatus.APPROVED
    licence = Licence.objects.get(case_number=case.number)
    assert licence.name == "个体工商户营业执照" and licence.holder_name == "张晓明"
    # 经营场所 from the contact address the form prefilled from citizen1's account.
    assert licence.fields == {"business_scope": "小吃店：热食类食品制售",
                              "premises": "山东省威海市环翠区新威路 18 号"}
