"""The deliverability (MX) check, against a real DNS server on loopback."""

import socket
import threading

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from groundswell.people.models import EmailAddress
from groundswell.people.tasks import email_check_mx
from groundswell.people.tests.factories import person_create

pytestmark = pytest.mark.django_db

MAIL_DOMAINS = {"mail.example.org"}


@pytest.fixture
def dns_server():
    """A tiny authoritative DNS server: MX for MAIL_DOMAINS, NXDOMAIN for anything else."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            reply = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".")
            if name in MAIL_DOMAINS and question.rdtype == dns.rdatatype.MX:
                reply.answer.append(
                    dns.rrset.from_text(question.name, 300, "IN", "MX", f"10 mx.{name}.")
                )
            elif name not in MAIL_DOMAINS:
                reply.set_rcode(dns.rcode.NXDOMAIN)
            sock.sendto(reply.to_wire(), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    thread.join()
    sock.close()


def test_it_marks_domains_that_accept_mail_and_those_that_do_not(settings, dns_server):
    settings.GROUNDSWELL_DNS_SERVERS = [dns_server]
    good = person_create(email="someone@mail.example.org").emails.get()
    bad = person_create(email="someone@nowhere.example.net").emails.get()
    result = email_check_mx.call(address_ids=[good.pk, bad.pk])
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.mx_status == EmailAddress.MxStatus.OK
    assert bad.mx_status == EmailAddress.MxStatus.NO_MX
    assert result["dns_unreachable"] is False


def test_it_is_skipped_cleanly_when_dns_is_unreachable(settings):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        silent = f"127.0.0.1:{sock.getsockname()[1]}"  # bound, never answers
        settings.GROUNDSWELL_DNS_SERVERS = [silent]
        email = person_create(email="someone@mail.example.org").emails.get()
        result = email_check_mx.call(address_ids=[email.pk])
    email.refresh_from_db()
    assert email.mx_status == EmailAddress.MxStatus.SKIPPED
    assert result["dns_unreachable"] is True


def test_new_addresses_are_queued_for_the_check_when_it_is_enabled(settings, dns_server):
    settings.GROUNDSWELL_CHECK_MX = True
    settings.GROUNDSWELL_DNS_SERVERS = [dns_server]
    # The test tasks backend runs a task when it is enqueued, at commit.
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        person = person_create(email="queued@mail.example.org")
    assert person.emails.get().mx_status == EmailAddress.MxStatus.OK
