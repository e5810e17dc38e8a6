"""Reading the bounce mailbox: a maildir on disk, and a real IMAP server on loopback (pymap, an
IMAP4rev1 server in Python, started by the test with its in-memory backend)."""

from __future__ import annotations

import imaplib
import mailbox
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from groundswell.mailings.bounces import ImapSettings, imap_read, mailbox_read, maildir_read

MESSAGES = Path(__file__).parent / "messages"
NAMES = ["postfix_hard.eml", "yahoo_arf.eml", "human_reply.eml", "postfix_delayed.eml"]
# pymap's in-memory backend has one account, its "demo user".
USER, PASSWORD = "demouser", "demopass"


def recipients(reports) -> list[str]:
    return [e.recipient for r in reports for e in r.events]


EXPECTED = ["quillon.marsh@example.org", "wendeline.quarry@example.com", "brisa.tandy@example.net"]


# ---------------------------------------------------------------- maildir


@pytest.fixture
def maildir(tmp_path):
    box = mailbox.Maildir(str(tmp_path / "bounces"), create=True)
    for name in NAMES:
        box.add((MESSAGES / name).read_bytes())
    return tmp_path / "bounces"


def test_the_maildir_reader_parses_every_new_message_and_marks_it_seen(maildir):
    handled = []
    reports = maildir_read(path=maildir, handle=handled.append)
    assert sorted(recipients(reports)) == sorted(EXPECTED)
    assert handled == reports and len(reports) == 4
    assert list((maildir / "new").iterdir()) == []
    assert all(p.name.endswith(":2,S") for p in (maildir / "cur").iterdir())


def test_reading_the_maildir_again_finds_nothing_new(maildir):
    maildir_read(path=maildir, handle=lambda report: None)
    assert maildir_read(path=maildir, handle=lambda report: None) == []


def test_a_message_whose_handling_failed_is_read_again_next_time(maildir):
    calls = []

    def flaky(report):
        calls.append(report)
        if len(calls) == 2:
            raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        maildir_read(path=maildir, handle=flaky)
    again = maildir_read(path=maildir, handle=lambda report: None)
    assert len(again) == 3  # the one that failed and the two never reached
    assert again[0] == calls[1]


def test_the_maildir_reader_honours_its_limit_and_keeps_other_flags(maildir):
    box = mailbox.Maildir(str(maildir), create=False)
    key = sorted(box.keys())[0]
    message = box[key]
    message.set_subdir("cur")
    message.add_flag("F")  # flagged by a person reading the folder
    box[key] = message
    first = maildir_read(path=maildir, handle=lambda report: None, limit=1)
    assert len(first) == 1
    assert any(p.name.endswith(":2,FS") for p in (maildir / "cur").iterdir())


