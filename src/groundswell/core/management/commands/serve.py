"""`groundswell serve`: the production web server (gunicorn) and the background task worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Groundswell with gunicorn, plus a task worker for imports and e-mail."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("GROUNDSWELL_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", "0") or 0),
            help="gunicorn worker processes (default: 2 × cores + 1)",
        )
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background task worker and the periodic jobs",
        )
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, bind, workers, threads, no_worker, no_migrate, **options):
        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        workers = workers or (2 * (os.cpu_count() or 1) + 1)
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
                    [sys.executable, "-m", "groundswell", "db_worker", "--queue-name", "default"],
                    env=env,
                    preexec_fn=lambda: os.nice(10),
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
                "gunicorn",
                "groundswell.config.wsgi:application",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                # An access log only when debugging: gunicorn formats a line per request
                # even for /dev/null, which costs a few percent of a busy worker.
                *(["--access-logfile", "-"] if settings.DEBUG else []),
                "--error-logfile",
                "-",
                # Several servers may run on one machine (tests, benchmarks): no shared
                # control socket in the home folder.
                "--no-control-socket",
                "--graceful-timeout",
                "20",
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
