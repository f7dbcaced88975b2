"""``common.ratelimit.client_address``: the one answer to "who is asking", behind our own
reverse proxies and never on the client's word (ADR 0026)."""

import re

import pytest
from django.apps import apps
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from onewindow.common.ratelimit import client_address

PROXIES = ["10.0.0.0/24", "192.0.2.1"]
# client_address notes a hidden client for the deploy check, in the database.
pytestmark = pytest.mark.django_db


def _address(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


@pytest.fixture(autouse=True)
def _proxies(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = PROXIES


@pytest.mark.parametrize(("remote", "forwarded", "client"), [
    # Straight from the internet: the header is the client's word, and ignored.
    ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
    # Through our proxy: the address the proxy appended.
    ("10.0.0.7", "203.0.113.5", "203.0.113.5"),
    # Through two of ours; whatever the client wrote at the left is not believed.
    ("10.0.0.7", "198.51.100.1, 203.0.113.5, 192.0.2.1", "203.0.113.5"),
    # Our proxy without the header, or with garbage: the proxy is all we know.
    ("10.0.0.7", None, "10.0.0.7"),
    ("10.0.0.7", "not-an-address", "10.0.0.7"),
    ("10.0.0.7", "203.0.113.5, junk", "10.0.0.7"),
    # IPv6 clients count by their /64; IPv4 mapped into IPv6 is IPv4.
    ("10.0.0.7", "2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::9", None, "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.5", None, "203.0.113.5"),
    ("", None, "unknown"),
    # A connection without an address is only believed when "unix" is listed (below).
    ("", "203.0.113.5", "unknown"),
    # A proxy on this host that is not listed would make everyone one client.
    ("127.0.0.1", "203.0.113.5", "unknown"),
    ("::1", "203.0.113.5", "unknown"),
    # This host itself, not forwarding: a real (local) client.
    ("127.0.0.1", None, "127.0.0.1"),
])
def test_the_client_is_the_first_address_our_proxies_did_not_add(remote, forwarded, client):
    assert _address(remote, forwarded) == client


def test_without_trusted_proxies_the_header_is_never_read(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = []
    assert _address("10.0.0.7", "203.0.113.5") == "10.0.0.7"


def test_a_unix_socket_proxy_is_trusted_when_listed(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = ["unix", *PROXIES]
    assert _address("", "203.0.113.5") == "203.0.113.5"
    assert _address("", "198.51.100.1, 203.0.113.5, 10.0.0.7") == "203.0.113.5"
    assert _address("", None) == "unknown"
    assert _address("", "junk") == "unknown"


@pytest.mark.parametrize("entry", ["10.0.0.300", "proxy.internal", "10.0.0.0/33"])
def test_a_malformed_entry_stops_the_start_naming_it(settings, entry):
    settings.ONEWINDOW_TRUSTED_PROXIES = ["10.0.0.2", entry]
    with pytest.raises(ImproperlyConfigured, match=re.escape(repr(entry))):
        apps.get_app_config("common").ready()


def test_the_deploy_check_names_what_hid_the_clients(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = ["10.0.0.2"]
    assert not _warnings()
    _address("", None)  # a unix socket nobody declared
    _address("10.0.0.9", "203.0.113.5")  # a proxy nobody listed
    _address("10.0.0.9", "203.0.113.6")
    _address("93.184.216.34", "198.51.100.1")  # a public client writing the header
    _address("10.0.0.2", "203.0.113.5")  # the listed proxy
    warnings = _warnings()
    assert [w.id for w in warnings] == ["onewindow.W020", "onewindow.W021"]
    assert warnings[0].msg.startswith("1 throttled requests in the last day came without")
    assert "2 throttled requests in the last day came from 10.0.0.9" in warnings[1].msg


def _warnings():
    return [m for m in run_checks(include_deployment_checks=True, tags=["security"])
            if m.id in {"onewindow.W020", "onewindow.W021"}]
