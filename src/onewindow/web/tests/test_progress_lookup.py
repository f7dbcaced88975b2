"""The public progress lookup (办件进度查询): the query code is posted, never put in a URL
by our pages or links, and guessing is stopped after ten misses from one address even
when the attempts land on different server processes."""

import json
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from onewindow.cases import notices
from onewindow.cases.tests.factories import submit_online
from onewindow.testing.world import build_world
from onewindow.web.management.commands.serve import server_options

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_page_posts_the_code_and_the_qr_link_keeps_it_out_of_the_query(client, now,
                                                                            settings):
    # The QR points at the configured public address: here, the test client's server.
    settings.ONEWINDOW_PUBLIC_BASE_URL = "http://testserver"
    world = build_world(now=now)
    case = submit_online(world, now)
    page = client.get(reverse("web:progress")).content.decode()
    assert re.search(r'<form method="post"[^>]*id="progress-form"', page)
    found = client.post(reverse("web:progress"),
                        {"number": case.number, "code": case.query_code})
    assert found.status_code == 200 and "待受理" in found.content.decode()
    assert found["Cache-Control"] == "no-store"

    # The QR code printed on notices: the number in the query, the code in the fragment
    # (never sent to a server); the page fills the number in and its script posts.
    url = notices.public_progress_url(number=case.number, query_code=case.query_code)
    path, _, fragment = url.partition("#")
    assert "code=" not in path and fragment == f"code={case.query_code}"
    assert path.startswith("http://testserver/")
    opened = client.get(path).content.decode()
    assert f'value="{case.number}"' in opened and "web/progress.js" in opened


def test_twelve_wrong_codes_are_stopped_across_server_processes(client, now):
    world = build_world(now=now)
    case = submit_online(world, now)
    url = reverse("web:progress")
    for attempt in range(10):
        wrong = client.post(url, {"number": case.number, "code": f"WRONG{attempt:03d}"})
        assert wrong.status_code == 404
        # The next request may be served by another gunicorn worker, whose memory holds
        # none of this: what it sees is what a fresh process sees.
        cache.clear()
    for _ in range(2):
        blocked = client.post(url, {"number": case.number, "code": case.query_code})
        assert blocked.status_code == 429 and "查询次数过多" in blocked.content.decode()
    # Another address is not affected.
    other = client.post(url, {"number": case.number, "code": case.query_code},
                        REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


def test_the_api_takes_the_code_in_a_json_body(client, now):
    world = build_world(now=now)
    case = submit_online(world, now)
    found = client.post("/api/v1/cases/progress", json.dumps(
        {"number": case.number, "code": case.query_code}), content_type="application/json")
    assert found.status_code == 200 and found.json()["status_label"] == "待受理"
    for attempt in range(10):
        miss = client.post("/api/v1/cases/progress", json.dumps(
            {"number": case.number, "code": f"WRONG{attempt:03d}"}),
            content_type="application/json")
        assert miss.status_code == 404
    blocked = client.post("/api/v1/cases/progress", json.dumps(
        {"number": case.number, "code": case.query_code}), content_type="application/json")
    assert blocked.status_code == 429 and blocked.json()["code"] == "too-many-attempts"
    # The old GET is still served this release (and marked deprecated), from another
    # address here, and blocked for the guessing one.
    legacy = client.get("/api/v1/progress", {"number": case.number, "code": case.query_code},
                        REMOTE_ADDR="10.9.8.7")
    assert legacy.status_code == 200
    schema = client.get("/api/openapi.json").json()
    progress = next(v for k, v in schema["paths"].items() if k.endswith("/progress"))
    assert progress["get"].get("deprecated") is True and "post" in progress


def test_the_server_logs_paths_without_query_strings():
    options = server_options(bind="127.0.0.1:8000", workers=2, threads=4)
    assert "%(U)s" in options["access_log_format"]
    assert "%(r)s" not in options["access_log_format"]
    assert "%(q)s" not in options["access_log_format"]
