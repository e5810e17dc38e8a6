"""The Django admin site is for the admin role only, and follows role changes at once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.accounts.models import User
from groundswell.accounts.services import user_set_role

ADMIN = reverse("admin:index")


@pytest.mark.parametrize("role", ["finance", "organizer", "volunteer"])
def test_only_the_admin_role_can_open_the_django_admin(persona_client, role):
    response = persona_client(role).get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_volunteer_cannot_open_the_django_admin_even_at_a_model_page(persona_client):
    client = persona_client("volunteer")
    response = client.get(reverse("admin:people_person_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_admin_opens_the_django_admin(persona_client):
    assert persona_client("admin").get(ADMIN).status_code == 200


def test_an_anonymous_visitor_is_sent_to_the_admin_login(client, db):
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("role", "staff"),
    [("admin", True), ("finance", False), ("organizer", False), ("volunteer", False)],
)
def test_saving_a_user_keeps_is_staff_in_step_with_the_role(make_user, role, staff):
    user = make_user(role)
    user.refresh_from_db()
    assert user.is_staff is staff
    assert user.is_superuser is staff


def test_a_demoted_admin_loses_the_django_admin_at_once(client, make_user):
    boss = make_user("admin", username="boss")
    other = make_user("admin", username="other")
    client.force_login(boss)
    assert client.get(ADMIN).status_code == 200
    user_set_role(actor=other, user=boss, role="organizer")
    assert User.objects.get(pk=boss.pk).is_staff is False
    assert client.get(ADMIN).status_code == 302


def test_a_volunteer_forcing_is_staff_is_undone_on_save(make_user):
    user = make_user("volunteer")
    user.is_staff = True
    user.is_superuser = True
    user.save()
    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)
