"""The demo campaign's saved segments: the lists staff would build first, through the
segments service (audited, checked like any definition). Idempotent: a segment already there
by name is left as it is."""

from __future__ import annotations

from groundswell.accounts.models import User
from groundswell.segments.models import Segment
from groundswell.segments.services import segment_create

DEMO_SEGMENTS = [
    (
        "Subscribed donors in PA, OH, MI who have not given in 30 days",
        "The lapsing donors of three battleground states: the first ask of a mailing.",
        {
            "op": "and",
            "items": [
                {"kind": "state", "states": ["PA", "OH", "MI"]},
                {"kind": "email_status", "statuses": ["subscribed"]},
                {"kind": "gift_count", "min": 1},
                {"kind": "last_gift", "when": "not_within", "days": 30},
            ],
        },
    ),
    (
        "Volunteers near Philadelphia",
        "Tagged volunteer, canvasser or phonebanker within 25 miles of City Hall.",
        {
            "op": "and",
            "items": [
                {"kind": "tags_any", "tags": ["canvasser", "phonebanker", "volunteer"]},
                {"kind": "distance", "zip": "19107", "miles": 25},
            ],
        },
    ),
    (
        "Petition signers who have never given",
        "Signed a petition and have no gift: a first-gift ask.",
        {
            "op": "and",
            "items": [
                {
                    "op": "or",
                    "items": [
                        {"kind": "action_kind", "page_kind": "petition"},
                        {"kind": "tag", "tag": "petition-signer"},
                    ],
                },
                {"kind": "gift_count", "max": 0},
                {
                    "op": "or",
                    "negate": True,
                    "items": [
                        {"kind": "email_status", "statuses": ["unsubscribed", "bouncing"]},
                    ],
                },
            ],
        },
    ),
    (
        "Recurring donors",
        "Everyone with an active monthly or weekly gift.",
        {"op": "and", "items": [{"kind": "recurring", "which": "active"}]},
    ),
]


def demo_segments_seed() -> int:
    """Save the demo's segments (as the demo's admin when there is one); returns how many."""
    actor = User.objects.filter(role="admin").order_by("pk").first()
    made = 0
    for name, description, definition in DEMO_SEGMENTS:
        if Segment.objects.filter(name=name).exists():
            continue
        segment_create(name=name, description=description, definition=definition, actor=actor)
        made += 1
    return made
