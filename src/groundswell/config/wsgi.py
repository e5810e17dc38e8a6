import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.config.settings")
application = get_wsgi_application()
# Everything loaded so far (Django, the models, the URL map) lives as long as the process:
# moved out of the collector's reach, a full collection no longer walks it, which took a
# busy server process off its requests for tens of milliseconds at a time.
gc.freeze()

# What a request may carry from the server: the CGI variables, the client's headers and the
# server's wsgi.* keys. granian also copies the process environment into every request (as
# CGI servers did); kept, DATABASE_URL and the like would show up in request.META and so in
# error reports.
_REQUEST_KEYS = frozenset(
    {
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "GATEWAY_INTERFACE",
        "PATH_INFO",
        "QUERY_STRING",
        "RAW_URI",
        "REMOTE_ADDR",
        "REMOTE_HOST",
        "REMOTE_PORT",
        "REQUEST_METHOD",
        "REQUEST_URI",
        "SCRIPT_NAME",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "SERVER_SOFTWARE",
    }
)


# HTTP_* variables of the process itself (HTTP_PROXY...) are not headers of the request.
_PROCESS_HTTP = {k: v for k, v in os.environ.items() if k.startswith("HTTP_")}


def served(environ, start_response):
    """The application as ``groundswell serve`` runs it: the process environment left out."""
    environ = {
        key: value
        for key, value in environ.items()
        if key in _REQUEST_KEYS
        or (key.startswith("HTTP_") and _PROCESS_HTTP.get(key) != value)
        # The server's own keys: PEP 3333 names them in lower case with a dot (wsgi.input).
        or ("." in key and key.islower())
    }
    return application(environ, start_response)
