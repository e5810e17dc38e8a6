"""Login throttling with django-axes: per network address and per username, with an audit entry.

django-axes counts failed log-ins in the database (shared by every server process) and refuses
further attempts without checking the password, which also spares the server the password
hash (most of a second of CPU) that each guess would cost.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit

# No account has a longer username; a longer guess is counted by its first 150 characters (the
# form does not cut it, and the attempts table holds 255 at most).
USERNAME_MAX = 150


def login_username(request, credentials: dict | None) -> str | None:
    """The username a log-in attempt is counted under (django-axes' AXES_USERNAME_CALLABLE)."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    return None if username is None else str(username)[:USERNAME_MAX]


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses log-ins while their address or username is locked out; authenticates nobody.

    A log-in without a request (the test client's ``login``, a shell) did not come over HTTP,
    so there is no address to throttle: it passes to the next backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AuditedLoginHandler(AxesDatabaseHandler):
    """django-axes' database handler that writes one audit entry when a lockout begins."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or not getattr(request, "axes_locked_out", False):
            return
        failures = getattr(request, "axes_failures_since_start", None)
        limit = get_failure_limit(request, credentials)
        # Each failure adds one to the count, so it equals the limit once per lockout; the
        # attempts refused while locked out count on and are not audited again.
        if failures != limit:
            return
        from groundswell.accounts.services import login_lockout_record

        login_lockout_record(
            username=get_client_username(request, credentials) or "",
            ip_address=request.axes_ip_address,
            failures=failures,
        )
