import shutil
import subprocess

import pytest

from onewindow.documents.qr import qr_data_uri, qr_svg
from onewindow.documents.rendering import Attachment, render_pdf


def _pdftotext(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is installed by make test")
def test_chinese_text_is_in_the_pdf_text_layer(tmp_path):
    pdf = render_pdf(
        template="documents/tests/sample.html",
        context={"name": "张晓明", "item": "中小学地方课程教材初审", "qr": qr_data_uri("https://x/1")},
        filename="中小学地方课程教材初审-TEST.pdf", title="受理通知书",
    )
    assert pdf.content.startswith(b"%PDF")
    text = _pdftotext(pdf.content, tmp_path)
    assert "受理通知书" in text.replace(" ", "")
    assert "中小学地方课程教材初审" in text.replace(" ", "")
    assert "张晓明" in text.replace(" ", "")


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils is installed by make test")
def test_fonts_are_embedded_as_subsets(tmp_path):
    pdf = render_pdf(template="documents/tests/sample.html",
                     context={"name": "李", "item": "事项", "qr": ""}, filename="x.pdf")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf.content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, fonts
    assert any("CJK" in row for row in rows), fonts
    for row in rows:
        # columns: name type encoding emb sub uni ...; every font embedded and subset
        assert " yes yes " in row, fonts


@pytest.mark.skipif(not shutil.which("pdfdetach"), reason="poppler-utils is installed by make test")
def test_attachments_travel_inside_the_pdf(tmp_path):
    pdf = render_pdf(template="documents/tests/sample.html",
                     context={"name": "王", "item": "事项", "qr": ""}, filename="x.pdf",
                     attachments=[Attachment(name="payload.json", content=b'{"a":1}')])
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf.content)
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path), str(path)], check=True)
    assert (tmp_path / "payload.json").read_bytes() == b'{"a":1}'


def test_qr_svg_is_an_svg():
    svg = qr_svg("https://example.invalid/progress/ABC")
    assert svg.lstrip().startswith("<?xml") or svg.lstrip().startswith("<svg")
    assert qr_data_uri("x").startswith("data:image/svg+xml;base64,")
