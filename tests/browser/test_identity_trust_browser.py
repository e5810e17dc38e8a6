"""Trust in the donor pages, in a real headless Chromium: a resolution run's progress polled by
htmx under the staff CSP (stages, records, share done) until it finishes, "Resolve now" running
a real run, and the person page's "why linked" card for finance staff only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from groundswell.donations.models import Contribution, Processor
from groundswell.identity.models import IdentityModel, ResolutionRun
from groundswell.identity.services import identity_resolve
from groundswell.identity.tasks import progress_note
from groundswell.identity.tests.conftest import background, trained_model  # noqa: F401
from groundswell.identity.tests.helpers import finished_run
from groundswell.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def saved_model(trained_model):  # noqa: F811
    return IdentityModel.objects.create(
        backend="duckdb", settings_json=trained_model, trained_on_records=3000
    )


def _login(page, live_server, username: str, next_url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def _odalys() -> Person:
    odalys = Person.objects.create(
        given_name="Odalys", family_name="Fenwright", primary_email="odalys@example.org"
    )
    Contribution.objects.create(
        amount_cents=2700,
        received_at=datetime(2026, 3, 1, 17, tzinfo=UTC),
        processor=Processor.ACTBLUE,
        processor_id="TRUST-1",
        donor_given_name="Odalys",
        donor_family_name="Fenwright",
        donor_email="odalys@example.org",
        donor_postal_code="94110",
    )
    return odalys


def test_a_run_shows_its_progress_and_resolve_now_runs_again(
    page, live_server, make_user, saved_model
):
    make_user("finance", "fran")
    _odalys()
    finished_run()
    running = ResolutionRun.objects.create(
        started_at=timezone.now(),
        backend="duckdb",
        auto_link=0.99,
        review_floor=0.8,
        person_records=1,
        contribution_records=1,
    )
    for stage in ("Starting", "read", "normalise"):
        progress_note(stage)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    _login(page, live_server, "fran", "/identity/donors/")
    page.wait_for_selector("#run-progress[data-state=running]")
    assert page.get_attribute("[data-stage=normalise]", "data-status") == "done"
    assert page.get_attribute("[data-stage=collapse]", "data-status") == "current"
    assert page.inner_text("#run-records") == "2"
    first_percent = int(page.inner_text("#run-percent"))
    assert 0 < first_percent < 100

    # The page polls: the next stage appears without a reload.
    progress_note("collapse")
    page.wait_for_selector("[data-stage=collapse][data-status=done]", timeout=10_000)
    assert int(page.inner_text("#run-percent")) > first_percent

    # The run ends: the poll reloads the page, which offers to resolve again.
    running.status = ResolutionRun.Status.DONE
    running.finished_at = timezone.now()
    running.save()
    progress_note("Done")
    page.wait_for_selector("#resolve-now", timeout=10_000)
    assert page.locator("#run-progress").count() == 0

    # Resolve now: a real run over the campaign (tasks run in-process in tests).
    before = ResolutionRun.objects.filter(status=ResolutionRun.Status.DONE).count()
    page.click("#resolve-now button")
    page.wait_for_selector("#resolve-now")
    done = ResolutionRun.objects.filter(status=ResolutionRun.Status.DONE)
    assert done.count() == before + 1
    newest = done.order_by("-finished_at").first()
    assert f"run #{newest.pk}" in page.inner_text("#run-status")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_the_why_linked_card_is_shown_to_finance_and_not_to_an_organizer(
    page, live_server, make_user, saved_model
):
    make_user("finance", "fran")
    make_user("organizer", "oli")
    odalys = _odalys()
    identity_resolve()
    url = f"/people/{odalys.pk}/"

    _login(page, live_server, "fran", url)
    page.wait_for_selector("#why-linked")
    card = page.inner_text("#why-linked")
    assert "Same e-mail address" in card and "Gift #" in card

    page.context.clear_cookies()
    _login(page, live_server, "oli", url)
    page.wait_for_selector("h1")
    assert page.locator("#why-linked").count() == 0
