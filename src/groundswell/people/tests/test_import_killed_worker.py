"""A people import whose task worker is killed (SIGKILL) mid-file resumes, and every row of the
file arrives exactly once.

Real parts only: a real database of the test's own (a SQLite file, or a PostgreSQL database
beside the test database), `groundswell migrate`, `groundswell db_worker` (the django-tasks
database backend) and `groundswell periodic` as subprocesses, a real CSV file. The test reads
the database with plain SQL, as the worker's processes own it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from urllib.parse import urlparse, urlunparse

import pytest
from django.conf import settings

ROWS = 8000
BAD_EVERY = 997  # a row with a malformed e-mail address, to be reported once, not imported
BATCH = 1000


def _bad(n: int) -> bool:
    return n % BAD_EVERY == 0


@pytest.fixture
def worker_database(tmp_path):
    """Environment for subprocesses on a fresh database, and a function that queries it."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "groundswell.config.settings",
        "GROUNDSWELL_DEMO": "1",
        "GROUNDSWELL_DATA_DIR": str(tmp_path / "data"),
        "EMAIL_URL": "memory://",
        "GROUNDSWELL_CHECK_MX": "false",
        "PYTHONUNBUFFERED": "1",
    }
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        env.pop("DATABASE_URL", None)
        path = tmp_path / "data" / "groundswell.sqlite3"

        def query(sql: str):
            with closing(sqlite3.connect(path, timeout=20)) as con, con:
                cursor = con.execute(sql)
                return cursor.fetchone() if cursor.description else None

        yield env, query
        return
    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    name = f"test_{url.path.lstrip('/')}_killed_worker"
    admin = urlunparse(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunparse(url._replace(path=f"/{name}"))

    def query(sql: str):
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as con:
            cursor = con.execute(sql)
            return cursor.fetchone() if cursor.description else None

    try:
        yield env, query
    finally:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _groundswell(env, *args, timeout: int = 300) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "groundswell", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _worker(env, log) -> subprocess.Popen:
    # A session of its own, so that SIGKILL takes the worker and its cleaning helper together,
    # as when a container or a machine dies.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "groundswell",
            "db_worker",
            "--queue-name",
            "default",
            "--interval",
            "0.2",
            "--no-startup-delay",
            "--no-reload",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait(condition, *, timeout: float, what: str, poll: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_an_import_killed_mid_file_resumes_and_every_row_arrives_once(worker_database, tmp_path):
    env, query = worker_database
    _groundswell(env, "migrate", "--no-input", "-v", "0")
    csv_path = tmp_path / "supporters.csv"
    lines = ["First Name,Last Name,Email,Zip"]
    for n in range(1, ROWS + 1):
        email = f"not-an-email-{n}" if _bad(n) else f"resume.{n}@example.org"
        lines.append(f"Tess{n},Resume,{email},{10000 + n % 9000:05d}")
    csv_path.write_text("\n".join(lines) + "\n")
    good = sum(1 for n in range(1, ROWS + 1) if not _bad(n))
    # Queued as the web page queues it: the job with its heartbeat, then the task.
    _groundswell(
        env,
        "shell",
        "-c",
        "from django.db import transaction\n"
        "from django.utils import timezone\n"
        "from groundswell.people.imports import job_create\n"
        "from groundswell.people.tasks import people_import_run\n"
        f"job = job_create(path={str(csv_path)!r}, original_name='supporters.csv')\n"
        "job.status = 'queued'; job.heartbeat_at = timezone.now(); job.save()\n"
        "people_import_run.enqueue(job_id=job.pk)\n",
    )
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed in finally)
    worker = _worker(env, log)
    try:
        # Killed as soon as a batch has committed, with most of the file still to come.
        _wait(
            lambda: query("SELECT processed_rows FROM people_importjob")[0] >= BATCH,
            timeout=180,
            what="the first committed batch",
        )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        status, done, heartbeat = query(
            "SELECT status, processed_rows, heartbeat_at FROM people_importjob"
        )
        assert status == "running" and 0 < done < ROWS, (status, done)
        print(f"worker killed with {done} of {ROWS} rows committed")
        assert heartbeat is not None
        # The checkpoint and the rows were committed together: exactly the rows it counts.
        (people,) = query("SELECT count(*) FROM people_person")
        assert people == sum(1 for n in range(1, done + 1) if not _bad(n))
        assert done % BATCH == 0

        # Time passes with no worker: as if STALE_AFTER had gone by since the last batch.
        query("UPDATE people_importjob SET heartbeat_at = '2000-01-01 00:00:00'")
        worker = _worker(env, log)
        _groundswell(env, "periodic", "--once")
        _wait(
            lambda: query("SELECT status FROM people_importjob")[0] in ("done", "failed"),
            timeout=300,
            what="the resumed import to finish",
            poll=0.2,
        )
    finally:
        _stop(worker)
        log.close()

    status, processed, created, updated, unchanged, rejected = query(
        "SELECT status, processed_rows, created_count, updated_count, unchanged_count, "
        "rejected_count FROM people_importjob"
    )
    assert status == "done", (tmp_path / "worker.log").read_text()[-3000:]
    assert processed == ROWS
    # Resumed after its checkpoint, not from the top: no row was seen twice.
    assert (created, updated, unchanged, rejected) == (good, 0, 0, ROWS - good)
    assert query("SELECT count(*) FROM people_person") == (good,)
    assert query("SELECT count(*), count(DISTINCT address) FROM people_emailaddress") == (
        good,
        good,
    )
    # One timeline entry per imported line, one error per rejected line.
    assert query("SELECT count(*) FROM people_activity WHERE kind = 'import'") == (good,)
    assert query("SELECT count(*), count(DISTINCT line) FROM people_importrowerror") == (
        ROWS - good,
        ROWS - good,
    )
