"""The welcome series' staff pages: create, add a message (an unknown merge field refused with
its line), activate (audited), per-step counts, and who may do it."""

from __future__ import annotations

import pytest

from groundswell.accounts.models import AuditEvent
from groundswell.mailings.models import Delivery, Engagement, Mailing
from groundswell.mailings.welcome.models import WelcomeSeries
from groundswell.mailings.welcome.tests.conftest import person_make

pytestmark = pytest.mark.django_db


def test_staff_create_a_series_add_a_message_and_activate_it(persona_client, sender, join_page):
    client = persona_client("organizer")
    response = client.post(
        "/mailings/welcome/new/",
        {
            "name": "Petition signers",
            "sender": sender.pk,
            "kind": "news",
            "trigger": "pages",
            "pages": [join_page.pk],
        },
    )
    series = WelcomeSeries.objects.get(name="Petition signers")
    assert response.status_code == 302 and response.url == f"/mailings/welcome/{series.pk}/"

    refused = client.post(
        f"/mailings/welcome/{series.pk}/steps/new/",
        {
            "delay_days": 0,
            "delay_hours": 0,
            "subject": "Thanks",
            "html": "<p>Hello</p>\n<p>{{ frist_name }}</p>",
        },
    )
    assert refused.status_code == 200
    assert "HTML, line 2: unknown merge field &#x27;frist_name&#x27;" in refused.content.decode()
    assert not series.steps.exists()

    saved = client.post(
        f"/mailings/welcome/{series.pk}/steps/new/",
        {"delay_days": 2, "delay_hours": 0, "subject": "Thanks", "html": "<p>Hi</p>"},
    )
    assert saved.status_code == 302
    step = series.steps.get()
    assert (step.delay_days, step.mailing.subject, step.mailing.segment) == (2, "Thanks", None)

    client.post(f"/mailings/welcome/{series.pk}/activate/")
    series.refresh_from_db()
    assert series.is_active and series.activated_at is not None
    actions = list(
        AuditEvent.objects.filter(action="welcome_series").values_list("summary", flat=True)
    )
    assert "activated welcome series 'Petition signers'" in actions
    detail = client.get(f"/mailings/welcome/{series.pk}/").content.decode()
    assert "2 days after sign-up" in detail and "Active" in detail


def test_a_series_without_a_message_cannot_be_activated(persona_client, series_make):
    series = series_make(activate=False, steps=())
    client = persona_client("admin")
    response = client.post(f"/mailings/welcome/{series.pk}/activate/", follow=True)
    series.refresh_from_db()
    assert not series.is_active
    assert "Add a first message" in response.content.decode()


def test_the_series_page_counts_sent_opened_and_clicked_per_message(persona_client, series_make):
    series = series_make()
    first, second = series.steps.select_related("mailing")
    # Three sent: the first opened and clicked, the second opened, the third neither.
    hits = {0: ("open", "click"), 1: ("open",), 2: ()}
    for n, kinds in hits.items():
        person = person_make(f"r{n}@one.example")
        delivery = Delivery.objects.create(
            mailing=first.mailing, person=person, address=person.primary_email, state="sent"
        )
        engage = {"delivery": delivery, "mailing": first.mailing, "person": person}
        for kind in kinds:
            Engagement.objects.create(kind=kind, hit_class="human", **engage)
        # A privacy proxy's preload is no person's open.
        Engagement.objects.create(kind="open", hit_class="machine", **engage)
    page = persona_client("organizer").get(f"/mailings/welcome/{series.pk}/").content.decode()
    row = page.split(f'data-step="{first.pk}"')[1].split("</tr>")[0]
    figures = {
        name: row.split(f'data-figure="{name}">')[1].split("<")[0]
        for name in ("sent", "opened", "clicked")
    }
    assert figures == {"sent": "3", "opened": "2", "clicked": "1"}


def test_the_welcome_pages_are_for_roles_that_send_mailings(persona_client, series_make):
    series = series_make(activate=False)
    for role, allowed in (("admin", True), ("organizer", True), ("volunteer", False)):
        response = persona_client(role).get(f"/mailings/welcome/{series.pk}/")
        assert (response.status_code == 200) is allowed, role
    response = persona_client("volunteer").post(f"/mailings/welcome/{series.pk}/activate/")
    assert response.status_code in (302, 403)
    series.refresh_from_db()
    assert not series.is_active


def test_welcome_messages_stay_off_the_mailings_list_and_cannot_be_sent_as_mailings(
    persona_client, series_make
):
    series = series_make(activate=False)
    step = series.steps.first()
    client = persona_client("admin")
    assert step.mailing.subject not in client.get("/mailings/").content.decode()
    assert client.get(f"/mailings/{step.mailing_id}/").status_code == 404
    assert client.post(f"/mailings/{step.mailing_id}/send/").status_code == 404


def test_the_person_page_links_a_welcome_message_to_its_series(
    persona_client, smtp_sink, series_make, join_page
):
    from groundswell.mailings.welcome.services import welcome_process
    from groundswell.mailings.welcome.tests.conftest import sign_up

    series = series_make()
    person = sign_up(join_page, "jo@one.example", "Jo").person
    welcome_process()
    page = persona_client("organizer").get(f"/people/{person.pk}/").content.decode()
    assert f'href="/mailings/welcome/{series.pk}/">Welcome: New supporters · step 1</a>' in page


def test_a_message_nobody_was_sent_can_be_removed_and_a_sent_one_cannot(
    persona_client, series_make
):
    series = series_make(activate=False)
    first, second = series.steps.select_related("mailing")
    person = person_make("sent@one.example")
    Delivery.objects.create(
        mailing=first.mailing, person=person, address=person.primary_email, state="sent"
    )
    client = persona_client("admin")

    refused = client.post(
        f"/mailings/welcome/{series.pk}/steps/{first.pk}/delete/", follow=True
    ).content.decode()
    assert "This message went to 1 person" in refused
    client.post(f"/mailings/welcome/{series.pk}/steps/{second.pk}/delete/")

    assert list(series.steps.values_list("pk", flat=True)) == [first.pk]
    assert not Mailing.objects.filter(pk=second.mailing_id).exists()
    assert AuditEvent.objects.filter(summary__startswith="removed a step").count() == 1
