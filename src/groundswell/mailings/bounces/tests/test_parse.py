"""Bounces and complaints in the layouts real servers write (our own synthetic copies in
messages/), and hostile bytes that must come out as a clean "not a bounce"."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groundswell.core.tests.hostile import SUITE
from groundswell.mailings.bounces import Action, Bounce, Complaint, Report, report_parse

MESSAGES = Path(__file__).parent / "messages"


def parsed(name: str) -> Report:
    return report_parse((MESSAGES / name).read_bytes())


def only(report: Report):
    assert report.reason == "" and len(report.events) == 1
    return report.events[0]


@pytest.mark.parametrize(
    ("name", "recipient", "status", "token", "message_id"),
    [
        (
            "postfix_hard.eml",
            "quillon.marsh@example.org",
            "5.1.1",
            "d1001.Zk9wTm5hZ3JvdW5kc3dlbGw",
            "<m42.d1001.7f3a@campaign.example.com>",
        ),
        (
            "gmail_hard.eml",
            "tamsin.okonkwo-vale@example.com",
            "5.1.1",
            "d1004.VGFtc2luT2tvbmt3bw",
            "<m42.d1004.beef@campaign.example.com>",
        ),
        (
            "microsoft_hard.eml",
            "ignatius.farrow@example.org",
            "5.1.10",
            "d1005.SWduYXRpdXNGYXJyb3c",
            "<m42.d1005.f00d@campaign.example.com>",
        ),
    ],
)
def test_a_standard_hard_bounce_names_the_recipient_status_and_the_message_we_sent(
    name, recipient, status, token, message_id
):
    bounce = only(parsed(name))
    assert isinstance(bounce, Bounce)
    assert (bounce.recipient, bounce.action, bounce.status) == (recipient, Action.FAILED, status)
    assert (bounce.token, bounce.message_id, bounce.source) == (token, message_id, "dsn")
    assert bounce.hard and not bounce.soft


def test_the_diagnostic_is_the_servers_words_without_the_type_and_unfolded():
    bounce = only(parsed("postfix_hard.eml"))
    assert bounce.diagnostic == (
        "550 5.1.1 <quillon.marsh@example.org>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )


def test_a_delay_warning_is_a_soft_bounce_read_from_the_returned_headers_only():
    bounce = only(parsed("postfix_delayed.eml"))
    assert (bounce.recipient, bounce.action, bounce.status) == (
        "brisa.tandy@example.net",
        Action.DELAYED,
        "4.4.1",
    )
    assert bounce.token == "d1002.Qm9yaXNhVGFuZHk"
    assert bounce.soft and not bounce.hard


def test_a_full_mailbox_is_soft_although_its_code_is_permanent():
    bounce = only(parsed("mailbox_full.eml"))
    assert (bounce.status, bounce.action) == ("5.2.2", Action.FAILED)
    assert bounce.soft and not bounce.hard


def test_an_exim_text_bounce_is_read_by_the_heuristics_with_the_quoted_token():
    bounce = only(parsed("exim_text.eml"))
    assert (bounce.recipient, bounce.action, bounce.source) == (
        "orla.penhallow@example.com",
        Action.FAILED,
        "heuristic",
    )
    assert bounce.token == "d1003.T3JsYVBlbmhhbGxvdw"
    assert bounce.message_id == "<m42.d1003.c0de@campaign.example.com>"
    assert bounce.hard


def test_a_text_bounce_gives_the_servers_words_next_to_the_address():
    assert only(parsed("exim_text.eml")).diagnostic == (
        "mailbox is full / no such user: retry timeout exceeded"
    )
    bounce = only(parsed("exim_smtp_error.eml"))
    assert (bounce.recipient, bounce.status, bounce.token) == (
        "pell.arkwright@example.net",
        "5.1.1",
        "d1009.UGVsbEFya3dyaWdodA",
    )
    assert bounce.diagnostic == (
        "550 5.1.1 <pell.arkwright@example.net>: Recipient address rejected: User unknown"
    )
    assert bounce.hard


def test_a_yahoo_feedback_report_is_a_complaint_about_the_original_recipient():
    complaint = only(parsed("yahoo_arf.eml"))
    assert isinstance(complaint, Complaint)
    assert complaint.recipient == "wendeline.quarry@example.com"
    assert complaint.feedback_type == "abuse"
    assert complaint.user_agent == "Yahoo!-Mail-Feedback/2.0"
    assert complaint.token == "d1007.V2VuZGVsaW5l"
    assert complaint.message_id == "<m42.d1007.bbbb@campaign.example.com>"


def test_a_redacted_complaint_is_still_traced_to_the_delivery_through_our_token():
    complaint = only(parsed("redacted_arf.eml"))
    assert complaint.recipient == ""  # "[redacted]@example.net" is not an address
    assert complaint.token == "d1008.UmVkYWN0ZWQ"


def test_a_persons_reply_naming_an_address_is_not_a_bounce():
    report = parsed("human_reply.eml")
    assert report.events == () and report.reason == "not a bounce or complaint"
    assert report.report_id == "<reply.1@example.org>"


def test_a_report_with_several_recipients_gives_one_event_each():
    raw = (MESSAGES / "postfix_hard.eml").read_bytes()
    second = (
        b"Final-Recipient: rfc822; quillon.marsh@example.org\n"
        b"Action: failed\n"
        b"Status: 5.1.1\n\n"
        b"Final-Recipient: rfc822; ada.second@example.org\n"
        b"Action: delayed\n"
        b"Status: 4.2.0\n"
    )
    raw = raw.replace(b"Final-Recipient: rfc822; quillon.marsh@example.org\n", b"", 1)
    raw = raw.replace(b"Original-Recipient: rfc822;quillon.marsh@example.org\n", b"", 1)
    raw = raw.replace(b"Action: failed\nStatus: 5.1.1\n", second, 1)
    events = report_parse(raw).events
    assert [(e.recipient, e.action) for e in events] == [
        ("quillon.marsh@example.org", Action.FAILED),
        ("ada.second@example.org", Action.DELAYED),
    ]


def test_a_delivery_report_with_no_recipient_field_is_not_a_bounce():
    raw = (MESSAGES / "gmail_hard.eml").read_bytes()
    raw = raw.replace(b"Final-Recipient: rfc822; tamsin.okonkwo-vale@example.com\n", b"")
    report = report_parse(raw)
    # The heuristics still find the address in Google's human-readable part.
    assert all(e.recipient == "tamsin.okonkwo-vale@example.com" for e in report.events)


# ---------------------------------------------------------------- hostile bytes


def check_clean(report: Report) -> None:
    assert isinstance(report, Report)
    for event in report.events:
        assert isinstance(event, Bounce | Complaint)
        assert len(event.recipient) <= 254 and "\x00" not in event.recipient
        assert len(event.message_id) <= 500 and len(event.token) <= 500


@SUITE
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_are_a_clean_not_a_bounce(raw):
    report = report_parse(raw)
    check_clean(report)
    assert report.events == () and report.reason


FIXTURES = sorted(p.read_bytes() for p in MESSAGES.glob("*.eml"))


@SUITE
@given(
    st.sampled_from(FIXTURES),
    st.integers(min_value=0, max_value=6000),
    st.binary(min_size=1, max_size=64),
)
def test_a_real_report_cut_short_or_salted_with_junk_never_raises(raw, at, junk):
    check_clean(report_parse(raw[:at]))
    check_clean(report_parse(raw[:at] + junk + raw[at:]))
