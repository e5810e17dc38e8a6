"""A send whose worker process is killed (SIGKILL) half-way, then resumed: every recipient gets
at most one copy, and everyone but the (at most one) message in flight gets exactly one.

Real parts only: a database of the test's own (a SQLite file, or a PostgreSQL database beside
the test database), `groundswell migrate` and `groundswell mailing_worker` as subprocesses, and
an SMTP server on loopback in this process that keeps what it accepts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from groundswell.core.tests.smtp import smtp_loopback
from groundswell.mailings.tests.conftest import Sink
from groundswell.people.tests.test_import_killed_worker import worker_database  # noqa: F401

RECIPIENTS = 300

SEED = f"""
from groundswell.actions.services import site_get
from groundswell.mailings.models import Mailing, SenderIdentity
from groundswell.people.models import EmailAddress, Person
from groundswell.segments.models import Segment
site = site_get(); site.paid_for_by = "Paid for by Quillon for Congress"; site.save()
people = Person.objects.bulk_create(
    [Person(given_name=f"P{{n}}", primary_email=f"p{{n}}@d{{n % 7}}.example",
            email_status="subscribed") for n in range({RECIPIENTS})])
EmailAddress.objects.bulk_create(
    [EmailAddress(person=p, address=p.primary_email, is_primary=True, status="subscribed")
     for p in people])
sender = SenderIdentity.objects.create(from_name="Mara Quillon",
    from_address="mara@campaign.example.org", postal_address="PO Box 4471, Columbus, OH")
segment = Segment.objects.create(name="Everyone", definition={{}})
mailing = Mailing.objects.create(name="Killed", sender=sender, segment=segment,
    subject="Hi {{{{ first_name }}}}", html="<p>Hello</p>", status="sending",
    link_base="https://campaign.example.org")
print(mailing.pk)
"""


def _run(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "groundswell", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def sink():
    handler = Sink()
    with smtp_loopback(handler) as port:
        yield port, handler


@pytest.mark.parametrize("handoff", [1, 20])
def test_a_worker_killed_half_way_and_resumed_sends_each_recipient_at_most_once(
    worker_database,  # noqa: F811
    sink,
    tmp_path,
    handoff,
):
    env, query = worker_database
    port, handler = sink
    env = {
        **env,
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        # Slow enough to be killed in the middle; claims of the dead worker go stale fast.
        "GROUNDSWELL_MAILING_RATE": "150",
        "GROUNDSWELL_MAILING_CLAIM_STALE_SECONDS": "1",
        "GROUNDSWELL_MAILING_HANDOFF": str(handoff),
    }
    _run(env, "migrate", "--verbosity", "0")
    mailing_id = int(_run(env, "shell", "-c", SEED).strip().splitlines()[-1])
    with open(tmp_path / "worker.log", "wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "groundswell", "mailing_worker", "--mailing", str(mailing_id)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while len(handler.received) < RECIPIENTS // 3 and time.monotonic() < deadline:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.01)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    at_kill = len(handler.received)
    assert RECIPIENTS // 3 <= at_kill < RECIPIENTS, "the worker was not killed half-way"
    time.sleep(1.5)  # its claims go stale

    out = _run(env, "mailing_worker", "--mailing", str(mailing_id))
    assert "done" in out, out

    copies = Counter(rcpt for _, rcpt, _ in handler.received)
    assert max(copies.values()) == 1, [a for a, n in copies.items() if n > 1]

    def count(where: str) -> int:
        return query(f"SELECT COUNT(*) FROM mailings_delivery WHERE {where}")[0]  # noqa: S608

    states = {
        "sent": count("state = 'sent'"),
        "unknown": count("state = 'sending'"),
        "total": count("1 = 1"),
    }
    assert states["total"] == RECIPIENTS
    # At most the handoff's messages were in flight when the worker died: "unknown, not retried".
    assert states["unknown"] <= handoff
    assert states["sent"] + states["unknown"] == RECIPIENTS
    # Everyone marked sent received exactly one copy; the unknown one got at most one.
    assert len(copies) >= states["sent"]
    assert len(copies) <= RECIPIENTS
    assert query(f"SELECT status FROM mailings_mailing WHERE id = {mailing_id}")[0] == "sent"


def test_several_worker_processes_share_one_send_and_each_recipient_gets_one_copy(
    worker_database,  # noqa: F811
    sink,
    tmp_path,
):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("SQLite has no row locks: one worker per send (README, Mailings)")
    env, query = worker_database
    port, handler = sink
    # A send of a second or two, so no worker can finish it before the others have started.
    env = {**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}", "GROUNDSWELL_MAILING_RATE": "200"}
    _run(env, "migrate", "--verbosity", "0")
    mailing_id = int(_run(env, "shell", "-c", SEED).strip().splitlines()[-1])
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "groundswell", "mailing_worker", "--mailing", str(mailing_id)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [w.communicate(timeout=300)[0] for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    sent_by = [int(out.split(": ")[1].split(" sent")[0]) for out in outputs]
    assert sum(sent_by) == RECIPIENTS
    assert sum(1 for n in sent_by if n) >= 2, sent_by  # the work was shared
    copies = Counter(rcpt for _, rcpt, _ in handler.received)
    assert len(copies) == RECIPIENTS
    assert max(copies.values()) == 1
    assert query(f"SELECT status FROM mailings_mailing WHERE id = {mailing_id}")[0] == "sent"
