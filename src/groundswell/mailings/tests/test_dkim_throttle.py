"""DKIM signatures verify on what the server received; the throttle and the warm-up caps."""

from __future__ import annotations

import base64
import subprocess
from datetime import timedelta

import dkim
import pytest
from django.utils import timezone

from groundswell.mailings.models import Delivery, DeliveryState
from groundswell.mailings.services import mailing_send
from groundswell.mailings.tests.conftest import person_make
from groundswell.mailings.throttle import Throttle, domain_rates_parse
from groundswell.mailings.warmup import warmup_allowance


@pytest.mark.django_db
def test_a_configured_dkim_key_signs_every_message_and_the_signature_verifies(
    smtp_sink, mailing_make, admin_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    key = tmp_path / "dkim.pem"
    subprocess.run(
        ["openssl", "genrsa", "-traditional", "-out", str(key), "2048"],
        check=True,
        capture_output=True,
    )
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    settings.GROUNDSWELL_DKIM_KEY_FILE = str(key)
    settings.GROUNDSWELL_DKIM_SELECTOR = "gs2026"
    person_make("ada@one.example")
    with django_capture_on_commit_callbacks(execute=True):
        mailing_send(mailing=mailing_make(), actor=admin_user)
    (_, _, raw) = smtp_sink.received[0]
    assert raw.startswith(b"DKIM-Signature:")
    asked = []

    def dns(name, timeout=5):
        asked.append(name)
        return record

    assert dkim.verify(raw, dnsfunc=dns)
    assert asked == [b"gs2026._domainkey.campaign.example.org."]
    tampered = raw.replace(b"Hello Ada", b"Hello Bob")
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_the_throttle_spaces_one_domain_and_shares_the_rate_between_workers():
    throttle = Throttle(domain_rates=domain_rates_parse(["slow.example=4", "bad", "x=0"]))
    assert throttle.domain_rates == {"slow.example": 4.0}
    throttle.sent("slow.example", 100.0)
    assert throttle.wait("slow.example", 100.0) == pytest.approx(0.25)
    assert throttle.wait("fast.example", 100.0) == 0
    shared = Throttle(rate=10, share=2)
    shared.sent("a.example", 0.0)
    assert shared.wait("b.example", 0.0) == pytest.approx(0.2)  # half of 10/s for each of two


@pytest.mark.django_db
def test_the_warm_up_allows_each_days_cap_then_no_cap(settings, mailing_make):
    from groundswell.mailings.tests.conftest import person_make as make

    settings.GROUNDSWELL_MAILING_WARMUP = ["2", "5"]
    assert warmup_allowance() == 2  # nothing sent yet: day one
    mailing = mailing_make()
    now = timezone.now()
    for n in range(2):
        person = make(f"w{n}@one.example")
        Delivery.objects.create(
            mailing=mailing,
            person=person,
            address=person.primary_email,
            state=DeliveryState.SENT,
            sent_at=now,
        )
    assert warmup_allowance(now=now) == 0
    assert warmup_allowance(now=now + timedelta(days=1)) == 5
    assert warmup_allowance(now=now + timedelta(days=2)) is None


@pytest.mark.django_db
def test_the_warm_up_counts_the_campaigns_day_not_utcs(settings, mailing_make):
    """At 9:30 pm in New York it is already tomorrow in UTC: what went out an hour ago was sent
    today, and tomorrow begins at New York's midnight (CI met this at 01:29 UTC)."""
    from datetime import UTC, datetime

    from groundswell.mailings.tests.conftest import person_make as make

    settings.TIME_ZONE = "America/New_York"
    settings.GROUNDSWELL_MAILING_WARMUP = ["2", "5"]
    evening = datetime(2031, 3, 5, 2, 30, tzinfo=UTC)  # 9:30 pm on March 4 in New York
    mailing = mailing_make()
    for n in range(2):
        person = make(f"e{n}@one.example")
        Delivery.objects.create(
            mailing=mailing,
            person=person,
            address=person.primary_email,
            state=DeliveryState.SENT,
            sent_at=evening - timedelta(hours=1),
        )
    assert warmup_allowance(now=evening) == 0
    # Three hours later it is March 5 in New York too: day two, nothing sent yet.
    assert warmup_allowance(now=evening + timedelta(hours=3)) == 5


@pytest.mark.django_db
def test_a_connection_the_server_dropped_while_idle_is_replaced_before_the_next_message(
    smtp_sink, monkeypatch
):
    from groundswell.mailings import transport as transport_module
    from groundswell.mailings.mime import RawEmail, mime_alternative
    from groundswell.mailings.transport import Transport

    def message(to: str) -> RawEmail:
        raw = mime_alternative(headers=[("From", "a@b.example"), ("To", to)], text="t", html="h")
        return RawEmail(raw, subject="", from_email="a@b.example", to=[to])

    transport = Transport()
    transport.ensure_open()
    transport.send(message("one@one.example"), envelope_from="a@b.example", dkim=None)
    transport.backend.connection.sock.close()  # as if the server had timed us out
    monkeypatch.setattr(transport_module, "IDLE_CHECK_AFTER", 0)
    transport.ensure_open()
    transport.send(message("two@one.example"), envelope_from="a@b.example", dkim=None)
    transport.close()
    assert [rcpt for _, rcpt, _ in smtp_sink.received] == ["one@one.example", "two@one.example"]
