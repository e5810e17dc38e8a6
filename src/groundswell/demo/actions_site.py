"""The demo campaign's public site: a fictional candidate, a platform and four action pages."""

from __future__ import annotations

from django.db import transaction
from faker import Faker

from groundswell.actions.models import ActionPage, IssuePosition
from groundswell.actions.services import site_get

POSITIONS = [
    (
        "healthcare",
        "Health care you can count on",
        "Nobody in our district should skip a doctor's visit because of the cost.",
        "Too many families here choose between a prescription and the electric bill. We will "
        "cap out-of-pocket costs for insulin and inhalers, and keep rural clinics open.\n\n"
        "Community health centres are the front door to care for a third of the district. "
        "We will fight for the multi-year funding they need to hire and keep nurses.",
    ),
    (
        "good-jobs",
        "Good jobs and fair wages",
        "A full-time job should pay enough to raise a family.",
        "We support a living wage, the freedom to form a union, and apprenticeships that "
        "lead to careers, not dead ends.\n\n"
        "Public money spent in the district should hire people from the district.",
    ),
    (
        "clean-water",
        "Clean water and a livable climate",
        "Every tap in the district should run with safe water.",
        "We will replace the last lead service lines within five years, and protect the river "
        "that gives us our drinking water.\n\n"
        "The jobs of the energy transition should be built here: weatherization, solar on "
        "public buildings and a modern grid.",
    ),
    (
        "housing",
        "Homes people can afford",
        "Rents have outrun wages; we will build our way out.",
        "We will back zoning reform near transit, tenant protections against sudden rent "
        "spikes, and down-payment help for first-time buyers.",
    ),
    (
        "schools",
        "Strong public schools",
        "Every child deserves a great public school close to home.",
        "Fully funded schools, fairly paid teachers, free school meals and universal pre-K.\n\n"
        "We will stand against any plan that drains public money from public classrooms.",
    ),
]


def campaign_site_seed(*, seed: int = 2026) -> dict[str, int]:
    """Create the demo site, platform and pages; run it again and nothing is duplicated.

    Staff edits survive a re-run: existing rows are left as they are.
    """
    fake = Faker("en_US")
    fake.seed_instance(seed)
    candidate = f"{fake.first_name_female()} {fake.last_name()}"
    town = fake.city()
    created = {"positions": 0, "pages": 0}
    with transaction.atomic():
        site = site_get()
        if not site.candidate_name:  # still the defaults: nobody has edited the site yet
            site.name = f"{candidate} for Congress"
            site.candidate_name = candidate
            site.tagline = "People-powered. No corporate PAC money."
            site.paid_for_by = f"Paid for by {candidate} for Congress"
            site.primary_color = "#1f4e79"
            site.accent_color = "#f2b134"
            site.home_headline = "A district that works for everyone"
            site.home_intro = (
                f"{candidate} is a nurse, a neighbour and a first-time candidate running to "
                "put working families first.\n\nThis campaign is powered by people, not "
                "corporations. Add your name and tell us how you want to help."
            )
            site.bio = (
                f"{candidate} grew up in {town}, the daughter of a bus driver and a school "
                "cafeteria worker. She put herself through nursing school working nights, and "
                "has spent twenty years in the emergency room of the county hospital.\n\n"
                "When the maternity ward closed and families had to drive an hour to deliver a "
                "baby, she organised her colleagues and neighbours to win it back. That fight "
                "taught her that ordinary people, organised, can beat big money.\n\n"
                "She lives with her partner, two teenagers and a very old dog."
            )
            site.save()

        for order, (slug, title, summary, body) in enumerate(POSITIONS):
            _, made = IssuePosition.objects.get_or_create(
                slug=slug,
                defaults={"title": title, "summary": summary, "body": body, "order": order},
            )
            created["positions"] += made

        for slug, defaults in _pages(candidate).items():
            _, made = ActionPage.objects.get_or_create(slug=slug, defaults=defaults)
            created["pages"] += made
    return created


def site_donate_page_seed(*, slug: str) -> None:
    """Make the demo's donation page the site's default, so every public page offers a way to
    give; a default staff chose since is kept."""
    site = site_get()
    if not site.donate_page:
        site.donate_page = slug
        site.save(update_fields=["donate_page", "updated_at"])


def _pages(candidate: str) -> dict[str, dict]:
    first = candidate.split()[0]
    return {
        "join": {
            "kind": ActionPage.Kind.SIGNUP,
            "title": "Join the campaign",
            "headline": f"Join {first}'s campaign",
            "intro": "Get news from the campaign and be the first to hear about events near you.",
            "button_text": "Count me in",
            "thank_you": "Welcome aboard! Check your inbox for a note from the team.",
            "fields": {
                "given_name": "required",
                "family_name": "optional",
                "postal_code": "required",
            },
            "tags": ["signup"],
            "autoresponse_subject": "Welcome to the campaign",
            "autoresponse_body": (
                "Hi {first_name},\n\nThank you for joining us. We will be in touch soon with "
                f"ways to help.\n\n— Team {first}"
            ),
        },
        "fund-our-schools": {
            "kind": ActionPage.Kind.PETITION,
            "title": "Petition: fund our schools",
            "headline": "Fund our public schools",
            "intro": "Our schools have lost a tenth of their budget in five years. Tell the "
            "legislature to restore it.",
            "button_text": "Sign the petition",
            "thank_you": "Your name is on it. We will deliver every signature to the statehouse.",
            "fields": {
                "given_name": "required",
                "family_name": "required",
                "postal_code": "required",
            },
            "tags": ["petition: schools"],
            "petition_text": (
                "To the State Legislature:\n\nRestore full funding to our public schools, "
                "pay teachers fairly, and guarantee free school meals for every child."
            ),
            "goal": 5000,
        },
        "get-involved": {
            "kind": ActionPage.Kind.PARTICIPATION,
            "title": "Get involved",
            "headline": "Be part of the campaign",
            "intro": "Campaigns are won by people talking to people. Pick as many ways as you "
            "like; an organizer will get in touch.",
            "button_text": "I'm in",
            "thank_you": "An organizer near you will be in touch this week.",
            "fields": {
                "given_name": "required",
                "family_name": "required",
                "mobile_phone": "optional",
                "postal_code": "required",
            },
            "tags": ["volunteer prospect"],
        },
        "newsletter": {
            "kind": ActionPage.Kind.NEWSLETTER,
            "title": "Newsletter pop-up",
            "headline": "Get the weekly update",
            "intro": "One e-mail a week: what we did, what is next, and how you can help.",
            "button_text": "Subscribe",
            "thank_you": "You're subscribed. Welcome!",
            "fields": {"given_name": "optional"},
            "tags": ["newsletter"],
            "trigger": ActionPage.Trigger.DELAY,
            "trigger_value": 8,
        },
    }
