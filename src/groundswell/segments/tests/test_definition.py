import pytest

from groundswell.people.models import Person, Tag, Tagging
from groundswell.segments.definition import DefinitionError, definition_clean
from groundswell.segments.models import Segment
from groundswell.segments.selectors import segment_people

pytestmark = pytest.mark.django_db


def _person(given, state, *tags):
    person = Person.objects.create(given_name=given, family_name="Okafor", state=state)
    for name in tags:
        Tagging.objects.create(person=person, tag=Tag.objects.get_or_create(name=name)[0])
    return person


def test_a_segment_of_and_or_not_groups_selects_exactly_the_people_it_describes():
    ada = _person("Ada", "PA", "volunteer")
    ben = _person("Ben", "OH", "volunteer")
    _person("Cy", "PA")
    dee = _person("Dee", "NY", "volunteer")
    segment = Segment.objects.create(
        name="Volunteers outside New York",
        definition={
            "op": "and",
            "items": [
                {"kind": "tag", "tag": "volunteer"},
                {"op": "or", "negate": True, "items": [{"kind": "state", "states": ["ny"]}]},
            ],
        },
    )
    assert set(segment_people(segment=segment)) == {ada, ben}
    assert dee not in set(segment_people(segment=segment))


@pytest.mark.parametrize(
    "raw",
    [
        {"op": "xor", "items": []},
        {"op": "and", "items": [{"kind": "no-such-kind"}]},
        {"op": "and", "items": [{"kind": "state", "states": ["Atlantis"]}]},
        {"op": "and", "items": "tag"},
    ],
)
def test_a_definition_that_cannot_be_used_is_refused_with_a_reason(raw):
    with pytest.raises(DefinitionError):
        definition_clean(raw)
