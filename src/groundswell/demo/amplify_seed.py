"""The demo campaign's suggested posts, each staff account's link to them and a few weeks of
shares and clicks, so the Amplify pages and leaderboard have something to show. Idempotent:
a post already there by its words is left as it is."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from django.utils import timezone

from groundswell.accounts.models import User
from groundswell.analytics.amplify.models import LinkClick, Network, ShareEvent, SuggestedPost
from groundswell.analytics.amplify.services import post_save, share_link_for, share_record
from groundswell.analytics.amplify.targets import targets_available

DEMO_POSTS = [
    (
        "Clean water is not a luxury. Add your name and tell the county to fix our pipes.",
        "CleanWater",
    ),
    (
        "Small donors built this campaign. Chip in what you can before the deadline.",
        "PeoplePowered",
    ),
    ("Meet your neighbours, knock on a few doors, change a race. Sign up to volunteer.", ""),
]


def demo_amplify_seed(*, seed: int = 2026) -> int:
    """Seed the posts and their figures; returns how many posts were made."""
    targets = targets_available()
    organizer = User.objects.filter(role="organizer").order_by("pk").first()
    if not targets or organizer is None:
        return 0
    rng = random.Random(seed)
    made = 0
    for index, (text, tag) in enumerate(DEMO_POSTS):
        if SuggestedPost.objects.filter(text=text).exists():
            continue
        target = targets[(index + 1) % len(targets)]
        post = post_save(
            post=None,
            data={
                "text": text,
                "target_path": target.path,
                "target_label": target.label,
                "hashtags": tag,
                "networks": list(Network.values),
                "starts_at": timezone.now() - timedelta(days=21),
                "ends_at": None,
            },
            actor=organizer,
        )
        made += 1
        for user in User.objects.filter(is_active=True).order_by("pk"):
            _figures(share_link_for(post=post, user=user), rng)
    return made


def _figures(link, rng: random.Random) -> None:
    now = timezone.now()
    for _ in range(rng.randint(0, 6)):
        share_record(link=link, network=rng.choice(Network.values))
    clicks = []
    for n in range(rng.randint(0, 40)):
        at = now - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
        visitor = hashlib.sha256(f"demo|{link.code}|{n}".encode()).hexdigest()
        clicks.append(LinkClick(link=link, day=timezone.localdate(at), visitor=visitor, at=at))
    LinkClick.objects.bulk_create(clicks, ignore_conflicts=True)
    ShareEvent.objects.filter(link=link).update(at=now - timedelta(days=rng.randint(0, 20)))
