"""The A/B test page: describe the test, see the split, start it, read the decision with its
uncertainty; who may do what (dollars are finance data); hostile input is a 400, never a 500."""

from __future__ import annotations

import string

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from groundswell.accounts.models import AuditEvent
from groundswell.core.tests.hostile import SUITE
from groundswell.mailings.abtests.selectors import abtest_variants
from groundswell.mailings.abtests.tests.helpers import abtest_make, clicks_simulate, people_make
from groundswell.mailings.models import AbTest, AbTestState, MailingStatus

pytestmark = pytest.mark.django_db


def _form(**changes) -> dict:
    data = {
        "metric": "clicks",
        "test_percent": "50",
        "min_per_variant": "100",
        "wait_hours": "4",
        "send_on_decision": "on",
        "unsubscribe_percent": "1.00",
        "complaint_percent": "0.10",
        "b_subject": 'Last chance, {{ first_name|default:"Friend" }}',
        "b_sender": "",
        "b_html": "",
        "c_subject": "",
        "c_sender": "",
        "c_html": "",
        "d_subject": "",
        "d_sender": "",
        "d_html": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def organizer(organizer_user):
    client = Client()
    client.force_login(organizer_user)
    return client


@pytest.fixture
def admin(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_an_organizer_sets_up_starts_and_reads_a_test_with_its_intervals_and_decision(
    organizer, smtp_sink, mailing_make, django_capture_on_commit_callbacks
):
    people_make(400)
    mailing = mailing_make()
    url = reverse("mailings:abtest", args=[mailing.pk])
    page = organizer.get(url).content.decode()
    assert "sequential test" in page and "circuit breaker" in page
    response = organizer.post(url, _form())
    assert response.status_code == 302
    test = AbTest.objects.get(mailing=mailing)
    assert test.variants == [{"subject": 'Last chance, {{ first_name|default:"Friend" }}'}]
    page = organizer.get(url).content.decode()
    assert "about 200, 100 per variant" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = organizer.post(reverse("mailings:abtest_start", args=[mailing.pk]), {})
    assert response.status_code == 302
    test.refresh_from_db()
    assert test.state == AbTestState.TESTING
    assert len(smtp_sink.received) == 200
    clicks_simulate(abtest_variants(test=test)[0], 0.1, __import__("random").Random(1))
    page = organizer.get(url).content.decode()
    assert "No decision yet: still collecting" in page
    assert 'data-variant="A"' in page and 'data-variant="B"' in page
    assert "90% interval" in page and " – " in page
    assert AuditEvent.objects.filter(action="abtest_save").exists()
    assert AuditEvent.objects.filter(action="abtest_start").exists()
    # Started: the form is gone and the mailing cannot be edited or sent by itself.
    assert organizer.post(url, _form()).status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == MailingStatus.TESTING
    assert "Save the test" not in page


def test_only_finance_roles_may_test_on_dollars_or_see_a_dollar_tests_figures(
    organizer, admin, smtp_sink, mailing_make, django_capture_on_commit_callbacks, admin_user
):
    mailing = mailing_make()
    url = reverse("mailings:abtest", args=[mailing.pk])
    refused = organizer.post(url, _form(metric="dollars"))
    assert refused.status_code == 400
    assert not AbTest.objects.exists()
    assert admin.post(url, _form(metric="dollars")).status_code == 302
    people_make(40)
    test = AbTest.objects.get()
    from groundswell.mailings.abtests.services import abtest_start

    with django_capture_on_commit_callbacks(execute=True):
        abtest_start(test=test, actor=admin_user)
    as_organizer = organizer.get(url).content.decode()
    as_admin = admin.get(url).content.decode()
    assert "only finance roles see its figures" in as_organizer
    assert 'data-figure="mean"' not in as_organizer and "$" not in as_organizer
    assert 'data-figure="mean"' in as_admin and "$0.00" in as_admin


def test_a_volunteer_may_not_see_or_start_a_test(client, volunteer_user, mailing_make):
    mailing = mailing_make()
    client.force_login(volunteer_user)
    for name in ("abtest", "abtest_start", "abtest_cancel"):
        assert client.post(reverse(f"mailings:{name}", args=[mailing.pk])).status_code == 403


def test_an_unknown_merge_field_in_a_variant_is_refused_with_its_line(organizer, mailing_make):
    mailing = mailing_make()
    html = "<p>Hi</p>\n<p>{{ frist_name }}</p>"
    response = organizer.post(
        reverse("mailings:abtest", args=[mailing.pk]), _form(b_subject="", b_html=html)
    )
    assert response.status_code == 400
    assert "line 2: unknown merge field" in response.content.decode()


def test_variants_must_differ_from_a_and_from_each_other_and_come_in_order(organizer, mailing_make):
    mailing = mailing_make()
    url = reverse("mailings:abtest", args=[mailing.pk])
    same = organizer.post(url, _form(b_subject=mailing.subject))
    assert "This variant is the same as A." in same.content.decode()
    twice = organizer.post(url, _form(c_subject=_form()["b_subject"]))
    assert "repeats an earlier one" in twice.content.decode()
    gap = organizer.post(url, _form(b_subject="", d_subject="Other"))
    assert "in order" in gap.content.decode()
    assert {same.status_code, twice.status_code, gap.status_code} == {400}


def test_a_test_reaching_many_people_needs_the_number_typed_to_start(
    organizer, smtp_sink, mailing_make, settings, django_capture_on_commit_callbacks
):
    settings.GROUNDSWELL_MAILING_CONFIRM_ABOVE = 10
    people_make(30)
    mailing = mailing_make()
    abtest_make(mailing, min_per_variant=100)
    start = reverse("mailings:abtest_start", args=[mailing.pk])
    refused = organizer.post(start, {"confirmed": "29"})
    assert refused.status_code == 400
    assert "Type the number of recipients (30)" in refused.content.decode()
    assert AbTest.objects.get().state == AbTestState.DRAFT
    assert organizer.post(start, {"confirmed": "30"}).status_code == 302
    # The split waits for the worker (its task was enqueued on a commit this test's transaction
    # never makes): the periodic job deals out a test left starting.
    assert AbTest.objects.get().state == AbTestState.STARTING
    from groundswell.mailings.abtests.services import abtests_advance

    with django_capture_on_commit_callbacks(execute=True):
        abtests_advance()
    assert AbTest.objects.get().state == AbTestState.TESTING


def test_cancelling_a_test_makes_the_mailing_a_draft_that_reaches_only_the_rest(
    organizer, smtp_sink, mailing_make, django_capture_on_commit_callbacks, organizer_user
):
    from groundswell.mailings.recipients import recipients_summary

    people_make(40)
    mailing = mailing_make()
    test = abtest_make(mailing, min_per_variant=100)
    with django_capture_on_commit_callbacks(execute=True):
        organizer.post(reverse("mailings:abtest_start", args=[mailing.pk]), {})
    response = organizer.post(reverse("mailings:abtest_cancel", args=[mailing.pk]))
    assert response.status_code == 302
    test.refresh_from_db()
    mailing.refresh_from_db()
    assert test.state == AbTestState.CANCELLED
    assert mailing.status == MailingStatus.DRAFT
    assert recipients_summary(mailing=mailing)["recipients"] == 20
    assert AuditEvent.objects.filter(action="abtest_cancel", actor=organizer_user).exists()


_HYPOTHESIS = hypothesis_settings(
    parent=SUITE,
    max_examples=max(SUITE.max_examples // 20, 50),
    suppress_health_check=[*SUITE.suppress_health_check, HealthCheck.function_scoped_fixture],
)

_hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["\x00", "1e999999", "-1", "99999999999999999999", "NaN", "{{ x }}", "{%"]),
    st.text(alphabet=string.digits, max_size=25),
)


@_HYPOTHESIS
@given(data=st.data())
def test_any_hostile_test_form_is_refused_with_a_400_or_saved_never_a_500(
    organizer, mailing_make, data
):
    mailing = AbTest.objects.first().mailing if AbTest.objects.exists() else mailing_make()
    fields = _form()
    for name in data.draw(st.lists(st.sampled_from(sorted(fields)), max_size=5)):
        fields[name] = data.draw(_hostile_text)
    response = organizer.post(reverse("mailings:abtest", args=[mailing.pk]), fields)
    assert response.status_code in (302, 400), response.status_code
