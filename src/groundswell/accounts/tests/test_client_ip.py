"""Which address a request comes from, with and without trusted proxies."""

from django.test import RequestFactory

from groundswell.accounts.permissions import client_ip


def request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", **meta)


def test_without_proxies_the_peer_address_is_used_and_the_header_ignored(settings):
    settings.GROUNDSWELL_PROXY_HOPS = 0
    assert client_ip(request(HTTP_X_FORWARDED_FOR="203.0.113.5")) == "10.0.0.2"


def test_behind_one_proxy_the_address_it_saw_is_used(settings):
    settings.GROUNDSWELL_PROXY_HOPS = 1
    # A visitor may forge the left part; our proxy appended the right-most address.
    forged = request(HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.20")
    assert client_ip(forged) == "198.51.100.20"


def test_a_malformed_forwarded_address_falls_back_to_the_peer(settings):
    settings.GROUNDSWELL_PROXY_HOPS = 1
    assert client_ip(request(HTTP_X_FORWARDED_FOR="<script>")) == "10.0.0.2"
