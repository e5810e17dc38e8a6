"""Deployment: the documented production settings, configuration errors, and a real server's
limits — log-in throttling and rate limits across its processes, and a port it cannot share."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from test_cli import clean_env, groundswell

README = Path(__file__).resolve().parent.parent / "README.md"


def production_environment() -> dict[str, str]:
    """The production environment the README documents, its `<placeholders>` filled in."""
    text = README.read_text()
    block = re.search(r"<!-- production-environment:.*?-->\n```sh\n(.*?)```", text, re.S)
    assert block, "the README's production environment block is missing"
    env = {}
    for line in block.group(1).splitlines():
        name, _, value = line.partition("=")
        env[name] = re.sub(r"<[^>]*>", lambda _: secrets.token_urlsafe(50), value)
    return env


@pytest.fixture
def deployed(monkeypatch):
    """No test-run leftovers in the server's environment (the browser tests allow sync calls
    from async code, which check --deploy rightly refuses)."""
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)


def test_check_deploy_passes_with_the_documented_production_environment(tmp_path, deployed):
    env = {**production_environment(), "GROUNDSWELL_DATA_DIR": str(tmp_path)}
    assert env["SECURE_HSTS_SECONDS"] and env["SECURE_PROXY_SSL_HEADER"]
    result = groundswell("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_warns_when_a_production_setting_is_left_out(tmp_path, deployed):
    env = {**production_environment(), "GROUNDSWELL_DATA_DIR": str(tmp_path)}
    del env["SECURE_HSTS_SECONDS"]
    result = groundswell("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_the_proxy_header_setting_is_understood_and_checked(tmp_path):
    env = {"GROUNDSWELL_DATA_DIR": str(tmp_path), "GROUNDSWELL_DEMO": "1"}
    shown = groundswell(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
        env={**env, "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"},
    )
    assert shown.stdout.strip().endswith("('HTTP_X_FORWARDED_PROTO', 'https')"), shown.stderr
    bad = groundswell("check", env={**env, "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"})
    assert bad.returncode == 2
    assert "SECURE_PROXY_SSL_HEADER: expected a header name" in bad.stderr


SECRET = "Pa55-w0rd:with/odd@chars"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", f"mysql://root:{SECRET}@db.internal/crm"),
        ("DATABASE_URL", f"postgres://crm:{SECRET}@db.internal:5432/"),
        ("DATABASE_URL", f"postgres://crm:{SECRET}@db.internal:port/crm"),
        ("DATABASE_URL", f"postgres://crm:{urllib.parse.quote(SECRET)}@[::1/crm"),
        ("EMAIL_URL", f"pigeon://mail:{SECRET}@coop"),
        ("EMAIL_URL", f"smtp://mail:{SECRET}@smtp.example.org:port"),
        ("EMAIL_URL", f"smtp://mail:{urllib.parse.quote(SECRET, safe='')}@smtp.example.org:x"),
        ("CACHE_URL", f"memcache://cache:{SECRET}@cache.internal:11211"),
    ],
)
def test_a_configuration_error_never_prints_a_password(tmp_path, variable, value):
    env = {"GROUNDSWELL_DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 50, variable: value}
    result = groundswell("check", env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert f"{variable}: " in result.stderr
    assert "Traceback" not in output
    for piece in (SECRET, urllib.parse.quote(SECRET), urllib.parse.quote(SECRET, safe=""), "w0rd"):
        assert piece not in output


# ---------------------------------------------------------------- a real server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SEED = """
from groundswell.accounts.models import User
from groundswell.demo.actions_site import campaign_site_seed
campaign_site_seed(seed=7)
user = User(username="ada", email="ada@example.org", role="admin")
user.set_password("right-pw-for-tests")
user.save()
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`groundswell serve` with two web processes on a fresh SQLite data folder."""
    data = tmp_path_factory.mktemp("served")
    env = {"GROUNDSWELL_DATA_DIR": str(data), "GROUNDSWELL_DEMO": "1"}
    for step in (("migrate", "-v0"), ("shell", "-c", SEED)):
        done = groundswell(*step, env=env)
        assert done.returncode == 0, done.stderr
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "groundswell", "serve", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--no-worker", "--no-migrate"],
        env=clean_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        else:
            pytest.fail("the server did not answer within 30 s")
        yield {"base": base, "port": port, "env": env, "db": data / "groundswell.sqlite3"}
    finally:
        process.terminate()
        process.wait(timeout=30)


def _post_form(base: str, path: str, fields: dict) -> int:
    """GET a form on a fresh connection, then POST it with its CSRF token; the status."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
    )
    page = opener.open(f"{base}{path}", timeout=10).read().decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    body = urllib.parse.urlencode({**hidden, **fields}).encode()
    request = urllib.request.Request(f"{base}{path}", data=body, headers={"Referer": base + path})
    try:
        return opener.open(request, timeout=30).status
    except urllib.error.HTTPError as answer:
        return answer.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_eight_sign_ups_with_one_address_let_exactly_five_through_two_processes(server):
    statuses = [
        _post_form(
            server["base"],
            "/a/join/",
            {"email": "same@example.org", "given_name": "Sam", "postal_code": "43004"},
        )
        for _ in range(8)
    ]
    assert sorted(statuses) == [302] * 5 + [429] * 3, statuses
    with sqlite3.connect(server["db"]) as db:
        (stored,) = db.execute(
            "SELECT count(*) FROM actions_submission WHERE email = 'same@example.org'"
        ).fetchone()
    assert stored == 5


