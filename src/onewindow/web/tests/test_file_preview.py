"""Clerks preview PDF and image materials in the browser instead of downloading them:
inline, with the sniffed type, sandboxed, never re-sniffed; other types still download,
and nobody outside the case can preview."""

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.tests.factories import ofd_bytes, png_bytes, submit_online
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _add(world, case, name, content, filename, now):
    material = case.materials.get(name=name)
    services.case_material_upload(actor=world.clerk, case=case, material_id=material.pk,
                                  stream=content, filename=filename, now=now)
    return material.files.order_by("-id").first()


def test_a_clerk_previews_pdfs_and_images_inline(client, now):
    world = build_world(now=now)
    case = submit_online(world, now)
    pdf = case.files.filter(content_type="application/pdf").first()
    picture = _add(world, case, "营业执照", png_bytes(), "照片.png", now)
    client.force_login(world.clerk)

    page = client.get(reverse("web:staff-case", args=[case.number])).content.decode()
    preview_url = reverse("web:case-file-preview", args=[pdf.pk])
    assert f'href="{preview_url}"' in page and "预览" in page
    assert f'href="{reverse("web:case-file", args=[pdf.pk])}"' in page

    shown = client.get(preview_url)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline;")
    assert "filename" in shown["Content-Disposition"] and ".pdf" in shown["Content-Disposition"]
    assert shown["Content-Security-Policy"] == "sandbox"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert b"".join(shown.streaming_content).startswith(b"%PDF")

    image = client.get(reverse("web:case-file-preview", args=[picture.pk]))
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline;")

    # Downloading is unchanged: an attachment.
    download = client.get(reverse("web:case-file", args=[pdf.pk]))
    assert download["Content-Disposition"].startswith("attachment;")


def test_a_file_a_browser_cannot_show_is_downloaded_and_gets_no_preview_link(client, now):
    world = build_world(now=now)
    case = submit_online(world, now)
    ofd = _add(world, case, "营业执照", ofd_bytes(), "执照.ofd", now)
    client.force_login(world.clerk)
    page = client.get(reverse("web:staff-case", args=[case.number])).content.decode()
    assert reverse("web:case-file-preview", args=[ofd.pk]) not in page
    response = client.get(reverse("web:case-file-preview", args=[ofd.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/ofd"


def test_staff_of_another_centre_cannot_preview(client, now):
    world = build_world(now=now)
    case = submit_online(world, now)
    pdf = case.files.first()
    client.force_login(world.other_clerk)
    assert client.get(reverse("web:case-file-preview", args=[pdf.pk])).status_code == 404
    client.logout()
    anonymous = client.get(reverse("web:case-file-preview", args=[pdf.pk]))
    assert anonymous.status_code == 302
