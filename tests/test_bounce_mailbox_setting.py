"""BOUNCE_MAILBOX_URL is checked when the settings load: a clear error names the variable and
never prints the password."""

from __future__ import annotations

import pytest

from groundswell.config.env import SettingError, env_mailbox

SECRET = "imap-pa55-w0rd"


@pytest.mark.parametrize(
    "url",
    [
        "maildir:///var/mail/bounces",
        f"imaps://bounces:{SECRET}@imap.example.org/Bounces",
        f"imaps://bounces:{SECRET}@imap.example.org:1993",
        f"imap://bounces:{SECRET}@127.0.0.1:1143/INBOX",
    ],
)
def test_the_documented_bounce_mailboxes_are_accepted(monkeypatch, url):
    monkeypatch.setenv("BOUNCE_MAILBOX_URL", url)
    assert env_mailbox("BOUNCE_MAILBOX_URL") == url


def test_an_unset_bounce_mailbox_means_none(monkeypatch):
    monkeypatch.delenv("BOUNCE_MAILBOX_URL", raising=False)
    assert env_mailbox("BOUNCE_MAILBOX_URL") == ""


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("maildir://relative/bounces", "maildir:///absolute/folder"),
        (f"pop3://bounces:{SECRET}@mail.example.org", "unsupported scheme 'pop3'"),
        ("imaps://imap.example.org/Bounces", "needs user:password@host"),
        (f"imap://bounces:{SECRET}@imap.example.org/Bounces", "use imaps://"),
        (f"imaps://bounces:{SECRET}@imap.example.org:port/Bounces", "cannot parse"),
    ],
)
def test_a_malformed_bounce_mailbox_stops_start_up_with_a_clear_message(monkeypatch, url, problem):
    monkeypatch.setenv("BOUNCE_MAILBOX_URL", url)
    with pytest.raises(SettingError) as error:
        env_mailbox("BOUNCE_MAILBOX_URL")
    assert str(error.value).startswith("BOUNCE_MAILBOX_URL: ")
    assert problem in str(error.value)
    assert SECRET not in str(error.value)
