"""Finding 10 of issue 11: behind the reverse proxy every citizen arrived from the proxy's
address, so one guesser's misses refused everybody's correct lookups. The throttle now
counts the client the trusted proxy names (ADR 0026)."""

import pytest
from django.urls import reverse

from onewindow.cases.tests.factories import submit_online
from onewindow.testing.world import build_world

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _setup(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ONEWINDOW_TRUSTED_PROXIES = [PROXY]


def _lookup(client, case, code, *, via, as_client):
    return client.post(reverse("web:progress"), {"number": case.number, "code": code},
                       REMOTE_ADDR=via, HTTP_X_FORWARDED_FOR=as_client)


def test_one_guesser_behind_the_proxy_does_not_stop_the_others(client, now):
    case = submit_online(build_world(now=now), now)
    for n in range(10):
        assert _lookup(client, case, f"WRONG{n:03d}", via=PROXY,
                       as_client="203.0.113.9").status_code == 404
    assert _lookup(client, case, case.query_code, via=PROXY,
                   as_client="203.0.113.9").status_code == 429
    # Claiming another address to the proxy does not help: it appends the real one.
    assert _lookup(client, case, case.query_code, via=PROXY,
                   as_client="198.51.100.4, 203.0.113.9").status_code == 429
    # The applicant at another address, through the same proxy, gets the answer.
    found = _lookup(client, case, case.query_code, via=PROXY, as_client="198.51.100.4")
    assert found.status_code == 200 and "待受理" in found.content.decode()


def test_the_api_lookup_counts_the_same_client(client, now):
    case = submit_online(build_world(now=now), now)
    url = "/api/v1/cases/progress"
    for n in range(10):
        client.post(url, {"number": case.number, "code": f"WRONG{n:03d}"},
                    content_type="application/json", REMOTE_ADDR=PROXY,
                    HTTP_X_FORWARDED_FOR="203.0.113.9")
    blocked = client.post(url, {"number": case.number, "code": case.query_code},
                          content_type="application/json", REMOTE_ADDR=PROXY,
                          HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert blocked.status_code == 429 and blocked.json()["code"] == "too-many-attempts"
    found = client.post(url, {"number": case.number, "code": case.query_code},
                        content_type="application/json", REMOTE_ADDR=PROXY,
                        HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert found.status_code == 200 and found.json()["number"] == case.number


def test_without_a_client_address_a_guesser_stops_only_the_number_it_guesses(
        client, settings, now):
    """A unix-socket bind (no REMOTE_ADDR) not declared in ONEWINDOW_TRUSTED_PROXIES: the
    misses count against the 办件编号 guessed, never in one bucket of every caller
    (review of issue 13, item 3)."""
    settings.ONEWINDOW_TRUSTED_PROXIES = []
    world = build_world(now=now)
    guessed, other = submit_online(world, now), submit_online(world, now, key="other")
    for n in range(10):
        assert _lookup(client, guessed, f"WRONG{n:03d}", via="",
                       as_client="203.0.113.9").status_code == 404
    assert _lookup(client, guessed, guessed.query_code, via="",
                   as_client="198.51.100.4").status_code == 429
    found = _lookup(client, other, other.query_code, via="", as_client="198.51.100.4")
    assert found.status_code == 200


def test_behind_a_declared_unix_socket_the_proxy_names_the_client(client, settings, now):
    settings.ONEWINDOW_TRUSTED_PROXIES = ["unix"]
    case = submit_online(build_world(now=now), now)
    for n in range(10):
        _lookup(client, case, f"WRONG{n:03d}", via="", as_client="203.0.113.9")
    assert _lookup(client, case, case.query_code, via="",
                   as_client="203.0.113.9").status_code == 429
    assert _lookup(client, case, case.query_code, via="",
                   as_client="198.51.100.4").status_code == 200
