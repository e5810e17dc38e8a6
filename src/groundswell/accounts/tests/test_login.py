"""Logging in and out of the staff UI."""

from __future__ import annotations

from django.urls import reverse

LOGIN = reverse("accounts:login")


def test_the_login_page_is_our_own_and_works_on_a_phone(client, db):
    page = client.get(LOGIN).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "core/groundswell.css" in page
    assert 'name="username"' in page and 'name="password"' in page


def test_a_staff_member_logs_in_and_lands_on_the_staff_home(client, make_user):
    make_user("volunteer", username="vic")
    response = client.post(LOGIN, {"username": "vic", "password": "pw-for-tests-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home:index")


def test_a_login_returns_to_the_page_that_asked_for_it(client, make_user):
    make_user("organizer", username="oz")
    target = reverse("people:import_list")
    response = client.post(LOGIN, {"username": "oz", "password": "pw-for-tests-1", "next": target})
    assert response["Location"] == target


def test_a_wrong_password_is_refused_with_a_message(client, make_user):
    make_user("volunteer", username="vic")
    response = client.post(LOGIN, {"username": "vic", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_account_cannot_log_in(client, make_user):
    user = make_user("admin", username="gone")
    user.is_active = False
    user.save()
    response = client.post(LOGIN, {"username": "gone", "password": "pw-for-tests-1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_anonymous_visitor_is_asked_to_log_in_first(client, db):
    response = client.get(reverse("people:list"), follow=True)
    assert response.redirect_chain[-1][0] == f"{LOGIN}?next=/people/"
    assert "Please log in to see that page." in response.content.decode()


def test_logging_out_takes_a_post_and_ends_the_session(persona_client):
    client = persona_client("organizer")
    page = client.get(reverse("people:list")).content.decode()
    assert f'<form method="post" action="{reverse("accounts:logout")}">' in page
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == LOGIN
    assert client.get(reverse("people:list")).status_code == 302


def test_the_root_url_is_the_public_home_page_with_a_staff_login_link(client, db):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "actions/public.css" in page
    assert f'href="{LOGIN}"' in page


def test_an_error_page_is_our_own(client, db):
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong on our side" in page
    assert "core/groundswell.css" in page
