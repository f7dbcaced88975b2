import hashlib
import io
import zipfile

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
