"""`groundswell demo`: a demo campaign on the embedded database, served on 127.0.0.1:8000."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from tqdm import tqdm

from groundswell.accounts.models import User
from groundswell.demo.actions_activity import demo_submissions_seed
from groundswell.demo.actions_site import campaign_site_seed
from groundswell.demo.donations_seed import demo_contributions_seed
from groundswell.demo.identity_seed import demo_identity_seed
from groundswell.demo.mailings_seed import demo_mailings_seed
from groundswell.demo.people_seed import people_seed
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
        self.stdout.write(
            self.style.SUCCESS(
                f"\nThe campaign's public site: http://{bind}/\n"
                f"Staff: log in at http://{bind}/accounts/login/ as  admin / {password}\n"
                f"(also finance, organizer and volunteer, with the same password)\n"
            )
        )
        if not no_serve:
            call_command("serve", bind=bind, no_migrate=True)

    def _password(self) -> str:
        # Kept in the data folder so the printed login stays the same across demo runs.
        path = settings.DATA_DIR / "demo-password"
        if path.exists():
            return path.read_text().strip()
        password = "demo-" + secrets.token_urlsafe(9)
        path.write_text(password)
        path.chmod(0o600)
        return password
