"""Long id lists reach the database as one parameter, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models.expressions import RawSQL

from groundswell.core.bulk import INLINE_IDS, ids_in


@pytest.mark.django_db
def test_a_list_past_sqlites_250000_parameters_still_filters():
    wanted = list(ContentType.objects.values_list("pk", flat=True)[:3])
    beyond = max(ContentType.objects.values_list("pk", flat=True)) + 1
    ids = [*range(beyond, beyond + 300_000), *wanted]
    found = ContentType.objects.filter(pk__in=ids_in(ids))
    assert isinstance(ids_in(ids), RawSQL)
    assert sorted(found.values_list("pk", flat=True)) == sorted(wanted)
    assert ContentType.objects.exclude(pk__in=ids_in(ids)).count() == (
        ContentType.objects.count() - len(wanted)
    )


@pytest.mark.django_db
def test_a_short_list_stays_a_list_and_an_empty_one_matches_nobody():
    wanted = list(ContentType.objects.values_list("pk", flat=True)[:2])
    assert ids_in(wanted) == wanted
    assert ContentType.objects.filter(pk__in=ids_in([])).count() == 0
    assert len(ids_in(range(INLINE_IDS))) == INLINE_IDS
