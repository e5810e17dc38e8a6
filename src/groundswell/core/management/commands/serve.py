"""`groundswell serve`: the production web server (granian) and the background task worker.

granian is an HTTP server written in Rust that runs the WSGI application in Python worker
processes. It replaced gunicorn (sync workers) because it parses HTTP, keeps connections
alive and streams bodies outside Python: on two cores a webhook delivery costs about a third
less server CPU, and bodies (a 500 MB CSV upload) are still streamed, not held in memory.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Serve Groundswell with granian, plus a task worker for imports and e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("GROUNDSWELL_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "0") or 0),
            help="web server processes (default: two per core)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("GROUNDSWELL_THREADS", "0") or 0),
            help="request threads per process (default: 1; with the GIL, processes do more)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background task worker and the periodic jobs",
        )
        parser.add_argument("--no-migrate", action="store_true")
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="only errors from the server and the worker (the demo: a newcomer's terminal)",
        )

    def handle(self, *args, bind, workers, threads, no_worker, no_migrate, quiet=False, **options):
        host, _, port = bind.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--bind {bind!r}: expected HOST:PORT, like 127.0.0.1:8000")
        _refuse_a_taken_port(host.strip("[]"), int(port))
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # Measured on two cores (bench/actblue_webhooks.py): four processes of one thread each
        # take the most deliveries with the shortest tail; threads share one GIL.
        workers = workers or 2 * (os.cpu_count() or 1)
        threads = threads or 1
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE=os.environ.get(
                "DJANGO_SETTINGS_MODULE", "groundswell.config.settings"
            ),
        )
        children: list[subprocess.Popen] = []
        if not no_worker:
            # The worker runs at a lower priority than the web processes: a delivery waits for
            # its answer, a backlog does not (it catches up after a burst).
            children.append(
                subprocess.Popen(
                    [
                        *(sys.executable, "-m", "groundswell", "db_worker"),
                        *("--queue-name", "default"),
                        # A line per task run is for operators; the demo keeps its terminal
                        # for the login (failed tasks are kept with their error either way).
                        *(("--verbosity", "0") if quiet else ()),
                    ],
                    env=env,
                    preexec_fn=lambda: os.nice(19),
                )
            )
            # Jobs on a clock (the webhook sweep, recurring charges), enqueued for the worker.
            children.append(
                subprocess.Popen([sys.executable, "-m", "groundswell", "periodic"], env=env)
            )
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "wsgi",
                "--host",
                host.strip("[]"),
                "--port",
                port,
                "--workers",
                str(workers),
                "--blocking-threads",
                str(threads),
                "--no-ws",  # WSGI has no websockets; said once per start otherwise
                # Quiet: granian warns that four processes exceed two cores, which is what
                # was measured best (above), and logs each worker's start.
                *(["--log-level", "error"] if quiet else []),
                # An access line per request only when debugging.
                *(["--access-log"] if settings.DEBUG else []),
                "--respawn-failed-workers",
                "--workers-kill-timeout",
                "20",
                "groundswell.config.wsgi:served",
            ],
            env=env,
        )
        children.append(web)
        self.stdout.write(f"Groundswell is serving on http://{bind}/ (Ctrl-C stops it)")
        self.stdout.flush()

        def stop(*_):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            code = web.wait()
        finally:
            stop()
            for child in children:
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    child.kill()
        raise SystemExit(code)


def _refuse_a_taken_port(host: str, port: int) -> None:
    """Stop before starting anything when another server already listens on the address.

    granian binds with SO_REUSEPORT, so a second `serve` on the same port would start without
    complaint and share the connections, and its task worker and clock would run beside the
    first one's. A plain bind, as a probe, fails on a port in use.
    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CommandError(f"--bind {host}:{port}: cannot resolve {host!r} ({exc})") from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            # SO_REUSEADDR only passes over connections of a stopped server still closing.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise CommandError(
                        f"port {port} on {host} is already in use: is Groundswell (or another "
                        "server) already running there? Stop it, or pass another --bind."
                    ) from None
                raise CommandError(f"--bind {host}:{port}: cannot listen there ({exc})") from None
