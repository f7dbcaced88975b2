"""A licence in use (issue 13): the wallet's 亮证 QR (a short-lived code whose scan shows the
verified licence, an expired one says so), the finished case linking to its licence for
the applicant and for staff, and the output window printing the paper licence and the
hand-over receipt from the issued licence's data."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.tests.test_licence_draft import at_decision
from onewindow.licences.models import Licence

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(out.split())


def approved(world, now):
    case, decide, _type = at_decision(world, now)
    services.case_task_complete(actor=world.chief, work_item=decide, opinion="同意。",
                                decision="approve", now=now)
    case.refresh_from_db()
    return case, Licence.objects.get(case_number=case.number)


def test_the_wallet_shows_a_short_lived_code_that_a_clerk_scans(client, world, now):
    _case, licence = approved(world, now)
    client.force_login(world.citizen)
    page = client.get(reverse("licences:wallet-detail", args=[licence.identifier]))
    body = _text(page)
    assert "亮证" in body and 'alt="亮证二维码"' in body
    code = re.search(r'id="show-link"', body) and re.search(
        r'href="[^"]*/licences/show/([^/"]+)/" id="show-link"', body)
    assert code, "the page links the code it shows"
    code_text = code.group(1)
    scanner = client.__class__()
    shown = scanner.get(reverse("licences:shown", args=[code_text]))
    assert shown.status_code == 200
    text = _text(shown)
    assert licence.holder_name in text and "山东省威海市环翠区海滨北路 9 号" in text
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=6)):
        late = scanner.get(reverse("licences:shown", args=[code_text]))
    assert late.status_code == 410 and "亮证码已过期" in _text(late)
    assert licence.holder_name not in _text(late)
    bad = scanner.get(reverse("licences:shown", args=["x" * 20]))
    assert bad.status_code == 404


def test_the_finished_case_links_to_its_licence(client, world, now):
    case, licence = approved(world, now)
    client.force_login(world.citizen)
    mine = _text(client.get(reverse("web:my-case", args=[case.number])))
    assert reverse("licences:wallet-detail", args=[licence.identifier]) in mine
    client.force_login(world.chief)
    staff = _text(client.get(reverse("web:staff-case", args=[case.number])))
    assert reverse("licences:staff-detail", args=[licence.identifier]) in staff


def test_the_output_window_prints_the_paper_licence_and_the_receipt(client, world, now,
                                                                    tmp_path):
    case, licence = approved(world, now)
    client.force_login(world.clerk)
    page = _text(client.get(reverse("web:output-case", args=[case.number])))
    assert "打印纸质证照" in page and "打印交接回执" in page
    paper = client.get(reverse("web:output-licence-pdf", args=[case.number]))
    receipt = client.get(reverse("web:output-receipt-pdf", args=[case.number]))
    assert paper.status_code == receipt.status_code == 200
    if shutil.which("pdftotext"):
        paper_text = _pdf_text(paper.content, tmp_path)
        receipt_text = _pdf_text(receipt.content, tmp_path)
        for text in (paper_text, receipt_text):
            assert licence.number in text
            assert "经营场所山东省威海市环翠区海滨北路9号" in text
        assert "交接回执" in receipt_text and "领取人签字" in receipt_text
    # Another department's clerk finds nothing there.
    client.force_login(world.other_clerk)
    assert client.get(reverse("web:output-receipt-pdf", args=[case.number])).status_code == 404
