"""`groundswell demo`: a demo campaign on the embedded database, served on 127.0.0.1:8000."""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from groundswell.accounts.models import User
from groundswell.demo.actions_activity import demo_submissions_seed
from groundswell.demo.actions_site import campaign_site_seed, site_donate_page_seed
from groundswell.demo.amplify_seed import demo_amplify_seed
from groundswell.demo.donations_seed import demo_contributions_seed, demo_page_seed
from groundswell.demo.events_seed import demo_events_seed
from groundswell.demo.identity_seed import demo_identity_seed
from groundswell.demo.mailings_seed import demo_mailings_seed
from groundswell.demo.people_seed import people_seed
from groundswell.demo.segments_seed import demo_segments_seed
from groundswell.demo.stripe_test_mode import (
    TEST_CARD,
    LiveKeysRefused,
    StripeTestMode,
    stripe_test_mode_start,
)
from groundswell.people.models import Person

DEMO_USERS = [
    ("admin", "admin"),
    ("finance", "finance"),
    ("organizer", "organizer"),
    ("volunteer", "volunteer"),
]


class Command(BaseCommand):
    help = "Seed a demo campaign (about 10,000 supporters) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="seed and exit")
        parser.add_argument("--people", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--bind", default="127.0.0.1:8000")

    def handle(self, *args, no_serve, people, seed, bind, **options):
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if not Person.objects.exists():
            self.stdout.write(f"Seeding the demo campaign with {people:,} supporters…")
            with tqdm(total=people, unit="people") as bar:
                people_seed(count=people, seed=seed, progress=bar.update)
        else:
            self.stdout.write("The demo campaign is already seeded.")

        campaign_site_seed(seed=seed)
        demo_submissions_seed(seed=seed)
        demo_contributions_seed(seed=seed)
        site_donate_page_seed(slug=demo_page_seed().slug)
        demo_mailings_seed()

        self.stdout.write("Resolving the demo's donors into people (identity resolution)…")
        demo_identity_seed()
        password = self._password()
        for username, role in DEMO_USERS:
            user = User.objects.filter(username=username).first() or User(
                username=username, email=f"{username}@demo.example.org"
            )
            user.role = role
            user.is_active = True
            user.set_password(password)
            user.save()
        demo_segments_seed()
        demo_events_seed(seed=seed)
        demo_amplify_seed(seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nThe campaign's public site: http://{bind}/\n"
                f"Staff: log in at http://{bind}/accounts/login/ as  admin / {password}\n"
                f"(also finance, organizer and volunteer, with the same password)\n"
            )
        )
        if not no_serve:
            test_mode = self._test_mode(bind)
            try:
                call_command("serve", bind=bind, no_migrate=True, quiet=True)
            finally:
                test_mode.stop()

    def _test_mode(self, bind: str) -> StripeTestMode:
        """The demo's donation pages take test gifts: the server's processes inherit the mode."""
        try:
            test_mode = stripe_test_mode_start(bind=bind)
        except LiveKeysRefused as exc:
            raise CommandError(str(exc)) from None
        os.environ.update(test_mode.env)
        self.stdout.write(
            f"Donation pages run in TEST MODE ({test_mode.how}): no real money. Try a gift at "
            f"http://{bind}/donate/{demo_page_seed().slug}/ with the card {TEST_CARD}.\n"
        )
        return test_mode

    def _password(self) -> str:
        # Kept in the data folder so the printed login stays the same across demo runs.
        path = settings.DATA_DIR / "demo-password"
        if path.exists():
            return path.read_text().strip()
        password = "demo-" + secrets.token_urlsafe(9)
        path.write_text(password)
        path.chmod(0o600)
        return password
