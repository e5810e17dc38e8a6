"""What a request carries into Django under `groundswell serve`: no process environment."""

import io

import pytest

from groundswell.config import wsgi


@pytest.fixture
def seen(monkeypatch):
    got = {}

    def app(environ, start_response):
        got.update(environ)
        start_response("204 No Content", [])
        return [b""]

    monkeypatch.setattr(wsgi, "application", app)
    monkeypatch.setattr(wsgi, "_PROCESS_HTTP", {"HTTP_PROXY": "http://proxy.internal:3128"})
    return got


def test_the_process_environment_is_left_out_and_the_request_kept(seen):
    body = io.BytesIO(b"{}")
    environ = {
        # The server process's environment, copied in by the server:
        "DATABASE_URL": "postgres://app:hunter2@db/app",
        "PATH": "/usr/bin",
        "HTTP_PROXY": "http://proxy.internal:3128",
        # The request:
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/webhooks/actblue/",
        "QUERY_STRING": "a=1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "2",
        "REMOTE_ADDR": "203.0.113.9",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "crm.example.org",
        "HTTP_AUTHORIZATION": "Basic eDp5",
        "wsgi.input": body,
        "wsgi.url_scheme": "https",
    }
    wsgi.served(environ, lambda status, headers: None)
    assert "DATABASE_URL" not in seen and "PATH" not in seen and "HTTP_PROXY" not in seen
    for key in environ.keys() - {"DATABASE_URL", "PATH", "HTTP_PROXY"}:
        assert seen[key] is environ[key]


def test_a_proxy_header_that_differs_from_the_process_variable_is_the_request_s(seen):
    wsgi.served({"HTTP_PROXY": "sent-by-client", "PATH_INFO": "/"}, lambda s, h: None)
    assert seen["HTTP_PROXY"] == "sent-by-client"
