"""Staff who build pages write, change and archive suggested posts; others may not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.analytics.amplify.models import SuggestedPost
from groundswell.analytics.amplify.networks import X_LIMIT, x_length

pytestmark = pytest.mark.django_db

NEW = reverse("analytics:amplify:post_create")


def _data(petition, **changes) -> dict:
    data = {
        "text": "Stand with us for a clean river.",
        "target": f"/a/{petition.slug}/",
        "hashtags": "#CleanRiver, Vote",
        "networks": ["x", "bluesky", "email"],
        "starts_at": "2026-01-01T09:00",
        "ends_at": "",
    }
    data.update(changes)
    return data


def test_an_organizer_writes_a_post_linking_to_a_published_page(client, organizer_user, petition):
    client.force_login(organizer_user)
    page = client.get(NEW)
    assert page.status_code == 200 and f'value="/a/{petition.slug}/"' in page.content.decode()
    response = client.post(NEW, _data(petition))
    assert response.status_code == 302
    post = SuggestedPost.objects.get()
    assert post.target_path == "/a/clean-river/" and post.target_label.endswith("Clean the river")
    assert post.hashtag_list == ["CleanRiver", "Vote"]
    assert post.networks == ["x", "bluesky", "email"]
    assert AuditEvent.objects.filter(action="amplify.post_saved", target_id=str(post.pk)).exists()
    listing = client.get(reverse("analytics:amplify:post_list")).content.decode()
    assert "Stand with us for a clean river." in listing and "Bluesky" in listing


def test_a_page_that_is_not_published_or_not_ours_cannot_be_the_link(
    client, organizer_user, petition
):
    client.force_login(organizer_user)
    for target in ("https://evil.example/", "//evil.example/", "/a/not-a-page/"):
        response = client.post(NEW, _data(petition, target=target))
        assert response.status_code == 400
        assert (
            "Select a valid choice" in response.content.decode()
            or "published pages" in response.content.decode()
        )
    petition.published = False
    petition.save()
    assert client.post(NEW, _data(petition)).status_code == 400
    assert not SuggestedPost.objects.exists()


def test_a_post_too_long_for_x_with_its_link_says_by_how_much(client, organizer_user, petition):
    client.force_login(organizer_user)
    text = "a" * 270
    response = client.post(NEW, _data(petition, text=text, hashtags="Vote"))
    assert response.status_code == 400
    over = x_length(text, ["Vote"]) - X_LIMIT
    assert f"Shorten it by {over}." in response.content.decode()
    # Without X, the same words fit the other networks.
    ok = client.post(NEW, _data(petition, text=text, hashtags="Vote", networks=["facebook"]))
    assert ok.status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "   "}, "Write the words"),
        ({"hashtags": "#good #not-a-tag"}, "is not a hashtag"),
        ({"hashtags": "a b c d e f g"}, "at most 6 hashtags"),
        ({"networks": []}, "This field is required"),
        ({"networks": ["myspace"]}, "Select a valid choice"),
        ({"ends_at": "2025-12-31T09:00"}, "The end must come after the start."),
    ],
)
def test_the_post_form_refuses_bad_input_with_a_reason(
    client, organizer_user, petition, changes, message
):
    client.force_login(organizer_user)
    response = client.post(NEW, _data(petition, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SuggestedPost.objects.exists()


def test_editing_keeps_a_post_whose_page_was_unpublished_since(
    client, organizer_user, post, petition
):
    petition.published = False
    petition.save()
    client.force_login(organizer_user)
    url = reverse("analytics:amplify:post_edit", args=[post.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _data(petition, text="Still time to sign."))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.text == "Still time to sign." and post.target_path == "/a/clean-river/"


def test_archiving_takes_a_post_off_the_share_page(client, organizer_user, post):
    client.force_login(organizer_user)
    share_page = reverse("analytics:amplify:share_page")
    assert post.text in client.get(share_page).content.decode()
    response = client.post(reverse("analytics:amplify:post_archive", args=[post.pk]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.archived_at is not None
    assert post.text not in client.get(share_page).content.decode()
    archived = client.get(reverse("analytics:amplify:post_list") + "?show=archived")
    assert post.text[:40] in archived.content.decode()


def test_posts_outside_their_window_are_not_offered(client, volunteer_user, post):
    post.starts_at = timezone.now() + timedelta(days=1)
    post.save()
    client.force_login(volunteer_user)
    html = client.get(reverse("analytics:amplify:share_page")).content.decode()
    assert post.text not in html and "nothing to share right now" in html


@pytest.mark.parametrize("role", ["volunteer", "finance"])
def test_roles_without_pages_edit_cannot_write_posts(client, make_user, role, post):
    client.force_login(make_user(role))
    assert client.get(NEW).status_code == 403
    assert client.get(reverse("analytics:amplify:post_list")).status_code == 403
    assert client.post(reverse("analytics:amplify:post_archive", args=[post.pk])).status_code == 403
    # ...but every staff account has its own share page and the leaderboard.
    assert client.get(reverse("analytics:amplify:share_page")).status_code == 200
    assert client.get(reverse("analytics:amplify:leaderboard")).status_code == 200
