import shutil
import subprocess

import pytest

from onewindow.cases import notices, selectors, services

from .factories import submit_online, walk_in

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"),
                       reason="poppler-utils is installed by make test"),
]


def text_of(content: bytes, tmp_path) -> str:
    path = tmp_path / "notice.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(out.split())


def test_acceptance_notice_has_centre_number_dates_deadlines_and_qr(world, now, tmp_path):
    case = walk_in(world, now, received=("食品经营许可申请书", "营业执照", "食品安全管理制度"))
    site = case.materials.get(name="经营场所使用证明")
    services.case_accept(actor=world.clerk, case=case, tolerated=[site.pk], supply_days=10,
                         now=now)
    ref = selectors.notices_of(case=case)[0]
    assert ref.title == "容缺受理通知书"
    assert ref.filename == f"食品经营许可（新办）-{case.number}-容缺受理通知书.pdf"
    pdf = notices.render_notice(case=case, seq=ref.seq)
    assert pdf.content.startswith(b"%PDF") and pdf.filename == ref.filename
    text = text_of(pdf.content, tmp_path)
    # A 容缺 acceptance never claims the materials are complete; it says what is owed.
    assert "申请材料齐全、符合法定形式，依照" not in text
    for expected in ("容缺受理通知书", "决定予以容缺受理", "2026年12月7日前补交下列容缺材料",
                     "受理后10个工作日内", "测试市政务服务中心", case.number, "2026年11月23日",
                     "2026年11月30日", "2026年12月21日", "2026年12月7日", "经营场所使用证明",
                     "食品经营许可（新办）", case.query_code, "第三十二条"):
        assert expected in text, expected
    # The QR code (vector SVG) encodes the public progress URL, which is printed too.
    _, context, _ = notices.notice_context(case=case, seq=ref.seq)
    assert context["qr"].startswith("data:image/svg+xml;base64,")
    assert f"number={case.number}" in context["progress_url"]
    assert f"code={case.query_code}" in context["progress_url"]


def test_rejection_notice_states_reason_and_remedies(world, now, tmp_path):
    case = submit_online(world, now)
    services.case_reject(actor=world.clerk, case=case, reason="申请事项依法不需要取得行政许可。",
                         now=now)
    pdf = notices.render_notice(case=case, seq=selectors.notices_of(case=case)[0].seq)
    text = text_of(pdf.content, tmp_path)
    for expected in ("不予受理决定书", "申请事项依法不需要取得行政许可", "行政复议", "六十日",
                     "行政诉讼", "六个月"):
        assert expected in text, expected


def test_correction_notice_lists_every_item_at_once(world, now, tmp_path):
    case = submit_online(world, now)
    services.case_request_correction(actor=world.clerk, case=case, now=now, items=[
        {"material_id": case.materials.get(name="营业执照").pk, "problem": "复印件不清晰"},
        {"material_id": case.materials.get(name="食品安全管理制度").pk,
         "problem": "缺少进货查验制度"},
    ])
    pdf = notices.render_notice(case=case, seq=selectors.notices_of(case=case)[0].seq)
    text = text_of(pdf.content, tmp_path)
    for expected in ("补正材料通知书", "一次性告知", "营业执照：复印件不清晰",
                     "食品安全管理制度：缺少进货查验制度"):
        assert expected in text, expected


def test_notice_is_rendered_from_the_frozen_snapshot(world, now, tmp_path):
    case = submit_online(world, now)
    services.case_accept(actor=world.clerk, case=case, now=now)
    seq = selectors.notices_of(case=case)[0].seq
    world.centre.name = "改名后的中心"
    world.centre.save()
    text = text_of(notices.render_notice(case=case, seq=seq).content, tmp_path)
    assert "测试市政务服务中心" in text and "改名后的中心" not in text


def test_progress_url_uses_the_public_base_url(settings):
    settings.ONEWINDOW_PUBLIC_BASE_URL = "https://zwfw.example.gov.cn/"
    url = notices.public_progress_url(number="N1", query_code="ABC")
    assert url.startswith("https://zwfw.example.gov.cn/") and "number=N1" in url
    assert "code=ABC" in url
