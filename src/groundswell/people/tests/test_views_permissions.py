"""Who may open which staff page: every persona against every people view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.people import merge
from groundswell.people.models import ImportJob, Person, Tag, Tagging
from groundswell.people.tests.factories import person_create as _person_create


def person_create(**raw):
    # The factory's random state can be a freely associated state (PW, FM, MH) that intake
    # rightly rejects; these tests do not care where people live.
    raw.setdefault("state", "NY")
    return _person_create(**raw)


ROLES = ["admin", "finance", "organizer", "volunteer"]
EVERYONE = {"admin", "finance", "organizer", "volunteer"}
EDITORS = {"admin", "finance", "organizer"}


@pytest.fixture
def world(db, tmp_path):
    """One of everything a people URL can point at."""
    alice = person_create(
        given_name="Alice", family_name="Anders", phone="415-555-0101", tags="door knockers"
    )
    bob = person_create(given_name="Bob", family_name="Brandt")
    carol = person_create(given_name="Carol", family_name="Craig")
    dan = person_create(given_name="Dan", family_name="Dorsey")
    record = merge.person_merge(survivor=carol, merged=dan)
    csv_path = tmp_path / "people.csv"
    csv_path.write_text("email,first_name\nx@example.org,X\n")
    from groundswell.people.imports import job_create

    job = job_create(path=str(csv_path), original_name="people.csv")
    return {
        "person": alice,
        "other": bob,
        "merge": record,
        "job": job,
        "email": alice.emails.get(),
        "phone": alice.phones.get(),
        "tag": Tag.objects.get(name="door knockers"),
    }


def _url(name: str, world: dict) -> str:
    args = {
        "list": [],
        "export": [],
        "detail": [world["person"].pk],
        "edit": [world["person"].pk],
        "merge_pick": [world["person"].pk],
        "merge_compare": [world["person"].pk, world["other"].pk],
        "import_list": [],
        "import_upload": [],
        "import_job": [world["job"].pk],
        "import_mapping": [world["job"].pk],
        "import_progress": [world["job"].pk],
        "import_errors_csv": [world["job"].pk],
        "email_add": [world["person"].pk],
        "phone_add": [world["person"].pk],
        "address_add": [world["person"].pk],
        "email_status": [world["email"].pk],
        "phone_sms": [world["phone"].pk],
        "tag_add": [world["person"].pk],
        "tag_remove": [world["person"].pk, world["tag"].pk],
        "merge_undo": [world["merge"].pk],
    }[name]
    return reverse(f"people:{name}", args=args)


# (url name, the roles that may open it) — written out here rather than derived from the
# roles table, so that a wrong change to the table fails these tests.
PAGES = [
    ("list", EVERYONE),
    ("detail", EVERYONE),
    ("export", EDITORS),
    ("edit", EDITORS),
    ("merge_pick", EDITORS),
    ("merge_compare", EDITORS),
    ("import_list", EDITORS),
    ("import_upload", EDITORS),
    ("import_job", EDITORS),
    ("import_mapping", EDITORS),
    ("import_progress", EDITORS),
    ("import_errors_csv", EDITORS),
]
ACTIONS = [
    ("edit", {"given_name": "Hacked"}),
    ("email_add", {"email": "new@example.org"}),
    ("phone_add", {"phone": "415-555-0199", "phone_type": "mobile"}),
    ("address_add", {"address_line1": "1 Main St", "city": "Boston", "state": "MA"}),
    ("email_status", {"status": "unsubscribed"}),
    ("phone_sms", {"status": "subscribed"}),
    ("tag_add", {"name": "hacked"}),
    ("tag_remove", {}),
    ("merge_undo", {}),
    ("merge_compare", {}),
]


@pytest.mark.parametrize("name", [name for name, _ in PAGES] + [name for name, _ in ACTIONS])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world, name):
    url = _url(name, world)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


@pytest.mark.parametrize("name", [name for name, _ in ACTIONS])
def test_an_anonymous_post_is_sent_to_the_login_page_and_changes_nothing(client, world, name):
    before = Person.objects.get(pk=world["person"].pk).given_name
    response = client.post(_url(name, world), {"given_name": "Hacked", "survivor": 1})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Person.objects.get(pk=world["person"].pk).given_name == before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "allowed"), PAGES)
def test_each_role_opens_exactly_the_pages_it_may(persona_client, world, role, name, allowed):
    client = persona_client(role)
    response = client.get(_url(name, world))
    if role in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_a_volunteer_cannot_change_anything(persona_client, world, name, data):
    client = persona_client("volunteer")
    data = dict(data)
    if name == "merge_compare":
        data["survivor"] = world["other"].pk
    response = client.post(_url(name, world), data)
    assert response.status_code == 403
    person = Person.objects.get(pk=world["person"].pk)
    assert person.given_name == "Alice"
    assert person.emails.count() == 1
    assert person.phones.count() == 1
    assert person.addresses.count() == 1
    assert Tagging.objects.filter(person=person, tag=world["tag"]).exists()
    assert not Tag.objects.filter(name="hacked").exists()
    assert Person.objects.get(pk=world["other"].pk).merged_into_id is None
    world["merge"].refresh_from_db()
    assert world["merge"].undone_at is None


def test_a_volunteer_sees_no_edit_merge_export_or_import_controls(persona_client, world):
    client = persona_client("volunteer")
    detail = client.get(_url("detail", world)).content.decode()
    listing = client.get(_url("list", world)).content.decode()
    assert _url("edit", world) not in detail
    assert _url("merge_pick", world) not in detail
    assert _url("tag_add", world) not in detail
    assert (
        "Undo merge"
        not in client.get(
            reverse("people:detail", args=[world["merge"].survivor_id])
        ).content.decode()
    )
    assert reverse("people:export") not in listing
    assert reverse("people:import_list") not in listing
    assert reverse("people:import_upload") not in listing


def test_an_organizer_sees_the_controls_a_volunteer_does_not(persona_client, world):
    client = persona_client("organizer")
    detail = client.get(_url("detail", world)).content.decode()
    listing = client.get(_url("list", world)).content.decode()
    assert _url("edit", world) in detail
    assert _url("merge_pick", world) in detail
    assert _url("tag_add", world) in detail
    assert reverse("people:export") in listing
    assert reverse("people:import_list") in listing


def test_the_navigation_shows_admin_pages_only_to_an_admin(persona_client, world):
    admin_page = persona_client("admin").get(_url("list", world)).content.decode()
    assert reverse("accounts:audit") in admin_page
    assert reverse("accounts:users") in admin_page
    assert reverse("admin:index") in admin_page
    for role in ("finance", "organizer", "volunteer"):
        page = persona_client(role).get(_url("list", world)).content.decode()
        assert reverse("accounts:audit") not in page
        assert reverse("accounts:users") not in page
        assert reverse("admin:index") not in page


def test_a_post_only_action_refuses_a_get_from_someone_allowed(persona_client, world):
    client = persona_client("organizer")
    response = client.get(_url("tag_add", world))
    assert response.status_code == 405


def test_the_person_page_of_an_unknown_id_is_not_found(persona_client, world):
    response = persona_client("admin").get(reverse("people:detail", args=[999_999]))
    assert response.status_code == 404


def test_a_pending_import_job_page_leads_to_its_column_mapping(persona_client, world):
    response = persona_client("organizer").get(_url("import_job", world))
    assert response.status_code == 302
    assert response["Location"] == _url("import_mapping", world)
    assert world["job"].status == ImportJob.Status.PENDING
