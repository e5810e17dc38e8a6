"""Best efforts: the queue, one follow-up e-mail per gift, and the donor's answer page."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.donations.compliance.best_efforts import (
    best_efforts_answer,
    best_efforts_email_send,
    best_efforts_queue,
    best_efforts_send,
)
from groundswell.donations.compliance.tests.fixtures import donor, gift, rule_2026
from groundswell.donations.models import BestEffortsRequest

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture(autouse=True)
def rules():
    rule_2026()


def itemizable(days=3, **kw):
    """A donor past $200 this cycle whose latest gift lacks an occupation."""
    who = donor(**kw)
    first = gift(15_000, who, when=ago(days + 1))
    second = gift(10_000, {**who, "occupation": ""}, when=ago(days))
    return first, second


def send(ids, user, capture):
    with capture(execute=True):
        return best_efforts_send(contribution_ids=ids, user=user, base_url="http://testserver/")


def test_the_queue_holds_itemized_gifts_missing_employer_or_occupation():
    _, missing = itemizable()
    gift(5_000, donor(occupation=""), when=ago(2))  # under $200: not itemized
    complete = donor()
    gift(30_000, complete, when=ago(2))  # itemized, nothing missing
    assert [c.pk for c in best_efforts_queue(state="not_asked")] == [missing.pk]


def test_a_follow_up_is_e_mailed_once(finance_user, django_capture_on_commit_callbacks):
    _, missing = itemizable()
    result = send([missing.pk], finance_user, django_capture_on_commit_callbacks)
    assert result.queued == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [missing.donor_email]
    assert "best efforts" in message.body
    request = BestEffortsRequest.objects.get(contribution=missing)
    assert request.sent_at and len(request.token) >= 40
    assert f"/donor-info/{request.token}/" in message.body
    # Asked again (another click, another staff member): nothing more is sent.
    again = send([missing.pk], finance_user, django_capture_on_commit_callbacks)
    assert again.queued == 0 and again.skipped
    best_efforts_email_send.call(request_ids=[request.pk], base_url="http://testserver")
    assert len(mail.outbox) == 1
    assert [c.pk for c in best_efforts_queue(state="asked")] == [missing.pk]
    assert AuditEvent.objects.filter(action="best_efforts").count() == 1


def test_no_follow_up_after_30_days_or_without_an_e_mail(
    finance_user, django_capture_on_commit_callbacks
):
    _, late = itemizable(days=31)
    _, no_email = itemizable(email="", phone="614-555-0142")
    result = send([late.pk, no_email.pk], finance_user, django_capture_on_commit_callbacks)
    assert result.queued == 0
    assert set(result.skipped) == {"more than 30 days since the gift", "no e-mail address"}
    assert mail.outbox == []


def test_the_answer_page_fills_the_donors_gifts_and_person(
    client, finance_user, django_capture_on_commit_callbacks
):
    first, missing = itemizable()
    older = gift(1_000, {**donor(), "email": missing.donor_email, "employer": ""}, when=ago(9))
    send([missing.pk], finance_user, django_capture_on_commit_callbacks)
    link = re.search(r"http://testserver(/donor-info/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "best efforts" in page.content.decode()
    response = client.post(link, {"employer": "Example Clinic", "occupation": "Nurse"})
    assert response.status_code == 302
    missing.refresh_from_db()
    first.refresh_from_db()
    older.refresh_from_db()
    assert missing.donor_occupation == "Nurse"
    # What the donor gave with an earlier gift is kept; only what was missing is filled.
    assert first.donor_occupation == "Teacher"
    assert older.donor_employer == "Example Clinic"
    missing.person.refresh_from_db()
    assert (missing.person.employer, missing.person.occupation) == ("Example Clinic", "Nurse")
    assert BestEffortsRequest.objects.get(contribution=missing).answered_at
    assert [c.pk for c in best_efforts_queue(state="answered")] == [missing.pk]
    assert "Thank you" in client.get(link).content.decode()


def test_the_answer_page_needs_both_answers(
    client, finance_user, django_capture_on_commit_callbacks
):
    _, missing = itemizable()
    send([missing.pk], finance_user, django_capture_on_commit_callbacks)
    token = BestEffortsRequest.objects.get().token
    url = reverse("donor_info:answer", args=[token])
    response = client.post(url, {"employer": "Example Clinic", "occupation": ""})
    assert response.status_code == 400
    missing.refresh_from_db()
    assert missing.donor_occupation == ""


def test_an_unknown_link_is_not_found(client):
    assert client.get("/donor-info/not-a-real-token-at-all-0000/").status_code == 404


def test_staff_record_an_answer_given_by_phone(persona_client):
    _, missing = itemizable(email="")
    client = persona_client("finance")
    url = reverse("donations:best_efforts_record", args=[missing.pk])
    response = client.post(url, {"employer": "Self-employed", "occupation": "Carpenter"})
    assert response.status_code == 302
    missing.refresh_from_db()
    assert missing.donor_occupation == "Carpenter"
    assert BestEffortsRequest.objects.get(contribution=missing).answered_at
    assert AuditEvent.objects.filter(action="best_efforts").count() == 1


def test_the_queue_page_sends_the_chosen_follow_ups(
    persona_client, django_capture_on_commit_callbacks
):
    _, missing = itemizable()
    client = persona_client("admin")
    page = client.get(reverse("donations:best_efforts")).content.decode()
    assert f'value="{missing.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("donations:best_efforts"), {"contribution": [missing.pk]})
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_only_finance_roles_send_follow_ups(organizer_user):
    _, missing = itemizable()
    with pytest.raises(Exception, match="role"):
        best_efforts_send(contribution_ids=[missing.pk], user=organizer_user, base_url="/")
    with pytest.raises(Exception, match="role"):
        best_efforts_answer(contribution=missing, employer="a", occupation="b", user=organizer_user)


def test_the_queue_lists_what_can_be_acted_on_first(persona_client, monkeypatch):
    from groundswell.donations.compliance import views as views_compliance

    monkeypatch.setattr(views_compliance, "PER_PAGE", 4)
    late = [itemizable(days=31 + i)[1] for i in range(6)]  # past the window: older, listed last
    _, no_email = itemizable(days=5, email="", phone="614-555-0142")
    emailable = [itemizable(days=d)[1] for d in (20, 2, 29)]
    expected = [
        emailable[2],
        emailable[0],
        emailable[1],
        no_email,
        *sorted(late, key=lambda c: c.received_at),
    ]
    assert [c.pk for c in best_efforts_queue(state="not_asked")] == [c.pk for c in expected]
    html = persona_client("finance").get(reverse("donations:best_efforts")).content.decode()
    # Page 1 can be acted on: every gift that may still be e-mailed is there, ready to send.
    chosen = [int(pk) for pk in re.findall(r'name="contribution" value="(\d+)"', html)]
    assert chosen == [c.pk for c in expected[:3]]
    assert "E-mail the chosen donors" in html and "too late to e-mail" not in html
