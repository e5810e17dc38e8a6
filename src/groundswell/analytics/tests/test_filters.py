"""The overview's filters: a date range, a segment's donors and a comparison period, on each
engine, against numbers worked out by hand from dataset.py's campaign.

The selected range July 1, 2025 – June 30, 2026 holds g1–g5 counted (nets 1000, 2000, 5000,
2000, 700) and g6 refunded (gross only); the previous 365 days, July 1, 2024 – June 30, 2025,
hold g9 (Frank, $40, March 2025) and g8 (Pia's first gift, $15, June 2025). Gina's gift (May
2024) is in neither.
"""

from __future__ import annotations

from datetime import date

import pytest

from groundswell.analytics import selectors
from groundswell.analytics.filters import Filters, comparison_range, filters_read, year_before
from groundswell.analytics.tests.dataset import world_build
from groundswell.donations.models import Contribution
from groundswell.people.models import Person
from groundswell.segments.models import Segment, SegmentMember, SegmentMode

pytestmark = pytest.mark.django_db(transaction=True)

START, END = date(2025, 7, 1), date(2026, 6, 30)
TODAY = date(2026, 2, 28)


def snapshot(name: str, *people, needs: str = "") -> Segment:
    from django.utils import timezone

    segment = Segment.objects.create(
        name=name,
        mode=SegmentMode.SNAPSHOT,
        snapshot_taken_at=timezone.now(),
        needs_capabilities=needs,
    )
    for person in people:
        SegmentMember.objects.create(segment=segment, person=person)
    return segment


def figures(board) -> dict:
    return {row.key: (row.value, row.before, row.change, row.percent) for row in board.compared}


@pytest.fixture
def engine_setting(settings, engine_name):
    settings.GROUNDSWELL_ANALYTICS_ENGINE = engine_name
    return engine_name


def test_a_range_beside_the_previous_period_of_the_same_length(engine_setting, make_user):
    world_build()
    board = selectors.overview_read(
        user=make_user("finance"),
        today=TODAY,
        filters=Filters(start=START, end=END, compare="previous", chosen=True),
    )
    assert (board.before.start, board.before.end) == (date(2024, 7, 1), date(2025, 6, 30))
    assert figures(board) == {
        "net_cents": (10700, 5500, 5200, 95),
        "gross_cents": (14200, 5500, 8700, 158),
        "count": (5, 2, 3, 150),
        "average_cents": (2140, 2750, -610, -22),
        "median_cents": (2000, 2750, -750, -27),
        # Pia gave first in June 2025: new before, returning now; Rafe and Carol are new now.
        "donors": (3, 2, 1, 50),
        "new": (2, 2, 0, 0),
        "returning": (1, 0, 1, None),
    }
    # Money's comparison rows are finance data: an organizer compares donors only.
    organizer = selectors.overview_read(
        user=make_user("organizer"),
        today=TODAY,
        filters=Filters(start=START, end=END, compare="year", chosen=True),
    )
    assert [row.key for row in organizer.compared] == ["donors", "new", "returning"]
    assert figures(organizer)["donors"] == (3, 2, 1, 50)


def test_a_segment_counts_its_donors_clusters_whole(engine_setting, make_user):
    """Rafe's segment holds his cluster: g4 (his) and g3, a gift as "R. Quill" the cluster
    joined to him. Carol's gift has no cluster: a person of the segment who made it brings
    its name+ZIP donor in. Pia's segment compares her 2026 gifts with her first."""
    world = world_build()
    carol = Person.objects.create(given_name="Carol", family_name="Jones")
    Contribution.objects.filter(pk=world["g5"].pk).update(person=carol)
    user = make_user("finance")

    def board(*people, compare=""):
        segment = snapshot(f"seg-{len(Segment.objects.all())}", *people)
        return selectors.overview_read(
            user=user,
            today=TODAY,
            filters=Filters(START, END, segment=segment, compare=compare, chosen=True),
        )

    rafe = board(world["p2"]).selected
    assert (rafe.money.count, rafe.money.gross_cents, rafe.money.net_cents) == (2, 7000, 7000)
    assert (rafe.money.average_cents, rafe.money.median_cents) == (3500, 3500)
    assert (rafe.donors.donors, rafe.donors.new) == (1, 1)
    carol_only = board(carol).selected
    assert (carol_only.money.count, carol_only.money.net_cents, carol_only.donors.donors) == (
        1,
        700,
        1,
    )
    pia = board(world["p1"], compare="previous")
    assert figures(pia)["net_cents"] == (3000, 1500, 1500, 100)
    assert figures(pia)["gross_cents"] == (3500, 1500, 2000, 133)
    assert figures(pia)["new"] == (0, 1, -1, -100)
    both = board(world["p1"], world["p2"]).selected
    assert (both.money.net_cents, both.donors.donors) == (10000, 2)
    nobody = board()
    assert nobody.selected.donors.donors == 0 and nobody.selected.money.count == 0
    assert nobody.empty
    # The cards follow the segment; the donor goal would not (it is the goal page's figure).
    assert board(world["p2"]).periods[2].money.net_cents == 7000


def test_the_comparison_periods():
    assert comparison_range(date(2026, 3, 1), date(2026, 3, 31), "previous") == (
        date(2026, 1, 29),
        date(2026, 2, 28),
    )
    assert comparison_range(date(2024, 2, 29), date(2024, 3, 1), "year") == (
        date(2023, 2, 28),
        date(2023, 3, 1),
    )
    assert comparison_range(date(2026, 1, 1), date(2026, 1, 1), "") is None
    assert year_before(date(2028, 2, 29)) == date(2027, 2, 28)


def test_filters_refuse_what_they_cannot_answer(make_user):
    from groundswell.accounts.roles import FINANCE_VIEW
    from groundswell.analytics.filters import FilterError

    finance, organizer = make_user("finance"), make_user("organizer")
    giving = snapshot("Big givers", needs=FINANCE_VIEW)
    plain = snapshot("Everyone we met")

    def read(user, **query):
        return filters_read(query, user=user, today=TODAY)

    assert read(finance, segment=str(giving.pk)).segment == giving
    assert read(organizer, segment=str(plain.pk)).segment == plain
    bad = [
        (organizer, {"segment": str(giving.pk)}),  # a giving segment: finance only
        (finance, {"segment": "999999"}),
        (finance, {"segment": "1e9"}),
        (finance, {"start": "2026-02-30"}),
        (finance, {"start": "2026-03-01", "end": "2026-02-01"}),
        (finance, {"start": "1999-12-31"}),
        (finance, {"end": "2028-01-01"}),
        (finance, {"start": "2001-01-01", "end": "2026-01-01"}),
        (finance, {"compare": "decade"}),
    ]
    for user, query in bad:
        with pytest.raises(FilterError):
            read(user, **query)
    defaults = read(finance)
    assert (defaults.start, defaults.end, defaults.chosen) == (date(2025, 3, 1), TODAY, False)
