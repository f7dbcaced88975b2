import hashlib
import io
import re
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases import services, uploads
from onewindow.cases.codes import MaterialState
from onewindow.cases.errors import UploadRejected, UploadTooLarge
from onewindow.cases.models import CaseAction, CaseFile

from .factories import FORM, ofd_bytes, pdf_bytes, png_bytes

PE_HEADER = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100
ELF_HEADER = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "content_type"), [
    (pdf_bytes(), "application/pdf"),
    (png_bytes(), "image/png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
    (ofd_bytes(), "application/ofd"),
    (_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}),
     uploads.DOCX.content_type),
])
def test_allowed_types_are_recognised_by_content(data, content_type):
    checked = uploads.check_upload(stream=data, filename="whatever.bin")
    assert checked.content_type == content_type
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("data", "name"), [
    (PE_HEADER, "营业执照.pdf"),
    (ELF_HEADER, "scan.jpg"),
    (b"#!/bin/sh\nrm -rf /\n", "证明.png"),
    (b"<html><script>alert(1)</script></html>", "a.pdf"),
    (_zip({"setup.exe": PE_HEADER}), "材料.ofd"),
    (_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>",
           "word/vbaProject.bin": b"macro"}), "申请书.docx"),
    (b"%PDF-1.4\n/OpenAction<</S/JavaScript/JS(app.alert(1))>>", "a.pdf"),
    (b"%PDF-1.4\nnot a PDF at all\n", "a.pdf"),
    (b"", "empty.pdf"),
])
def test_disguised_or_dangerous_files_are_refused(data, name):
    with pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=data, filename=name)
    assert exc.value.code == "cases.upload-rejected"
    assert exc.value.details["file"]


def test_executable_named_pdf_says_what_it_really_is():
    with pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=PE_HEADER, filename="营业执照.pdf")
    assert "Windows 可执行程序" in exc.value.message


def test_oversize_file_is_refused_without_reading_it_all(settings):
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(UploadTooLarge) as exc:
        uploads.check_upload(stream=io.BytesIO(pdf_bytes() + b"0" * 2000), filename="a.pdf")
    assert exc.value.code == "cases.upload-too-large"
    assert exc.value.details["max_bytes"] == 1024
    big = SimpleUploadedFile("a.pdf", pdf_bytes() + b"0" * 2000)
    with pytest.raises(UploadTooLarge):
        uploads.check_upload(stream=big, filename="a.pdf")


def test_file_names_are_cleaned_for_display():
    assert uploads.clean_name("../../etc/passwd") == "passwd"
    assert uploads.clean_name("C:\\Users\\x\\营业执照.pdf") == "营业执照.pdf"
    assert uploads.clean_name("") == "未命名文件"


@pytest.mark.django_db
def test_upload_through_the_service_stores_via_storage(world, now):
    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     form_data=FORM, now=now)
    material = draft.materials.get(name="营业执照")
    upload = SimpleUploadedFile("营业执照.jpg", pdf_bytes(), content_type="image/jpeg")
    record = services.case_material_upload(actor=world.citizen, case=draft,
                                           material_id=material.pk, stream=upload,
                                           filename=upload.name, now=now)
    assert record.content_type == "application/pdf"  # sniffed, not the browser's claim
    assert record.file.name.startswith("cases/371000/2026/11/")
    assert record.file.name.endswith(".pdf") and "营业执照" not in record.file.name
    assert record.file.read() == pdf_bytes()
    material.refresh_from_db()
    assert material.state == MaterialState.UPLOADED and material.trust_grade == "C"
    action = CaseAction.objects.get(case=draft, kind="ADD_FILE")
    assert action.data["file"]["sha256"] == record.sha256


@pytest.mark.django_db
def test_refused_upload_writes_nothing(world, now, settings):
    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     now=now)
    material = draft.materials.first()
    with pytest.raises(UploadRejected):
        services.case_material_upload(actor=world.citizen, case=draft, material_id=material.pk,
                                      stream=PE_HEADER, filename="申请书.pdf", now=now)
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 10
    with pytest.raises(UploadTooLarge):
        services.case_material_upload(actor=world.citizen, case=draft, material_id=material.pk,
                                      stream=pdf_bytes(), filename="申请书.pdf", now=now)
    assert not CaseFile.objects.exists()
    assert not CaseAction.objects.filter(kind="ADD_FILE").exists()


@pytest.mark.django_db
def test_only_the_applicant_uploads_to_their_draft(world, now):
    from onewindow.cases.errors import CaseNotFound

    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     now=now)
    with pytest.raises(CaseNotFound):
        services.case_material_upload(actor=world.agent, case=draft,
                                      material_id=draft.materials.first().pk,
                                      stream=pdf_bytes(), filename="a.pdf", now=now)


@pytest.mark.django_db
def test_a_failed_transaction_removes_the_stored_file(world, now, settings, monkeypatch):
    from pathlib import Path

    from onewindow.cases.models import CaseMaterial

    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     now=now)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(CaseMaterial, "save", broken)
    with pytest.raises(RuntimeError):
        services.case_material_upload(actor=world.citizen, case=draft,
                                      material_id=draft.materials.first().pk,
                                      stream=pdf_bytes(), filename="a.pdf", now=now)
    media = Path(settings.MEDIA_ROOT)
    assert not [p for p in media.rglob("*") if p.is_file()]


# --- polyglots, escaped names, containers (issue 11, finding 1) -------------------------


