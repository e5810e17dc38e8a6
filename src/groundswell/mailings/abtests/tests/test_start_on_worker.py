"""Starting an A/B test: the request checks and hands over, the task worker deals the split out
and sends the variants in one transaction — a worker killed half-way leaves nothing written and
the periodic job finishes the start; a start that can no longer happen says why on the page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from groundswell.mailings import services as mailing_services
from groundswell.mailings.abtests.services import abtest_split, abtests_advance
from groundswell.mailings.abtests.tests.helpers import abtest_make, people_make
from groundswell.mailings.models import (
    AbTest,
    AbTestMember,
    AbTestState,
    Delivery,
    Mailing,
    MailingStatus,
)

pytestmark = pytest.mark.django_db

PEOPLE = 40


@pytest.fixture
def organizer(organizer_user):
    client = Client()
    client.force_login(organizer_user)
    return client


def _start(client, mailing):
    """Press "Start the test" (the split's task waits for a commit this test never makes)."""
    response = client.post(reverse("mailings:abtest_start", args=[mailing.pk]), {})
    assert response.status_code == 302
    return AbTest.objects.get(mailing=mailing)


def test_the_request_only_hands_over_and_the_page_polls_until_the_worker_is_done(
    organizer, smtp_sink, mailing_make, django_capture_on_commit_callbacks
):
    people_make(PEOPLE)
    mailing = mailing_make()
    abtest_make(mailing)
    test = _start(organizer, mailing)
    assert test.state == AbTestState.STARTING
    assert not AbTestMember.objects.exists()
    assert Mailing.objects.get(pk=mailing.pk).status == MailingStatus.TESTING
    page = organizer.get(reverse("mailings:abtest", args=[mailing.pk]))
    body = page.content.decode()
    assert 'data-state="starting"' in body and "every 3s" in body
    # While it starts, a poll gets the card back; no refresh is asked for.
    poll = organizer.get(reverse("mailings:abtest", args=[mailing.pk]), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in poll and 'data-state="starting"' in poll.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert abtest_split(test_id=test.pk).startswith("started")
    test.refresh_from_db()
    assert test.state == AbTestState.TESTING and test.deadline_at is not None
    assert AbTestMember.objects.filter(test=test).count() == PEOPLE * test.test_percent // 100
    poll = organizer.get(reverse("mailings:abtest", args=[mailing.pk]), HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"
    # Dealing it out again does nothing more.
    assert abtest_split(test_id=test.pk).startswith("not starting")
    assert AbTestMember.objects.filter(test=test).count() == PEOPLE * test.test_percent // 100


def test_a_worker_killed_half_way_leaves_nothing_written_and_the_periodic_job_finishes(
    organizer, smtp_sink, mailing_make, django_capture_on_commit_callbacks, monkeypatch
):
    people_make(PEOPLE)
    mailing = mailing_make()
    abtest_make(mailing, variants=[{"subject": "B"}, {"subject": "C"}])
    test = _start(organizer, mailing)
    sent = []
    real_send = mailing_services.mailing_send

    def dies_on_the_second(**kwargs):
        if sent:
            raise SystemExit("killed")  # what the transaction sees of a killed process
        sent.append(kwargs["mailing"].pk)
        return real_send(**kwargs)

    monkeypatch.setattr(mailing_services, "mailing_send", dies_on_the_second)
    with pytest.raises(SystemExit):
        abtest_split(test_id=test.pk)
    test.refresh_from_db()
    assert test.state == AbTestState.STARTING
    assert not AbTestMember.objects.exists()
    assert not Mailing.objects.filter(parent=mailing).exists()
    assert not Delivery.objects.exists()

    monkeypatch.setattr(mailing_services, "mailing_send", real_send)
    with django_capture_on_commit_callbacks(execute=True):
        done = abtests_advance()
    assert done[test.pk].startswith("started")
    test.refresh_from_db()
    assert test.state == AbTestState.TESTING
    variants = Mailing.objects.filter(parent=mailing)
    assert variants.count() == 3
    assert set(variants.values_list("status", flat=True)) <= {
        MailingStatus.SENDING,
        MailingStatus.SENT,
    }
    members = AbTestMember.objects.filter(test=test)
    assert members.count() == members.values("person").distinct().count() == PEOPLE // 2


def test_a_start_the_worker_cannot_make_is_a_draft_again_with_the_reason_on_the_page(
    organizer, organizer_user, smtp_sink, mailing_make
):
    people_make(PEOPLE)
    mailing = mailing_make()
    abtest_make(mailing)
    test = _start(organizer, mailing)
    # Between the click and the worker, the starter's role changes to one that may not send.
    organizer_user.role = "volunteer"
    organizer_user.save()
    assert abtest_split(test_id=test.pk).startswith("could not start")
    test.refresh_from_db()
    assert test.state == AbTestState.DRAFT and "may not send" in test.start_error
    assert Mailing.objects.get(pk=mailing.pk).status == MailingStatus.DRAFT
    assert not AbTestMember.objects.exists()
    organizer_user.role = "organizer"
    organizer_user.save()
    body = organizer.get(reverse("mailings:abtest", args=[mailing.pk])).content.decode()
    assert "could not start" in body and "may not send" in body
    # Started again, the reason goes.
    test = _start(organizer, mailing)
    assert test.state == AbTestState.STARTING and test.start_error == ""


def test_a_test_still_starting_can_be_cancelled_and_the_worker_then_does_nothing(
    organizer, smtp_sink, mailing_make
):
    people_make(PEOPLE)
    mailing = mailing_make()
    abtest_make(mailing)
    test = _start(organizer, mailing)
    response = organizer.post(reverse("mailings:abtest_cancel", args=[mailing.pk]))
    assert response.status_code == 302
    test.refresh_from_db()
    assert test.state == AbTestState.CANCELLED
    assert Mailing.objects.get(pk=mailing.pk).status == MailingStatus.DRAFT
    assert abtest_split(test_id=test.pk).startswith("not starting")
    assert not AbTestMember.objects.exists()