def test_forty_wrong_passwords_against_the_server_are_throttled(server):
    started = time.monotonic()
    statuses = [
        _post_form(server["base"], "/accounts/login/", {"username": "ada", "password": "nope"})
        for _ in range(40)
    ]
    elapsed = time.monotonic() - started
    assert statuses == [200] * 9 + [429] * 31, statuses
    right = _post_form(
        server["base"], "/accounts/login/", {"username": "ada", "password": "right-pw-for-tests"}
    )
    assert right == 429
    with sqlite3.connect(server["db"]) as db:
        lockouts = db.execute(
            "SELECT count(*) FROM accounts_auditevent WHERE action = 'login_lockout'"
        ).fetchone()[0]
    assert lockouts == 1
    print(f"40 wrong passwords took {elapsed:.1f} s")


def test_a_second_serve_on_a_taken_port_stops_with_a_clear_message(server):
    second = subprocess.Popen(
        [sys.executable, "-m", "groundswell", "serve", "--bind", f"127.0.0.1:{server['port']}"],
        env=clean_env(**server["env"]),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Its own process group: were it to start after all, its server, task worker and clock
        # are stopped with it.
        start_new_session=True,
    )
    try:
        _, stderr = second.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(second.pid, signal.SIGTERM)
        second.communicate(timeout=30)
        pytest.fail("a second serve started on a port already taken")
    assert second.returncode != 0
    assert f"port {server['port']} on 127.0.0.1 is already in use" in stderr
    # The first server still answers.
    assert urllib.request.urlopen(f"{server['base']}/accounts/login/", timeout=5).status == 200


@pytest.mark.parametrize(
    ("url", "port", "tls", "ssl"),
    [
        ("smtp+tls://relay:pw@smtp.example.org", 587, True, False),
        ("smtp+tls://relay:pw@smtp.example.org:2525", 2525, True, False),
        ("smtp+ssl://relay:pw@smtp.example.org", 465, False, True),
        ("smtps://relay:pw@smtp.example.org", 465, False, True),
        ("smtps://relay:pw@smtp.example.org:4650", 4650, False, True),
        ("submission://relay:pw@smtp.example.org", 587, True, False),
        ("smtp://relay:pw@smtp.example.org", 25, False, False),
    ],
)
def test_the_documented_email_url_schemes_are_understood(monkeypatch, url, port, tls, ssl):
    from groundswell.config.env import env_email

    monkeypatch.setenv("EMAIL_URL", url)
    parsed = env_email("EMAIL_URL", "smtp://localhost:25")
    assert (parsed["EMAIL_HOST"], parsed["EMAIL_HOST_USER"]) == ("smtp.example.org", "relay")
    assert (parsed["EMAIL_PORT"], parsed["EMAIL_USE_TLS"], parsed["EMAIL_USE_SSL"]) == (
        port,
        tls,
        ssl,
    )
