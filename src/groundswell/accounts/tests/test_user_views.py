"""The staff page: admins create accounts, change roles, deactivate — all audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent, User

USERS = reverse("accounts:users")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("role", ["finance", "organizer", "volunteer"])
def test_only_an_admin_manages_staff(persona_client, make_user, role):
    target = make_user("volunteer", username="target")
    client = persona_client(role)
    assert client.get(USERS).status_code == 403
    assert client.get(reverse("accounts:user_create")).status_code == 403
    response = client.post(
        reverse("accounts:user_role", args=[target.pk]), {f"u{target.pk}-role": "admin"}
    )
    assert response.status_code == 403
    response = client.post(reverse("accounts:user_active", args=[target.pk]), {"active": "0"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert (target.role, target.is_active) == ("volunteer", True)


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    for url in (USERS, reverse("accounts:user_create")):
        response = client.get(url)
        assert response["Location"].startswith(reverse("accounts:login"))


def test_an_admin_creates_a_staff_member_with_a_role(admin_client):
    response = admin_client.post(
        reverse("accounts:user_create"),
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Bie",
            "email": "newbie@campaign.example.org",
            "role": "organizer",
            "password": "a-long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.role == "organizer"
    assert user.check_password("a-long-unusual-passphrase-42")
    event = AuditEvent.objects.get(action=AuditEvent.Action.USER_CREATE)
    assert event.actor.username == "admin-user"
    assert "newbie" in admin_client.get(USERS).content.decode()


def test_a_weak_password_or_taken_username_is_refused(admin_client, make_user):
    make_user("volunteer", username="taken")
    response = admin_client.post(
        reverse("accounts:user_create"),
        {"username": "Taken", "role": "volunteer", "password": "password"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is already a staff account called Taken" in page
    assert "This password is too common" in page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.USER_CREATE).exists()


def test_an_admin_changes_a_role_and_it_is_audited(admin_client, make_user):
    target = make_user("volunteer", username="target")
    response = admin_client.post(
        reverse("accounts:user_role", args=[target.pk]), {f"u{target.pk}-role": "finance"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == "finance"
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGE)
    assert event.details == {"from": "volunteer", "to": "finance"}


def test_an_admin_deactivates_and_reactivates_a_staff_member(admin_client, make_user):
    target = make_user("organizer", username="target")
    admin_client.post(reverse("accounts:user_active", args=[target.pk]), {"active": "0"})
    target.refresh_from_db()
    assert target.is_active is False
    assert AuditEvent.objects.filter(action=AuditEvent.Action.USER_DEACTIVATE).count() == 1
    assert "Deactivated" in admin_client.get(USERS).content.decode()
    admin_client.post(reverse("accounts:user_active", args=[target.pk]), {"active": "1"})
    target.refresh_from_db()
    assert target.is_active is True


def test_the_last_active_admin_cannot_demote_themselves(admin_client, admin_user):
    response = admin_client.post(
        reverse("accounts:user_role", args=[admin_user.pk]),
        {f"u{admin_user.pk}-role": "volunteer"},
        follow=True,
    )
    assert "is the last active admin" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGE).exists()


def test_the_last_active_admin_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(
        reverse("accounts:user_active", args=[admin_user.pk]), {"active": "0"}, follow=True
    )
    assert "is the last active admin" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active is True


def test_a_deactivated_admin_does_not_count_as_another_admin(admin_client, admin_user, make_user):
    dormant = make_user("admin", username="dormant")
    dormant.is_active = False
    dormant.save()
    admin_client.post(
        reverse("accounts:user_role", args=[admin_user.pk]), {f"u{admin_user.pk}-role": "finance"}
    )
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"


def test_with_another_active_admin_an_admin_may_step_down(admin_client, admin_user, make_user):
    make_user("admin", username="successor")
    response = admin_client.post(
        reverse("accounts:user_role", args=[admin_user.pk]), {f"u{admin_user.pk}-role": "finance"}
    )
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.role == "finance"
