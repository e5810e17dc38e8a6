"""The supporter list: search by every kind of query, filters, htmx, and its query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.people import merge
from groundswell.people.selectors import search_parse
from groundswell.people.tests.factories import person_create as _person_create

LIST = reverse("people:list")


def person_create(**raw):
    # The factory's random state may be a freely associated state that intake rejects.
    raw.setdefault("state", "NY")
    return _person_create(**raw)


@pytest.fixture
def people(db):
    zeb = person_create(
        given_name="Zebedee",
        family_name="Quartermain",
        email="zebedee.q@example.org",
        mobile_phone="(415) 555-0134",
        postal_code="02134",
        state="MA",
        source="petition",
        tags="phone bank",
        email_status="subscribed",
    )
    # A second e-mail (matched by the phone) and a second phone (matched by the e-mail):
    # search finds people by contact points that are not their primary ones too.
    same = {"given_name": "Zebedee", "family_name": "Quartermain", "state": "", "city": ""}
    same |= {"address_line1": "", "postal_code": ""}
    assert person_create(email="zeb.work@example.net", mobile_phone="415 555 0134", **same) == zeb
    assert person_create(email="zebedee.q@example.org", phone="212-555-0188", **same) == zeb
    other = person_create(
        given_name="Marta",
        family_name="Quinlan",
        email="marta@example.com",
        phone="617-555-0199",
        postal_code="10001",
        state="NY",
        source="rally",
        email_status="unsubscribed",
    )
    return {"zeb": zeb, "other": other}


def _names(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("jane@example.org", "email"),
        ("JANE@", "email"),
        ("(415) 555-0134", "phone"),
        ("+1 415 555 0134", "phone"),
        ("4155550134", "phone"),
        ("02134", "postal_code"),
        ("02134-1234", "postal_code"),
        ("quartermain", "name"),
        ("Zeb Quar", "name"),
        ("O'Brien", "name"),
        ("", ""),
    ],
)
def test_the_search_box_tells_an_email_a_phone_a_zip_and_a_name_apart(query, kind):
    assert search_parse(query).kind == kind


def test_a_search_that_cannot_be_a_phone_number_says_why():
    search = search_parse("555-12345678901234567890")
    assert search.kind == "phone"
    assert search.problem


@pytest.mark.parametrize(
    "query",
    [
        "quart",  # family name prefix
        "zeb",  # given name prefix
        "Zeb Quar",  # given + family prefixes
        "zébedee",  # accents are folded like the stored keys
        "zebedee.q@",  # e-mail prefix
        "ZEBEDEE.Q@EXAMPLE.ORG",  # whole e-mail, any case
        "(415) 555-0134",  # primary phone, as typed
        "+14155550134",  # primary phone, E.164
        "212.555.0188",  # a second phone
        "02134",  # ZIP
        "02134-9999",  # ZIP+4 searches the 5-digit ZIP
    ],
)
def test_each_kind_of_search_finds_the_right_person(persona_client, people, query):
    response = persona_client("volunteer").get(LIST, {"q": query})
    assert response.status_code == 200
    page = _names(response)
    assert "Quartermain" in page
    assert "Quinlan" not in page


def test_a_name_search_with_two_words_needs_both_to_match(persona_client, people):
    page = _names(persona_client("volunteer").get(LIST, {"q": "Quar Zeb"}))
    assert "Quartermain" not in page
    assert "No one matches" in page


def test_a_search_for_a_second_email_address_finds_its_owner(persona_client, people):
    page = _names(persona_client("volunteer").get(LIST, {"q": "zeb.work@"}))
    assert "Quartermain" in page
    assert "Quinlan" not in page


def test_a_merged_person_drops_out_of_the_list(persona_client, people):
    twin = person_create(given_name="Zebedee", family_name="Quartermain", email="zq2@example.org")
    client = persona_client("volunteer")
    page = _names(client.get(LIST, {"q": "quartermain"}))
    assert page.count("Quartermain</a>") == 2
    merge.person_merge(survivor=people["zeb"], merged=twin)
    page = _names(client.get(LIST, {"q": "quartermain"}))
    assert page.count("Quartermain</a>") == 1
    assert "zq2@example.org" not in page


@pytest.mark.parametrize(
    ("params", "expect_zeb"),
    [
        ({"state": "MA"}, True),
        ({"state": "NY"}, False),
        ({"status": "subscribed"}, True),
        ({"status": "unsubscribed"}, False),
        ({"source": "petition"}, True),
        ({"source": "rally"}, False),
    ],
)
def test_the_filters_narrow_the_list(persona_client, people, params, expect_zeb):
    page = _names(persona_client("volunteer").get(LIST, params))
    assert ("Quartermain" in page) is expect_zeb
    assert ("Quinlan" in page) is not expect_zeb


def test_the_tag_filter_shows_only_tagged_people(persona_client, people):
    page = _names(persona_client("volunteer").get(LIST, {"tag": "phone bank"}))
    assert "Quartermain" in page
    assert "Quinlan" not in page


def test_an_unknown_tag_or_state_in_the_url_is_ignored_not_an_error(persona_client, people):
    response = persona_client("volunteer").get(LIST, {"tag": "abc", "state": "ZZ"})
    assert response.status_code == 200
    assert "Quartermain" in _names(response)


def test_an_htmx_search_returns_only_the_results_fragment(persona_client, people):
    response = persona_client("volunteer").get(LIST, {"q": "quart"}, HTTP_HX_REQUEST="true")
    page = _names(response)
    assert 'id="results"' in page
    assert "<html" not in page
    assert "Quartermain" in page
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(persona_client, people):
    response = persona_client("volunteer").get(
        LIST, {"q": "quart"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in _names(response)


def test_the_search_form_works_without_javascript(persona_client, people):
    page = _names(persona_client("volunteer").get(LIST, {"q": "quart"}))
    assert '<form class="filters" method="get" action="/people/"' in page
    assert 'hx-get="/people/"' in page
    assert 'hx-push-url="true"' in page


def test_an_empty_database_shows_a_helpful_empty_state(persona_client, db):
    page = _names(persona_client("organizer").get(LIST))
    assert "No people yet" in page
    assert reverse("people:import_upload") in page


def test_a_search_with_no_match_explains_how_to_search(persona_client, people):
    page = _names(persona_client("volunteer").get(LIST, {"q": "nobodyhere"}))
    assert "No one matches" in page
    assert "Clear search" in page


def test_the_list_is_paginated(persona_client, db):
    for index in range(55):
        person_create(given_name=f"Pat{index:02d}", family_name="Pager", email=f"p{index}@x.org")
    client = persona_client("volunteer")
    first = _names(client.get(LIST))
    second = _names(client.get(LIST, {"page": 2}))
    assert "1–50" in first
    assert "Pat54" in first and "Pat04" not in first
    assert "Pat04" in second and "Pat54" not in second


def test_the_list_page_runs_the_same_few_queries_for_many_people(
    persona_client, django_assert_max_num_queries, db
):
    for index in range(60):
        person_create(email=f"bulk{index}@example.org", tags="volunteers")
    client = persona_client("finance")
    # session, user, tags for the filter, the capped count, one page of people.
    with django_assert_max_num_queries(5):
        response = client.get(LIST, {"q": "bulk", "state": "NY", "status": ""})
    assert response.status_code == 200
    with django_assert_max_num_queries(5):
        client.get(LIST)


def test_a_volunteer_does_not_see_employer_or_occupation_in_the_list(persona_client, db):
    person_create(
        given_name="Vera",
        family_name="Donor",
        employer="Acme Rocket Widgets",
        occupation="Chief Welder",
    )
    for role in ("volunteer", "organizer"):
        page = _names(persona_client(role).get(LIST))
        assert "Vera Donor" in page
        assert "Acme Rocket Widgets" not in page
        assert "Chief Welder" not in page
    finance_page = _names(persona_client("finance").get(LIST))
    assert "Acme Rocket Widgets" in finance_page
    assert "Chief Welder" in finance_page


def test_a_tag_filtered_list_is_newest_first_like_the_rest(persona_client, db):
    for name in ("Older", "Middle", "Newest"):
        person_create(given_name=name, family_name="Tagged", tags="host")
    person_create(given_name="Untagged", family_name="Person")
    page = _names(persona_client("volunteer").get(LIST, {"tag": "host"}))
    assert page.index("Newest Tagged") < page.index("Middle Tagged") < page.index("Older Tagged")
    assert "Untagged" not in page
