"""axe-core over the demo campaign: every public page and the staff pages an admin works in,
at a desktop's and a phone's width, with no accessibility violation.

Every browser test is checked by the `axe_on_every_page` fixture (src/groundswell/conftest.py);
this test makes sure the pages no other test opens are checked too, with the demo's data in them.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from groundswell.actions.models import ActionPage
from groundswell.donations.models import Contribution, DonationPage
from groundswell.identity.models import ThresholdRuleSet
from groundswell.mailings.models import Mailing, WelcomeSeries
from groundswell.people.models import ImportJob, Person
from groundswell.segments.models import Segment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def demo(settings, tmp_path):
    """The demo campaign as `groundswell demo` seeds it, with fewer supporters."""
    settings.DATA_DIR = tmp_path
    call_command("demo", no_serve=True, people=300, stdout=io.StringIO())
    return (tmp_path / "demo-password").read_text().strip()


def _public_urls() -> list[str]:
    actions = ActionPage.objects.filter(published=True).values_list("slug", flat=True)
    donations = DonationPage.objects.filter(is_published=True).values_list("slug", flat=True)
    return [
        "/",
        "/about/",
        "/platform/",
        *(f"/a/{slug}/" for slug in actions),
        *(f"/a/{slug}/thanks/" for slug in actions),
        *(f"/donate/{slug}/" for slug in donations),
        *(f"/donate/{slug}/thanks/" for slug in donations),
        "/a/no-such-page/",  # the not-found page
        "/u/not-a-real-token",  # an unsubscribe link that no longer works
        "/accounts/login/",
    ]


def _staff_urls() -> list[str]:
    donor = Person.objects.get(pk=Contribution.objects.order_by("pk").values("person_id")[:1])
    action = ActionPage.objects.order_by("pk").first()
    donation_page = DonationPage.objects.order_by("pk").first()
    goal = ThresholdRuleSet.objects.order_by("-active", "pk").first()
    urls = [
        "/home/",
        "/people/",
        f"/people/{donor.pk}/",
        f"/people/{donor.pk}/edit/",
        "/people/imports/",
        "/people/imports/new/",
        "/finance/",
        "/finance/contributions/",
        "/finance/other-receipts/",
        "/finance/holds/",
        "/finance/best-efforts/",
        "/finance/offline/new/",
        "/finance/rules/",
        "/finance/recurring/",
        "/finance/webhooks/",
        "/finance/pages/",
        f"/finance/pages/{donation_page.pk}/",
        f"/finance/pages/{donation_page.pk}/edit/",
        "/identity/",
        "/identity/donors/",
        "/identity/review/",
        "/identity/goals/",
        "/identity/goals/new/",
        f"/identity/goals/{goal.slug}/",
        f"/identity/goals/{goal.slug}/edit/",
        "/segments/",
        "/segments/new/",
        "/mailings/",
        "/mailings/new/",
        "/mailings/senders/",
        "/mailings/welcome/",
        "/pages/",
        f"/pages/{action.pk}/",
        f"/pages/{action.pk}/edit/",
        f"/pages/{action.pk}/submissions/",
        "/pages/site/",
        "/pages/platform/",
        "/accounts/audit/",
        "/accounts/users/",
        "/accounts/users/new/",
        "/api/keys/",
        "/api/v2/docs/",
    ]
    urls += [f"/segments/{pk}/" for pk in Segment.objects.values_list("pk", flat=True)[:2]]
    listed = Mailing.objects.filter(welcome_step__isnull=True).values_list("pk", flat=True)
    urls += [f"/mailings/{pk}/" for pk in listed[:2]]
    tested = Mailing.objects.filter(abtest__isnull=False).values_list("pk", flat=True)
    urls += [f"/mailings/{pk}/abtest/" for pk in tested[:1]]
    series = WelcomeSeries.objects.values_list("pk", flat=True)
    urls += [f"/mailings/welcome/{pk}/" for pk in series[:1]]
    urls += [f"/people/{donor.pk}/remove/"]
    urls += [f"/people/imports/{pk}/" for pk in ImportJob.objects.values_list("pk", flat=True)[:1]]
    return urls


def test_every_public_page_and_the_staff_pages_pass_axe_on_a_desktop_and_a_phone(
    page, live_server, demo, axe_on_every_page
):
    public, staff = _public_urls(), _staff_urls()
    for size in VIEWPORTS.values():
        page.set_viewport_size(size)
        for url in public:
            page.goto(f"{live_server.url}{url}")  # axe_on_every_page checks each page
    page.goto(f"{live_server.url}/accounts/login/?next=/people/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", demo)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/people/")
    for size in VIEWPORTS.values():
        page.set_viewport_size(size)
        for url in staff:
            response = page.goto(f"{live_server.url}{url}")
            assert response.ok, f"{url} answered {response.status}"
    # Every page above was checked (a watch that checked nothing would pass any page).
    assert axe_on_every_page.pages_checked >= 2 * (len(public) + len(staff))