# ---------------------------------------------------------------- IMAP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def imap_server():
    pymap = shutil.which("pymap", path=str(Path(sys.executable).parent))
    if pymap is None:
        pytest.fail("pymap (a dev dependency) is not installed")
    port = free_port()
    process = subprocess.Popen(
        [pymap, "--host", "127.0.0.1", "--port", str(port), "--no-tls", "dict", "--demo-data"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the IMAP server did not start")
                time.sleep(0.1)
        client = imaplib.IMAP4("127.0.0.1", port)
        client.login(USER, PASSWORD)
        client.create("Bounces")
        for name in NAMES:
            client.append("Bounces", None, None, (MESSAGES / name).read_bytes())
        client.logout()
        yield ImapSettings(
            host="127.0.0.1", port=port, user=USER, password=PASSWORD, folder="Bounces", tls=False
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


def unseen(settings: ImapSettings) -> int:
    client = imaplib.IMAP4(settings.host, settings.port)
    client.login(settings.user, settings.password)
    client.select(settings.folder)
    _, data = client.uid("SEARCH", None, "UNSEEN")
    client.logout()
    return len(data[0].split())


def test_the_imap_reader_parses_unseen_messages_and_marks_them_seen_after_handling(imap_server):
    assert unseen(imap_server) == 4
    reports = imap_read(settings=imap_server, handle=lambda report: None)
    assert sorted(recipients(reports)) == sorted(EXPECTED)
    assert reports[0].events[0].token == "d1001.Zk9wTm5hZ3JvdW5kc3dlbGw"
    assert unseen(imap_server) == 0
    assert imap_read(settings=imap_server, handle=lambda report: None) == []


def test_an_imap_message_whose_handling_failed_stays_unseen_and_is_read_again(imap_server):
    def fail_on_the_complaint(report):
        if report.events and report.events[0].__class__.__name__ == "Complaint":
            raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        imap_read(settings=imap_server, handle=fail_on_the_complaint)
    assert unseen(imap_server) == 3  # only the first was handled
    again = imap_read(settings=imap_server, handle=lambda report: None)
    assert recipients(again)[0] == "wendeline.quarry@example.com"
    assert unseen(imap_server) == 0


def test_a_missing_imap_folder_is_a_clear_error(imap_server):
    missing = ImapSettings(
        host=imap_server.host,
        port=imap_server.port,
        user=USER,
        password=PASSWORD,
        folder="No such folder",
        tls=False,
    )
    with pytest.raises(imaplib.IMAP4.error, match="No such folder"):
        imap_read(settings=missing, handle=lambda report: None)


def test_a_message_that_is_not_an_email_is_read_once_as_not_a_bounce(maildir):
    mailbox.Maildir(str(maildir), create=False).add(b"\x00\xff\xfe garbage \r\n\r\n\x80")
    reports = maildir_read(path=maildir, handle=lambda report: None)
    assert len(reports) == 5 and sum(not r.is_bounce for r in reports) == 2
    assert maildir_read(path=maildir, handle=lambda report: None) == []


def test_a_huge_imap_message_is_fetched_only_in_part(imap_server, monkeypatch):
    from groundswell.mailings.bounces import readers

    monkeypatch.setattr(readers, "MAX_MESSAGE_BYTES", 3000)
    client = imaplib.IMAP4(imap_server.host, imap_server.port)
    client.login(USER, PASSWORD)
    huge = (MESSAGES / "gmail_hard.eml").read_bytes() + b"x" * 200_000 + b"\r\n"
    client.append("Bounces", None, None, huge)
    client.select("Bounces")
    _, data = client.uid("SEARCH", None, "ALL")
    fetched = readers._fetch(client, data[0].split()[-1])
    client.logout()
    assert len(fetched) == 3000  # the server sent only the first part
    assert fetched.startswith(b"Delivered-To: bounces@campaign.example.com\r\n")
    reports = imap_read(settings=imap_server, handle=lambda report: None)
    assert reports[-1].events[0].recipient == "tamsin.okonkwo-vale@example.com"


def test_the_imap_reader_refuses_a_server_whose_certificate_it_cannot_verify(tmp_path):
    """A TLS server with a self-signed certificate: the reader must not send it the password."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("this test makes its certificate with the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + [
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve_one():
        connection, _ = listener.accept()
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                tls.sendall(b"* OK IMAP4rev1 ready\r\n")
                received.append(tls.recv(1024))
        except (ssl.SSLError, OSError):
            pass  # the client hung up during the handshake, as it should

    thread = threading.Thread(target=serve_one, daemon=True)
    thread.start()
    settings = ImapSettings(
        host="127.0.0.1", port=listener.getsockname()[1], user=USER, password=PASSWORD, timeout=5
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        imap_read(settings=settings, handle=lambda report: None)
    thread.join(timeout=5)
    listener.close()
    assert received == []


# ---------------------------------------------------------------- one setting


def test_the_mailbox_setting_names_a_maildir(maildir):
    reports = mailbox_read(url=f"maildir://{maildir}", handle=lambda report: None)
    assert sorted(recipients(reports)) == sorted(EXPECTED)


def test_the_mailbox_setting_names_an_imap_folder_with_an_encoded_password(imap_server):
    url = f"imap://{USER}:{PASSWORD.replace('demo', 'd%65mo')}@127.0.0.1:{imap_server.port}/Bounces"
    reports = mailbox_read(url=url, handle=lambda report: None)
    assert sorted(recipients(reports)) == sorted(EXPECTED)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("imap://u:p@mail.example.com/Bounces", "allowed only on this machine"),
        ("imaps://mail.example.com/Bounces", "needs user:password@host"),
        ("pop3://u:p@mail.example.com/", "must be maildir://, imaps:// or imap://"),
        ("maildir://", "needs a path"),
        ("", "must be maildir://"),
    ],
)
def test_a_wrong_mailbox_setting_says_what_is_wrong(url, reason):
    with pytest.raises(ValueError, match=reason):
        mailbox_read(url=url, handle=lambda report: None)
