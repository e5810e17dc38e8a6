import pytest

from groundswell.demo.segments_seed import DEMO_SEGMENTS, demo_segments_seed
from groundswell.segments.models import Segment
from groundswell.segments.selectors import segment_count
from groundswell.segments.tests import world as w

pytestmark = pytest.mark.django_db


def test_the_demo_saves_its_segments_once_each_and_they_count(admin_user):
    lapsed = w.person("Ada", state="OH", email="ada@example.org")
    w.gift(lapsed, 5_000, days_ago=45)
    w.gift(w.person("Bram", state="OH", email="bram@example.org"), 5_000, days_ago=3)
    assert demo_segments_seed() == len(DEMO_SEGMENTS)
    assert demo_segments_seed() == 0
    lapsing = Segment.objects.get(name__startswith="Subscribed donors in PA, OH, MI")
    assert lapsing.needs_capabilities == "finance.view"
    assert segment_count(segment=lapsing) == 1
    assert all(segment_count(segment=s) >= 0 for s in Segment.objects.all())
