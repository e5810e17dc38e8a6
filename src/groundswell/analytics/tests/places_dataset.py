"""The hand-computed campaign of ``dataset.py`` (every gift in Vermont, January and February
2026) with a March of donors elsewhere, for the donors-by-place figures. ``world_build``'s own
figures are untouched: these gifts are March 2026's, and only the places tests build them.

  h1  Pia (P1) moves: $30.00 from NH, ZIP 03301            Mar 5   → Pia counts in NH
  h2  Sam Roe  $12.00, state "New York", ZIP 10001          Mar 2
  h3  Sam Roe  $4.00, no state, ZIP 10001                   Mar 20  → Sam stays in NY, ZIP3 100
  h4  Tia Vu   $8.00, state " ny ", ZIP 10002-1234          Mar 3   → NY, ZIP3 100
  h5  Uma Wex  $5.00, no state, no ZIP                      Mar 4   → no state
  h6  Val Yu   $6.00, state "ZZ", ZIP "9021"                Mar 4   → no state, no ZIP3
  h7  Rafe (P2) $1.00 from VT, ZIP 05401                    Mar 6
  h8  Rafe (P2) $90.00 from CA, refunded in full            Mar 10  → counts nothing: Rafe in VT

January 1 – March 31, 2026: donors VT 2 (Rafe, Carol), NH 1 (Pia), NY 2 (Sam, Tia), no state 2
(Uma, Val); net by each gift's state: VT 10,800 (g1 1,000 + g2 2,000 + g3 5,000 + g4 2,000 +
g5 700 + h7 100), NH 3,000, NY 2,000, none 1,500 (h3, h5, h6); 17,300 in all.
ZIP3 (latest gift with a 5-digit ZIP): 054 Rafe, Carol; 100 Sam, Tia; 033 Pia; no ZIP Uma, Val.
"""

from __future__ import annotations

from datetime import UTC, datetime

from groundswell.analytics.tests.dataset import gift, world_build
from groundswell.donations.models import Contribution, ContributionStatus


def _march(day: int) -> datetime:
    return datetime(2026, 3, day, 16, tzinfo=UTC)


def places_world_build() -> dict:
    world = world_build()
    p1, p2 = world["p1"], world["p2"]
    added = {
        "h1": gift(_march(5), 3000, "Pia", "Lund", person=p1),
        "h2": gift(_march(2), 1200, "Sam", "Roe"),
        "h3": gift(_march(20), 400, "Sam", "Roe"),
        "h4": gift(_march(3), 800, "Tia", "Vu"),
        "h5": gift(_march(4), 500, "Uma", "Wex"),
        "h6": gift(_march(4), 600, "Val", "Yu"),
        "h7": gift(_march(6), 100, "Rafe", "Quill", person=p2),
        "h8": gift(
            _march(10),
            9000,
            "Rafe",
            "Quill",
            person=p2,
            refunded_cents=9000,
            status=ContributionStatus.REFUNDED,
        ),
    }
    # dataset.gift writes every donor in Vermont, ZIP 05401: these moved (state, ZIP).
    moved = {
        "h1": ("NH", "03301"),
        "h2": ("New York", "10001"),
        "h3": ("", "10001"),  # the same name and ZIP: the same donor
        "h4": (" ny ", "10002-1234"),
        "h5": ("", ""),
        "h6": ("ZZ", "9021"),
        "h8": ("CA", "94110"),
    }
    for name, (state, postal) in moved.items():
        Contribution.objects.filter(pk=added[name].pk).update(
            donor_state=state, donor_postal_code=postal
        )
    return {**world, **added}