_HTML_CARRYING_A_PDF = [
    (b"<html><script language=VBScript>CreateObject(\"WScript.Shell\").Run \"calc\""
     b"</script>\n%PDF-1.4\n</html>", name)
    for name in ("a.hta", "a.html", "a.bat", "a.js")
] + [(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">%PDF-1.4</svg>', "a.svg")]


@pytest.mark.parametrize(("data", "name"), _HTML_CARRYING_A_PDF)
def test_a_script_or_web_page_with_a_pdf_header_inside_is_refused(data, name):
    with pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=data, filename=name)
    assert exc.value.code == "cases.upload-rejected"
    assert "网页或脚本" in exc.value.message


@pytest.mark.parametrize("data", [
    # Leading junk and a real PDF behind it (spec: within the first 1,024 bytes), but what
    # comes first is a web page: refused even though a PDF parser could open it.
    b"<!DOCTYPE html><script>alert(1)</script>\n" + pdf_bytes(),
    # The header within the window, but nothing a parser can open.
    b"junk from a scanner\n%PDF-1.4\n<< /Type /Catalog >>\n",
])
def test_a_pdf_header_after_other_content_needs_a_real_pdf_behind_it(data):
    with pytest.raises(UploadRejected):
        uploads.check_upload(stream=data, filename="a.pdf")


def test_leading_junk_before_a_real_pdf_is_allowed_as_the_spec_says():
    checked = uploads.check_upload(stream=b"\x00\x01 scanner header\n" + pdf_bytes(),
                                   filename="scan.hta")
    assert checked.content_type == "application/pdf" and checked.kind.extension == "pdf"


@pytest.mark.parametrize("extra", [
    b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>",
    b"/OpenAction << /S /L#61unch /F (cmd.exe) >>",
    b"/Names << /Embedded#46ile#73 << /Names [] >> >>",
    b"/AA << /O << /S /#4A#61#76#61#53#63#72#69#70#74 /JS (x) >> >>",
])
def test_active_content_under_escaped_names_is_refused(extra):
    with pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=pdf_bytes(catalog_extra=extra), filename="a.pdf")
    assert "脚本、启动动作或内嵌文件" in exc.value.message


def _pdf_with_compressed_action(filter_name: bytes = b"/FlateDecode") -> bytes:
    """A PDF 1.5 whose JavaScript action sits in a compressed object stream: no active
    name is in the file's bytes, only a PDF parser finds it."""
    action = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    packed = zlib.compress(b"4 0 " + action)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [] /Count 0 >>",
        3: b"<< /Type /ObjStm /N 1 /First 4 /Filter %s /Length %d >>\nstream\n"
           % (filter_name, len(packed)) + packed + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.5\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    offsets[5] = len(out)
    rows = [(0, 0, 65535)] + [(1, offsets[n], 0) for n in (1, 2, 3)] + [(2, 3, 0),
                                                                      (1, offsets[5], 0)]
    table = b"".join(bytes([kind]) + value.to_bytes(4, "big") + extra.to_bytes(2, "big")
                     for kind, value, extra in rows)
    out += (b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\n"
            b"stream\n" % len(table) + table + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[5]
    return bytes(out)


def test_active_content_hidden_in_a_compressed_object_stream_is_found_by_parsing():
    data = _pdf_with_compressed_action()
    assert b"JavaScript" not in data
    with pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=data, filename="a.pdf")
    assert "脚本、启动动作或内嵌文件" in exc.value.message


def test_a_zip_with_too_many_entries_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ZIP_ENTRIES", 50)
    many = _zip({"OFD.xml": b"<ofd:OFD/>"} | {f"Doc_0/Res/{i}.xml": b"<x/>"
                                              for i in range(60)})
    with pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=many, filename="a.ofd")
    assert "条目过多" in exc.value.message


def test_a_zip_bomb_is_refused_before_it_is_unpacked(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ZIP_EXPANDED_BYTES", 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", b"<ofd:OFD/>")
        archive.writestr("Doc_0/Document.xml", b"\x00" * (2 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 10 * 1024
    with pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=bomb, filename="a.ofd")
    assert "解压后过大" in exc.value.message


@pytest.mark.parametrize(("content_type", "extension"), [
    ("application/pdf", "pdf"), ("image/jpeg", "jpg"), ("image/png", "png"),
    ("application/ofd", "ofd"), (uploads.DOCX.content_type, "docx"), ("text/html", "bin"),
])
def test_downloads_are_named_after_the_detected_type(content_type, extension):
    assert uploads.extension_for(content_type) == extension


@pytest.mark.django_db
def test_a_pdf_uploaded_as_hta_is_downloaded_as_pdf(world, now):
    from onewindow.cases import selectors

    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     form_data=FORM, now=now)
    material = draft.materials.get(name="营业执照")
    record = services.case_material_upload(actor=world.citizen, case=draft,
                                           material_id=material.pk, stream=pdf_bytes(),
                                           filename="营业执照.hta", now=now)
    assert record.original_name == "营业执照.hta"  # shown as the applicant named it
    assert selectors.file_download_name(record) == f"营业执照-草稿{draft.pk}.pdf"


def test_a_refusal_names_the_accepted_formats_in_the_readers_language():
    from django.utils import translation

    page = b"<html><script>alert(1)</script>%PDF-1.4\n</html>"
    with translation.override("en"), pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=page, filename="form.pdf")
    message = str(exc.value.message)
    assert "PDF, JPEG" in message and "Word" in message
    assert not re.search(r"[\u4e00-\u9fff]", message), message
    with pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=page, filename="form.pdf")
    assert "PDF、JPEG 图片" in str(exc.value.message)


@pytest.mark.parametrize("filter_name", [b"/Foo", b"/JBIG2Decode"])
def test_a_pdf_whose_streams_pypdf_cannot_decode_is_refused_as_damaged(filter_name):
    with pytest.raises(UploadRejected) as exc:
        uploads.check_upload(stream=_pdf_with_compressed_action(filter_name),
                             filename="a.pdf")
    assert exc.value.code == "cases.upload-rejected"
