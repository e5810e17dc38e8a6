import pytest

from groundswell.actions.services import site_get
from groundswell.demo.mailings_seed import demo_mailings_seed
from groundswell.mailings.recipients import recipients_summary
from groundswell.mailings.services import mailing_send
from groundswell.mailings.tests.conftest import person_make

pytestmark = pytest.mark.django_db


def test_the_demo_mailing_is_ready_to_send_to_subscribed_ohioans_and_seeding_twice_is_harmless(
    admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    site = site_get()
    site.paid_for_by = "Paid for by Demo for Congress"
    site.save()
    person_make("oh@one.example", state="OH")
    person_make("pa@one.example", state="PA")
    person_make("gone@one.example", "unsubscribed", state="OH")
    mailing = demo_mailings_seed()
    assert demo_mailings_seed().pk == mailing.pk
    assert recipients_summary(mailing=mailing)["recipients"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        mailing_send(mailing=mailing, actor=admin_user, base_url="http://127.0.0.1:8000")
    assert [m.to for m in mailoutbox] == [["oh@one.example"]]


def test_the_demo_welcome_series_activates_and_greets_a_new_sign_up(admin_user, mailoutbox):
    from groundswell.mailings.welcome.models import WelcomeSeries
    from groundswell.mailings.welcome.services import series_control, welcome_process
    from groundswell.mailings.welcome.tests.conftest import page_make, sign_up

    site = site_get()
    site.paid_for_by = "Paid for by Demo for Congress"
    site.save()
    demo_mailings_seed()
    demo_mailings_seed()
    series = WelcomeSeries.objects.get()
    assert series.steps.count() == 3 and not series.is_active
    series_control(
        series=series, action="activate", actor=admin_user, base_url="http://127.0.0.1:8000"
    )
    sign_up(page_make("demo-join"), "new@one.example", "Noor")
    welcome_process()
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["new@one.example"], "Welcome aboard, Noor")
    ]
