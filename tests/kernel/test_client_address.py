"""``common.ratelimit.client_address``: the one answer to "who is asking", behind our own
reverse proxies and never on the client's word (ADR 0026)."""

import pytest
from django.test import RequestFactory

from onewindow.common.ratelimit import client_address

PROXIES = ["10.0.0.0/24", "192.0.2.1"]


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
])
def test_the_client_is_the_first_address_our_proxies_did_not_add(remote, forwarded, client):
    assert _address(remote, forwarded) == client


def test_without_trusted_proxies_the_header_is_never_read(settings):
    settings.ONEWINDOW_TRUSTED_PROXIES = []
    assert _address("10.0.0.7", "203.0.113.5") == "10.0.0.7"
