"""A published petition to link to, and a post pointing at it."""

from __future__ import annotations

import pytest

from groundswell.actions.models import ActionPage
from groundswell.analytics.amplify.models import Network, SuggestedPost


@pytest.fixture
def petition(db):
    return ActionPage.objects.create(
        kind="petition",
        slug="clean-river",
        title="Clean the river",
        headline="Clean the river",
        button_text="Sign",
        fields={"given_name": "required"},
        published=True,
    )


@pytest.fixture
def post(petition, organizer_user):
    return SuggestedPost.objects.create(
        text="Our river deserves better. Sign today.",
        target_path=f"/a/{petition.slug}/",
        target_label="Petition: Clean the river",
        hashtags="CleanRiver Vote",
        networks=list(Network.values),
        created_by=organizer_user,
    )
