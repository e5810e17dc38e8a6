"""people.extensions: what other apps put on the person page and do after a merge."""

from __future__ import annotations

import pytest
from django.template import Template
from django.urls import reverse

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.people import extensions, merge
from groundswell.people.models import MergeRecord, Person
from groundswell.people.tests.factories import person_create


@pytest.fixture
def registries():
    """The registries as the apps left them, restored after the test adds to them."""
    panels, hooks = dict(extensions._panels), dict(extensions._merge_hooks)
    yield
    extensions._panels.clear()
    extensions._panels.update(panels)
    extensions._merge_hooks.clear()
    extensions._merge_hooks.update(hooks)


@pytest.fixture
def two(db):
    return (
        person_create(given_name="Ona", email="ona@example.org", state="NY"),
        person_create(given_name="Ona", email="ona.b@example.org", state="NY"),
    )


def test_the_apps_contribute_the_giving_and_referrals_cards():
    panels = extensions._panels
    assert panels["giving"].capability == FINANCE_VIEW
    assert panels["giving"].template == "donations/_person_giving.html"
    assert panels["referrals"].template == "actions/_person_referrals.html"
    assert {"donations", "identity"} <= set(extensions._merge_hooks)


def test_a_panel_is_built_only_for_roles_with_its_capability(persona_client, two, registries):
    built = []

    def context(*, request, person):
        built.append(request.user.username)
        return {"note": f"tally-for-{person.pk}"}

    extensions.person_panel_register(
        "tally",
        # include renders a Template object as it renders a template name.
        template=Template("<p>{{ panel.note }}</p>"),
        context=context,
        column="details",
        capability=FINANCE_VIEW,
    )
    person = two[0]
    organizer = persona_client("organizer")
    page = organizer.get(reverse("people:detail", args=[person.pk]))
    assert page.status_code == 200 and f"tally-for-{person.pk}" not in page.content.decode()
    assert built == []
    finance = persona_client("finance")
    page = finance.get(reverse("people:detail", args=[person.pk]))
    assert f"tally-for-{person.pk}" in page.content.decode()
    assert len(built) == 1


def test_a_panel_in_an_unknown_column_is_refused(registries):
    with pytest.raises(ValueError, match="no column"):
        extensions.person_panel_register(
            "lost", template="x.html", context=lambda **_: {}, column="footer"
        )


def test_merge_hooks_run_for_the_merge_and_for_its_undo(two, registries):
    calls = []
    extensions.merge_hook_register(
        "probe",
        after_merge=lambda *, record, actor, ip_address: calls.append(("merge", record.pk)),
        after_undo=lambda *, record, actor, ip_address: calls.append(("undo", record.pk)),
    )
    record = merge.person_merge(survivor=two[0], merged=two[1], ip_address="192.0.2.8")
    merge.person_merge_undo(record=record)
    assert calls == [("merge", record.pk), ("undo", record.pk)]


def test_a_failing_hook_rolls_the_whole_merge_back(two, registries):
    def broken(**_):
        raise RuntimeError("recount failed")

    extensions.merge_hook_register("broken", after_merge=broken)
    with pytest.raises(RuntimeError):
        merge.person_merge(survivor=two[0], merged=two[1])
    assert not MergeRecord.objects.exists()
    assert Person.objects.get(pk=two[1].pk).merged_into_id is None
