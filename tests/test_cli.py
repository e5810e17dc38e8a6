"""The `groundswell` command as a newcomer runs it: strict settings, the demo, the server."""

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest


def clean_env(**extra) -> dict:
    """The environment a newcomer has: none of the test run's settings."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DJANGO_SETTINGS_MODULE",
            "GROUNDSWELL_DEMO",
            "DATABASE_URL",
            "SECRET_KEY",
            "DEBUG",
            "EMAIL_URL",
            "GROUNDSWELL_DATA_DIR",
        )
    }
    return {**base, **extra}


def groundswell(*args, env=None, timeout=300, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "groundswell", *args],
        env=clean_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG: expected one of true/false"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL: unsupported scheme 'mysql'"),
        ("ALLOWED_HOSTS", "a.example,,b.example", "ALLOWED_HOSTS: expected a comma-separated"),
        ("EMAIL_URL", "pigeon://coop", "EMAIL_URL: unsupported scheme 'pigeon'"),
        ("SECRET_KEY", "short", "SECRET_KEY: must be at least 32 characters"),
        ("GROUNDSWELL_IMPORT_MAX_BYTES", "lots", "GROUNDSWELL_IMPORT_MAX_BYTES: expected a whole"),
        ("GROUNDSWELL_ANALYTICS_ENGINE", "bigquery", "expected duckdb, postgres or spark"),
        ("GROUNDSWELL_ANALYTICS_ENGINE", "postgres", "postgres needs DATABASE_URL to be"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_the_variable(tmp_path, variable, value, message):
    env = {"GROUNDSWELL_DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 40, variable: value}
    result = groundswell("check", env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = groundswell("check", env={"GROUNDSWELL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "SECRET_KEY: is not set" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the demo is the embedded SQLite set-up; covered by the SQLite run",
)
def test_the_demo_seeds_prints_a_login_and_the_server_accepts_it(tmp_path):
    env = {"GROUNDSWELL_DATA_DIR": str(tmp_path / "data")}
    seeded = groundswell("demo", "--no-serve", "--people", "300", env=env)
    assert seeded.returncode == 0, seeded.stderr
    password = re.search(r"as\s+admin / (\S+)", seeded.stdout).group(1)
    assert (tmp_path / "data" / "groundswell.sqlite3").exists()
    assert (tmp_path / "data" / "secret_key").exists()
    # The demo's donors are resolved into people once, toward an active donor goal.
    with sqlite3.connect(tmp_path / "data" / "groundswell.sqlite3") as db:
        runs = db.execute("SELECT status, clusters FROM identity_resolutionrun").fetchall()
        goals = db.execute("SELECT name FROM identity_thresholdruleset WHERE active").fetchall()
        segments = db.execute("SELECT name FROM segments_segment ORDER BY name").fetchall()
        mailing_segments = db.execute(
            "SELECT s.name FROM mailings_mailing m JOIN segments_segment s ON s.id = m.segment_id"
        ).fetchall()
    assert len(runs) == 1 and runs[0][0] == "done" and runs[0][1] > 0
    assert goals == [("Debate stage (demo scale)",)]
    assert ("Subscribed donors in PA, OH, MI who have not given in 30 days",) in segments
    # The four saved segments of demo/segments_seed.py, and the one its draft mailing goes to.
    assert len(segments) == 5 and mailing_segments and mailing_segments[0] in segments

    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "groundswell",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=clean_env(**env, GROUNDSWELL_DEMO="1"),
        # Not a pipe nobody reads: a full pipe would block the server's output, and its exit.
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = opener.open(f"{base}/accounts/login/", timeout=5).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            pytest.fail("the server did not answer within 20 s")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"username": "admin", "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
        )
        response = opener.open(request, timeout=10)
        # Staff land on the home after logging in.
        assert response.url.rstrip("/").endswith("/home")
        assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def _people_csv(path, rows):
    path.write_text("Email,First Name,State\n" + "".join(f"{r}\n" for r in rows))
    return str(path)


def test_import_people_reports_rejected_rows_and_a_rerun_adds_nothing(tmp_path):
    env = {"GROUNDSWELL_DATA_DIR": str(tmp_path / "data"), "GROUNDSWELL_DEMO": "1"}
    assert groundswell("migrate", "-v0", env=env).returncode == 0
    path = _people_csv(
        tmp_path / "p.csv", ["a@example.org,Ann,OH", "nope,Bad,OH", "b@example.org,Bob,Gondor"]
    )
    first = groundswell("import", "people", path, "--errors", str(tmp_path / "e.csv"), env=env)
    assert first.returncode == 0, first.stderr
    assert "3 rows — 1 new, 0 updated, 0 unchanged, 2 rejected" in first.stdout
    report = (tmp_path / "e.csv").read_text().splitlines()
    # The error's columns, then the file's own, so the report can be fixed and imported again.
    assert report[0] == "line,column,value,reason,Email,First Name,State"
    assert report[1].startswith("3,Email,nope,") and report[1].endswith(",nope,Bad,OH")
    assert report[2].startswith("4,State,Gondor,")
    assert report[2].endswith(",b@example.org,Bob,Gondor")
    again = groundswell("import", "people", path, env=env)
    assert "0 new, 0 updated, 1 unchanged, 2 rejected" in again.stdout


def test_import_people_explains_a_file_it_cannot_use(tmp_path):
    env = {"GROUNDSWELL_DATA_DIR": str(tmp_path / "data"), "GROUNDSWELL_DEMO": "1"}
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = groundswell("import", "people", str(empty), env=env)
    assert result.returncode != 0
    assert "the file is empty" in result.stderr
    assert "Traceback" not in result.stderr
    result = groundswell("import", "people", str(empty), "--map", "x", env=env)
    assert "expected COLUMN=FIELD" in result.stderr


@pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="exercised on the embedded database"
)
def test_a_background_import_is_run_by_the_task_worker(tmp_path):
    env = {"GROUNDSWELL_DATA_DIR": str(tmp_path / "data"), "GROUNDSWELL_DEMO": "1"}
    assert groundswell("migrate", "-v0", env=env).returncode == 0
    worker = subprocess.Popen(
        [sys.executable, "-m", "groundswell", "db_worker"],
        env=clean_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        path = _people_csv(tmp_path / "p.csv", ["a@example.org,Ann,OH", "b@example.org,Bo,WA"])
        result = groundswell("import", "people", path, "--background", env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "2 rows — 2 new" in result.stdout
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_a_redis_cache_url_is_understood(tmp_path):
    env = {
        "GROUNDSWELL_DATA_DIR": str(tmp_path),
        "GROUNDSWELL_DEMO": "1",
        "CACHE_URL": "redis://127.0.0.1:6379/0",
    }
    result = groundswell(
        "shell",
        "-c",
        "from django.core.cache import cache; "
        "cache.set('gs-probe', 1, 5); print('ok' if cache.get('gs-probe') "
        "else 'missing')",
        env=env,
    )
    if "Connection refused" in result.stderr:
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert result.stdout.strip().endswith("ok"), result.stderr


def test_a_file_email_url_writes_to_that_absolute_folder(tmp_path):
    folder = tmp_path / "mail-out"
    env = {
        "GROUNDSWELL_DATA_DIR": str(tmp_path / "data"),
        "GROUNDSWELL_DEMO": "1",
        "EMAIL_URL": f"file://{folder}",
    }
    result = groundswell("sendtestemail", "someone@example.org", env=env, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert len(list(folder.iterdir())) == 1
