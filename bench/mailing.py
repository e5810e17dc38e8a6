"""Benchmark the send path: N personalised messages delivered to a local SMTP sink.

    python bench/mailing.py --recipients 100000 [--dkim] [--workers 2]

A scratch PostgreSQL database (recreated; its name must start gs_), N synthetic people with
subscribed addresses in one segment, a mailing in "sending", an SMTP sink (aiosmtpd, accepting
and discarding) in a process of its own, then W `groundswell mailing_worker` processes: the real
send path (ledger written from its checkpoint, batches claimed with SKIP LOCKED, one commit per
message before its SMTP transaction, consent re-checked per message), throttle off. The clock
runs from the workers' start until the last exits. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import (  # noqa: E402
    cpu_seconds,
    database_recreate,
    free_port,
    machine_busy_seconds,
    postgres_pids,
    server_env,
)


class BackendSampler(threading.Thread):
    """CPU seconds of the PostgreSQL backends serving one database, sampled while they live
    (a backend's figure disappears with it when its worker disconnects)."""

    def __init__(self, database: str):
        super().__init__(daemon=True)
        self.database, self.seen, self.stop = database, {}, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            for pid in postgres_pids():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as fh:
                        words = fh.read().replace(b"\0", b" ").split()
                except OSError:
                    continue
                if self.database.encode() in words:
                    self.seen[pid] = cpu_seconds({pid})

    def total(self) -> float:
        self.stop.set()
        self.join()
        return sum(self.seen.values())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


SEED = """
import sys
from django.db import transaction
from groundswell.actions.services import site_get
from groundswell.mailings.models import Mailing, SenderIdentity
from groundswell.people.models import EmailAddress, Person
from groundswell.segments.models import Segment
n = int(sys.argv[-1]) if sys.argv[-1].isdigit() else {n}
site = site_get(); site.paid_for_by = "Paid for by Bench for Congress"; site.save()
for start in range(0, n, 5000):
    with transaction.atomic():
        people = Person.objects.bulk_create([
            Person(given_name=f"Given{{i}}", family_name=f"Family{{i}}", state="OH",
                   postal_code="43215", primary_email=f"r{{i}}@d{{i % 50}}.example",
                   email_status="subscribed")
            for i in range(start, min(n, start + 5000))])
        EmailAddress.objects.bulk_create([
            EmailAddress(person=p, address=p.primary_email, is_primary=True,
                         status="subscribed") for p in people])
sender = SenderIdentity.objects.create(from_name="Bench Campaign",
    from_address="news@bench.example.org", reply_to="team@bench.example.org",
    postal_address="PO Box 1, Columbus, OH 43215", is_default=True)
segment = Segment.objects.create(name="Everyone", definition={{}})
html = ('<p>Dear {{{{ first_name|default:"Friend" }}}},</p><p>We are {{{{ state }}}} strong. '
        + 'Lorem ipsum dolor sit amet. ' * 40
        + '</p><p><a href="https://bench.example.org/donate?amount=25">Give $25</a></p>')
mailing = Mailing.objects.create(name="Bench", sender=sender, segment=segment,
    subject="{{{{ first_name }}}}, a note", html=html, status="sending",
    link_base="https://bench.example.org")
print(mailing.pk)
"""

SINK = """
import asyncio, sys
from aiosmtpd.controller import Controller
class Discard:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
controller = Controller(Discard(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


# A relay stands on another machine in real life; on these 2 cores aiosmtpd's parsing costs
# about 0.6 ms of CPU per message, as much as the whole send path. This sink speaks the same
# SMTP (greeting, EHLO/HELO, MAIL, RCPT, DATA to the lone dot, RSET, NOOP, QUIT) with one
# asyncio protocol and discards the message, so the figure measures our side of the wire.
LEAN_SINK = """
import asyncio, sys
class Smtp(asyncio.Protocol):
    def connection_made(self, transport):
        self.t, self.buf, self.data = transport, b"", False
        transport.write(b"220 sink ESMTP\\r\\n")
    def data_received(self, chunk):
        self.buf += chunk
        while True:
            if self.data:
                end = self.buf.find(b"\\r\\n.\\r\\n")
                if end < 0:
                    return
                self.buf, self.data = self.buf[end + 5:], False
                self.t.write(b"250 OK\\r\\n")
                continue
            end = self.buf.find(b"\\r\\n")
            if end < 0:
                return
            line, self.buf = self.buf[:end], self.buf[end + 2:]
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.t.write(b"250-sink\\r\\n250-8BITMIME\\r\\n250 SIZE 52428800\\r\\n")
            elif verb == b"DATA":
                # DATA's reply comes first and the body may follow in the same read.
                self.data = True
                self.buf = b"\\r\\n" + self.buf
                self.t.write(b"354 go on\\r\\n")
            elif verb == b"QUIT":
                self.t.write(b"221 bye\\r\\n")
                self.t.close()
                return
            elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.t.write(b"250 OK\\r\\n")
            else:
                self.t.write(b"502 not here\\r\\n")
async def main():
    server = await asyncio.get_running_loop().create_server(Smtp, "127.0.0.1", int(sys.argv[1]))
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    server.close()
asyncio.run(main())
"""


def _groundswell(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "groundswell", *args], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr[-3000:])
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dkim", action="store_true", help="sign with an RSA-2048 key")
    parser.add_argument(
        "--sink",
        choices=["lean", "aiosmtpd"],
        default="lean",
        help="the SMTP server that receives and discards (lean: one asyncio protocol)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gs_send"),
    )
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="bench-mailing-")
    database_recreate(args.database_url)
    port = free_port()
    settings = {"EMAIL_URL": f"smtp://127.0.0.1:{port}", "GROUNDSWELL_MAILING_RATE": "0"}
    if args.dkim:
        key = Path(work) / "dkim.pem"
        subprocess.run(
            ["openssl", "genrsa", "-traditional", "-out", str(key), "2048"],
            check=True,
            capture_output=True,
        )
        settings.update(GROUNDSWELL_DKIM_KEY_FILE=str(key), GROUNDSWELL_DKIM_SELECTOR="bench")
    env = server_env(args.database_url, work, **settings)
    _groundswell(env, "migrate", "--verbosity", "0")
    started = time.monotonic()
    mailing_id = int(_groundswell(env, "shell", "-c", SEED.format(n=args.recipients)).split()[-1])
    print(f"seeded {args.recipients:,} people in {time.monotonic() - started:.1f} s", flush=True)
    sink = subprocess.Popen(
        [sys.executable, "-c", LEAN_SINK if args.sink == "lean" else SINK, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert sink.stdout.readline().strip() == "ready"
    busy_before = machine_busy_seconds()
    sampler = BackendSampler(urlsplit(args.database_url).path.lstrip("/"))
    sampler.start()
    try:
        started = time.monotonic()
        children_before = _children_cpu()
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "groundswell",
                    "mailing_worker",
                    "--mailing",
                    str(mailing_id),
                ],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(args.workers)
        ]
        outputs = [w.communicate()[0].strip() for w in workers]
        seconds = time.monotonic() - started
        workers_cpu = _children_cpu() - children_before
    finally:
        pg_cpu = sampler.total()
        busy = machine_busy_seconds() - busy_before
        before_sink = _children_cpu()
        sink.communicate("")
    sink_cpu = _children_cpu() - before_sink
    for line in outputs:
        print(line)
    counts = _groundswell(
        env,
        "shell",
        "-c",
        "from groundswell.mailings.models import Delivery as D; "
        f"print(D.objects.filter(mailing_id={mailing_id}, state='sent').count())",
    )
    sent = int(counts.split()[-1])
    result = {
        "benchmark": "mailing",
        "recipients": args.recipients,
        "sent": sent,
        "workers": args.workers,
        "dkim": args.dkim,
        "sink": args.sink,
        "seconds": round(seconds, 2),
        "messages_per_second": round(sent / seconds, 1),
        "cpus": os.cpu_count(),
        # CPU milliseconds per message: the workers (render, MIME, DKIM, SMTP client, ORM), the
        # SMTP sink, the PostgreSQL backends of the benchmark's database, and
        # the whole machine (a shared machine's other work included).
        "cpu_ms_per_message": {
            "workers": round(1000 * workers_cpu / max(sent, 1), 3),
            "sink": round(1000 * sink_cpu / max(sent, 1), 3),
            "postgres": round(1000 * pg_cpu / max(sent, 1), 3),
            "machine": round(1000 * busy / max(sent, 1), 3),
        },
        "handoff": int(os.environ.get("GROUNDSWELL_MAILING_HANDOFF", "1")),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
