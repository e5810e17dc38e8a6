"""The demo's identity seed: checks by mail that the engine is unsure about fill the queue."""

import pytest

from groundswell.demo.identity_seed import CHECK_PREFIX, demo_checks_seed, demo_identity_seed
from groundswell.demo.people_seed import people_seed
from groundswell.donations.models import Contribution
from groundswell.identity.models import MergeSuggestion, ResolutionRun

pytestmark = pytest.mark.django_db


def test_checks_resemble_supporters_and_are_written_once():
    people_seed(count=300, seed=5)
    written = demo_checks_seed(seed=5)
    checks = Contribution.objects.filter(processor_id__startswith=CHECK_PREFIX)
    assert written == checks.count() > 0
    assert not checks.exclude(donor_email="").exists()
    assert demo_checks_seed(seed=5) == 0
    assert checks.count() == written


def test_after_the_demo_seed_the_review_queue_holds_real_suggestions():
    people_seed(count=1200, seed=7)
    run = demo_identity_seed()
    assert run is not None and run.status == ResolutionRun.Status.DONE
    open_pairs = MergeSuggestion.objects.filter(status=MergeSuggestion.Status.OPEN)
    assert run.suggestions == open_pairs.count() > 0
    # Every suggested pair involves a check by mail: the engine is unsure about those only.
    check_ids = set(
        Contribution.objects.filter(processor_id__startswith=CHECK_PREFIX).values_list(
            "pk", flat=True
        )
    )
    for pair in open_pairs:
        ids = {pair.id_a if pair.kind_a == "contribution" else None}
        ids |= {pair.id_b if pair.kind_b == "contribution" else None}
        assert ids & check_ids, pair
