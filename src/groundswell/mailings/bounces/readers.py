"""Reading the bounce mailbox: a local maildir, or a folder on an IMAP server.

Both readers hand each parsed message to `handle` and mark the message seen only after
`handle` returned: a crash (or `kill -9`) in between leaves it unseen, and the next run reads it
again. So `handle` must be idempotent (the send path keys its writes on the delivery token and
the report's Message-ID). A message that is not a bounce is marked seen too, so it is not
parsed again on every run; a human reads the folder for those.
"""

from __future__ import annotations

import contextlib
import functools
import imaplib
import logging
import mailbox
import os
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from groundswell.mailings.bounces.parse import Report, report_parse

logger = logging.getLogger(__name__)

Handler = Callable[[Report], None]

# A bounce larger than this is truncated before parsing: the report and the returned headers
# come first, and a returned attachment of many megabytes says nothing more.
MAX_MESSAGE_BYTES = 2_000_000


def maildir_read(*, path: str | Path, handle: Handler, limit: int = 1000) -> list[Report]:
    """Parse the maildir's messages not yet marked seen (flag "S"), up to `limit`.

    Marking seen is one atomic rename into cur/ with the "S" flag, the maildir convention;
    `mailbox.Maildir.__setitem__` removes the old file before it renames the new one, which a
    crash could cut in two. `mailbox.Maildir` still lists the messages (it skips tmp/ and dot
    files, as the format says).
    """
    root = Path(path)
    box = mailbox.Maildir(str(root), create=False)
    files = {
        name.split(":", 1)[0]: root / sub / name
        for sub in ("new", "cur")
        for name in sorted(os.listdir(root / sub))
        if not name.startswith(".")
    }
    reports = []
    for key in sorted(box.iterkeys()):
        if len(reports) >= limit:
            break
        file = files.get(key)
        info = file.name.split(":", 1)[1] if file and ":" in file.name else ""
        if file is None or (info.startswith("2,") and "S" in info[2:]):
            continue
        try:
            raw = file.read_bytes()[:MAX_MESSAGE_BYTES]
        except FileNotFoundError:  # handled by another reader meanwhile
            continue
        report = report_parse(raw)
        handle(report)
        flags = "".join(sorted(set(info[2:] if info.startswith("2,") else "") | {"S"}))
        # Another reader may have handled and moved it meanwhile.
        with contextlib.suppress(FileNotFoundError):
            os.rename(file, root / "cur" / f"{key}:2,{flags}")
        reports.append(report)
    return reports


@dataclass(frozen=True)
class ImapSettings:
    host: str
    user: str
    password: str
    port: int = 993
    folder: str = "INBOX"
    tls: bool = True  # IMAPS; only a loopback test server runs without it
    timeout: float = 30.0


_UID = re.compile(rb"UID (\d+)")


def imap_read(*, settings: ImapSettings, handle: Handler, limit: int = 1000) -> list[Report]:
    """Parse the folder's unseen messages, marking each \\Seen only after it was handled.

    Messages are fetched with BODY.PEEK[] (its first MAX_MESSAGE_BYTES), which does not set
    \\Seen by itself.
    """
    if settings.tls:
        # imaplib's own default context does not check the certificate; this one does.
        client = imaplib.IMAP4_SSL(
            settings.host,
            settings.port,
            ssl_context=ssl.create_default_context(),
            timeout=settings.timeout,
        )
    else:
        client = imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)
    try:
        client.login(settings.user, settings.password)
        status, _ = client.select(_quoted(settings.folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open the folder {settings.folder!r}")
        status, data = client.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split()[:limit] if status == "OK" and data and data[0] else []
        reports = []
        for uid in uids:
            raw = _fetch(client, uid)
            if raw is None:
                continue
            report = report_parse(raw[:MAX_MESSAGE_BYTES])
            handle(report)
            client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
            reports.append(report)
        return reports
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.info("bounce mailbox: the IMAP logout failed")


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    # A partial fetch: the server sends at most MAX_MESSAGE_BYTES of a huge returned message.
    status, data = client.uid("FETCH", uid, f"(BODY.PEEK[]<0.{MAX_MESSAGE_BYTES}>)")
    if status != "OK":
        return None
    for item in data:
        # A literal comes as (b'1 (UID 7 BODY[]<0> {123}', b'<bytes>'); skip the closing b')'.
        if isinstance(item, tuple) and len(item) == 2 and _UID.search(item[0] or b"") is not None:
            return item[1]
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def mailbox_read(*, url: str, handle: Handler, limit: int = 1000) -> list[Report]:
    """Read the bounce mailbox named by one setting, as `EMAIL_URL` names the relay:

    - ``maildir:///var/mail/bounces`` — a local maildir;
    - ``imaps://user:password@imap.example.com/Bounces`` — IMAP over TLS (port 993 unless
      given; the folder defaults to INBOX; a password with reserved characters is
      percent-encoded);
    - ``imap://…`` — plain IMAP, allowed only to a loopback address (a password in clear over
      a network is refused).
    """
    return _reader_for(url)(handle=handle, limit=limit)


def _reader_for(url: str) -> Callable[..., list[Report]]:
    parts = urlsplit(url)
    if parts.scheme == "maildir":
        if not parts.path:
            raise ValueError("a maildir address needs a path: maildir:///var/mail/bounces")
        return functools.partial(maildir_read, path=unquote(parts.path))
    if parts.scheme not in ("imap", "imaps"):
        raise ValueError(f"the bounce mailbox must be maildir://, imaps:// or imap://, not {url!r}")
    host = parts.hostname or ""
    if not host or parts.username is None or parts.password is None:
        raise ValueError("an IMAP bounce mailbox needs user:password@host")
    tls = parts.scheme == "imaps"
    if not tls and host not in ("127.0.0.1", "::1", "localhost"):
        raise ValueError("plain imap:// is allowed only on this machine; use imaps://")
    settings = ImapSettings(
        host=host,
        port=parts.port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,
    )
    return functools.partial(imap_read, settings=settings)
