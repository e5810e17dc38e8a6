"""Log-ins are throttled per network address and per username (django-axes), and audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import AuditEvent, User
from groundswell.core.tests.browser import PASSWORD

LOGIN = reverse("accounts:login")


@pytest.fixture(autouse=True)
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 10
    return settings.AXES_FAILURE_LIMIT


def attempt(client, username, password="wrong", ip="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def lockouts():
    return AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_LOCKOUT)


def test_forty_wrong_passwords_are_refused_from_the_tenth_with_a_clear_message(
    client, make_user, limit, monkeypatch
):
    make_user("admin", username="ada")
    checked = []
    original = User.check_password
    monkeypatch.setattr(
        User, "check_password", lambda self, raw: checked.append(raw) or original(self, raw)
    )
    statuses = [attempt(client, "ada").status_code for _ in range(40)]
    assert statuses == [200] * (limit - 1) + [429] * (40 - limit + 1)
    # Once locked out, a guess is refused before the password hash is computed.
    assert len(checked) == limit
    response = attempt(client, "ada", PASSWORD)
    assert response.status_code == 429
    page = " ".join(response.content.decode().split())
    assert "Too many failed log-ins" in page and "try again in 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_a_lockout_is_audited_once_with_the_username_and_address(client, make_user, limit):
    user = make_user("finance", username="fin")
    for _ in range(limit + 5):
        attempt(client, "fin")
    [event] = lockouts()
    assert event.actor is None
    assert event.ip_address == "203.0.113.7"
    assert (event.target_type, event.target_id) == ("accounts.user", str(user.pk))
    assert event.details == {"username": "fin", "failures": limit, "minutes": 15}
    assert "after 10 failed attempts" in event.summary


def test_one_address_guessing_many_usernames_is_locked_out_but_others_are_not(
    client, make_user, limit
):
    make_user("volunteer", username="vic")
    for n in range(limit):
        attempt(client, f"guess-{n}")
    assert attempt(client, "vic", PASSWORD).status_code == 429
    assert lockouts().count() == 1
    # The same account from another address is not affected by this address's guesses.
    response = attempt(client, "vic", PASSWORD, ip="198.51.100.20")
    assert response.status_code == 302


def test_one_username_guessed_from_many_addresses_is_locked_out(client, make_user, limit):
    make_user("organizer", username="oz")
    make_user("organizer", username="other")
    for n in range(limit):
        attempt(client, "oz", ip=f"198.51.100.{n + 1}")
    assert attempt(client, "oz", PASSWORD, ip="192.0.2.99").status_code == 429
    assert attempt(client, "other", PASSWORD, ip="192.0.2.99").status_code == 302


def test_the_lockout_lifts_after_the_cool_off(client, make_user, limit, settings):
    from axes.models import AccessAttempt

    make_user("volunteer", username="vic")
    for _ in range(limit):
        attempt(client, "vic")
    assert attempt(client, "vic", PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert attempt(client, "vic", PASSWORD).status_code == 302


def test_a_few_wrong_passwords_then_the_right_one_logs_in(client, make_user, limit):
    make_user("volunteer", username="vic")
    for _ in range(limit - 1):
        assert attempt(client, "vic").status_code == 200
    assert attempt(client, "vic", PASSWORD).status_code == 302
    assert not lockouts().exists()


def test_the_django_admin_login_counts_toward_the_same_lockout(client, make_user, limit):
    make_user("admin", username="ada")
    for _ in range(limit):
        client.post(
            reverse("admin:login"), {"username": "ada", "password": "x"}, REMOTE_ADDR="203.0.113.7"
        )
    assert attempt(client, "ada", PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "username", ["x" * 10_000, "nul\x00byte", "", " ", "' OR 1=1 --", "<script>alert(1)</script>"]
)
def test_hostile_usernames_get_the_form_back_not_an_error(client, make_user, username):
    response = attempt(client, username)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_long_username_is_counted_by_its_first_150_characters(client, make_user, limit):
    for n in range(limit):
        attempt(client, "y" * 150 + str(n) * 500, ip=f"198.51.100.{n + 1}")
    assert attempt(client, "y" * 150, ip="192.0.2.1").status_code == 429


def test_the_test_client_login_still_works(client, make_user):
    make_user("volunteer", username="vic")
    assert client.login(username="vic", password=PASSWORD)
    assert not client.login(username="vic", password="wrong")
