import pytest
from django.urls import reverse

from groundswell.accounts.audit import audit_action_choices, audit_details_words
from groundswell.accounts.models import AuditEvent
from groundswell.accounts.services import audit_record
from groundswell.people.merge import person_merge
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def test_every_action_code_logged_anywhere_has_a_label_in_the_filter():
    codes = dict(audit_action_choices())
    for code in ("merge", "refund", "identity.goal_activate", "identity.run_request"):
        assert code in codes
        assert codes[code] and "_" not in codes[code] and "." not in codes[code]


def test_a_merge_reads_as_who_was_kept_and_what_moved_not_as_a_dict(persona_client, admin_user):
    kept = Person.objects.create(given_name="Odalys", family_name="Brennick")
    gone = Person.objects.create(given_name="Odalys", family_name="Brenick")
    gone.emails.create(address="odalys.b@example.org")
    person_merge(survivor=kept, merged=gone, actor=admin_user)
    event = AuditEvent.objects.get(action="merge")
    words = audit_details_words(event.action, event.details)
    assert words[0] == "Kept Odalys Brennick; merged in Odalys Brenick"
    assert "Moved: 1 e-mail address" in words
    page = persona_client("admin").get(reverse("accounts:audit")).content.decode()
    assert "Kept Odalys Brennick; merged in Odalys Brenick" in page
    assert "people.emailaddress" not in page and "{" not in page.split("<main", 1)[-1]


def test_money_in_details_reads_as_dollars_and_an_unknown_code_as_words(admin_user):
    audit_record(
        actor=admin_user,
        action="someapp.thing_done",
        summary="x",
        details={"amount_cents": 350000, "held": True, "states": ["PA", "OH"]},
    )
    event = AuditEvent.objects.get(action="someapp.thing_done")
    assert event.action_label == "Someapp thing done"
    assert event.details_words == ["Amount: $3,500.00", "Held: yes", "States: PA, OH"]


def test_the_filter_finds_an_action_registered_by_another_app(persona_client, admin_user):
    audit_record(actor=admin_user, action="identity.goal_activate", summary="Donor goal set")
    audit_record(actor=admin_user, action="identity.run_request", summary="Asked for a run")
    page = persona_client("admin").get(
        reverse("accounts:audit"), {"action": "identity.goal_activate"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "Donor goal set" in body and "Asked for a run" not in body
    assert "Donor goal chosen" in body
