from datetime import timedelta

import pytest
from django.utils import timezone

from groundswell.actions.models import ActionPage
from groundswell.analytics.amplify.models import ShareLink, SuggestedPost
from groundswell.analytics.amplify.selectors import leaderboard_volunteers
from groundswell.demo.amplify_seed import DEMO_POSTS, demo_amplify_seed
from groundswell.donations.selectors import DateRange

pytestmark = pytest.mark.django_db


def test_the_demo_suggests_its_posts_once_with_figures_on_the_leaderboard(
    organizer_user, volunteer_user
):
    ActionPage.objects.create(
        kind="petition", slug="water", title="Water", headline="Water", published=True
    )
    assert demo_amplify_seed() == len(DEMO_POSTS)
    assert demo_amplify_seed() == 0
    assert SuggestedPost.objects.count() == len(DEMO_POSTS)
    assert all(post.is_active() for post in SuggestedPost.objects.all())
    assert ShareLink.objects.filter(user=volunteer_user).count() == len(DEMO_POSTS)
    today = timezone.localdate()
    board = leaderboard_volunteers(
        user=organizer_user, period=DateRange(today - timedelta(days=30), today)
    )
    assert board.count >= 1


def test_the_demo_suggests_nothing_without_an_organizer_to_write_them(volunteer_user):
    assert demo_amplify_seed() == 0
