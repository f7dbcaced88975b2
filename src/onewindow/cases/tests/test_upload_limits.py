"""Uploads through the mounted API and the pages at the edge of the request: the size
limit holds while the body streams in, and a body Django's form parser refuses (a 5,000
character file name) gets the API's JSON error, not an HTML 400 (issue 11, finding 11)."""

import pytest
from django.test import Client

from onewindow.cases import services
from onewindow.cases.models import CaseFile

from .factories import FORM, pdf_bytes

pytestmark = pytest.mark.django_db

BOUNDARY = "----onewindow-test"


def _multipart(filename: bytes, content: bytes) -> bytes:
    return (f"--{BOUNDARY}\r\n".encode()
            + b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
            + b"Content-Type: application/pdf\r\n\r\n" + content
            + f"\r\n--{BOUNDARY}--\r\n".encode())


def _upload_url(world, now) -> str:
    draft = services.case_draft_save(actor=world.citizen, implementation_code=world.item.code,
                                     form_data=FORM, now=now)
    return f"/api/v1/cases/{draft.pk}/materials/{draft.materials.first().pk}/files"


def _citizen(world) -> Client:
    client = Client()
    client.force_login(world.citizen)
    return client


def test_a_five_thousand_character_file_name_gets_the_json_error(world, now):
    response = _citizen(world).generic(
        "POST", _upload_url(world, now), _multipart(b"a" * 5000 + b".pdf", pdf_bytes()),
        content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "request.invalid"
    assert not CaseFile.objects.exists()


def test_a_declared_oversize_body_is_refused_before_it_is_read(world, now, settings):
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    # The body says 200 MB but holds a few bytes: reading it would fail the test client's
    # payload, so the answer proves nothing was read.
    response = _citizen(world).generic(
        "POST", _upload_url(world, now), _multipart(b"a.pdf", pdf_bytes()),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "cases.upload-too-large"
    assert body["details"]["max_bytes"] == 20 * 1024 * 1024 and "20 MB" in body["message"]
    assert not CaseFile.objects.exists()


def test_a_file_growing_past_the_limit_is_stopped_while_it_streams(world, now, settings,
                                                                  monkeypatch):
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 4096
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every file is spooled to disk
    spooled = []
    monkeypatch.setattr(
        "django.core.files.uploadhandler.TemporaryFileUploadHandler.receive_data_chunk",
        lambda self, raw, start: spooled.append(raw))
    response = _citizen(world).generic(
        "POST", _upload_url(world, now), _multipart(b"a.pdf", pdf_bytes() + b"0" * 300_000),
        content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 422
    assert response.json()["code"] == "cases.upload-too-large"
    assert spooled == [] and not CaseFile.objects.exists()


def test_a_page_post_past_the_limit_gets_the_error_page(world, settings):
    settings.ONEWINDOW_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    response = _citizen(world).generic(
        "POST", "/", _multipart(b"a.pdf", pdf_bytes()),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 400
    page = response.content.decode()
    assert "请求无法处理" in page and "文件超过大小限制（最大 20 MB）" in page


def test_the_api_download_is_named_after_the_detected_type_and_never_sniffed(world, now):
    client = _citizen(world)
    url = _upload_url(world, now)
    uploaded = client.generic("POST", url, _multipart("营业执照.hta".encode(), pdf_bytes()),
                              content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert uploaded.status_code == 201, uploaded.json()
    assert uploaded.json()["content_type"] == "application/pdf"
    ref = url.split("/")[4]
    download = client.get(f"/api/v1/cases/{ref}/files/{uploaded.json()['id']}")
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith(".pdf")
    assert ".hta" not in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "sandbox"
