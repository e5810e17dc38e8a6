"""A volunteer shares a post through their own link; the clicks, sign-ups and gifts it brings
are credited to them and shown on their page and the leaderboard (money to finance only)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.actions.models import Referral, Submission
from groundswell.actions.services import submissions_process
from groundswell.analytics.amplify.models import LinkClick, ShareEvent, ShareLink
from groundswell.analytics.amplify.selectors import figures_of, leaderboard_volunteers
from groundswell.donations.selectors import DateRange
from groundswell.donations.services import ContributionInput, contribution_record
from groundswell.people.models import EmailAddress
from groundswell.segments.tests import world

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"
SHARE_PAGE = reverse("analytics:amplify:share_page")


def _my_link(client, user, post) -> str:
    client.force_login(user)
    html = client.get(SHARE_PAGE).content.decode()
    found = re.search(r'value="(http://testserver/s/[A-Za-z0-9]+/)"', html)
    assert found, "the share page shows the volunteer's own link"
    return found.group(1)


def _today() -> DateRange:
    today = timezone.localdate()
    return DateRange(today, today)


def test_each_share_button_records_a_share_and_opens_the_network_with_the_link(
    client, volunteer_user, post
):
    link = _my_link(client, volunteer_user, post)
    share = reverse("analytics:amplify:share", args=[post.pk])
    expected = {
        "x": ("twitter.com", "/intent/tweet"),
        "facebook": ("www.facebook.com", "/sharer/sharer.php"),
        "bluesky": ("bsky.app", "/intent/compose"),
        "linkedin": ("www.linkedin.com", "/sharing/share-offsite/"),
        "whatsapp": ("wa.me", "/"),
    }
    for network, (host, path) in expected.items():
        response = client.post(share, {"network": network})
        assert response.status_code == 302
        target = urlsplit(response["Location"])
        assert (target.scheme, target.netloc, target.path) == ("https", host, path)
        values = " ".join(v for vs in parse_qs(target.query).values() for v in vs)
        assert link in values, f"{network} carries the volunteer's tracked link"
    x = parse_qs(urlsplit(client.post(share, {"network": "x"})["Location"]).query)
    assert x["text"] == ["Our river deserves better. Sign today. #CleanRiver #Vote"]
    mail = client.post(share, {"network": "email"})["Location"]
    assert (
        mail.startswith("mailto:?subject=Our%20river")
        and link.replace(":", "%3A").replace("/", "%2F") in mail
    )
    assert ShareEvent.objects.filter(link__user=volunteer_user).count() == 7
    assert figures_of(user=volunteer_user, period=_today()).shares == 7


def test_a_network_the_post_does_not_offer_is_refused(client, volunteer_user, post):
    post.networks = ["facebook"]
    post.save()
    client.force_login(volunteer_user)
    share = reverse("analytics:amplify:share", args=[post.pk])
    assert client.post(share, {"network": "x"}).status_code == 400
    assert client.post(share, {"network": "javascript"}).status_code == 400
    assert client.get(share).status_code == 405
    assert not ShareEvent.objects.exists()


def test_the_link_counts_a_visitor_once_a_day_ignores_bots_and_credits_the_sign_up(
    client, volunteer_user, post, petition
):
    link = _my_link(client, volunteer_user, post)
    code = ShareLink.objects.get(user=volunteer_user).code
    visitor = client.__class__()
    first = visitor.get(link, HTTP_USER_AGENT=BROWSER)
    assert first.status_code == 302
    assert first["Location"] == f"/a/{petition.slug}/?refcode=amp-{code}"
    visitor.get(link, HTTP_USER_AGENT=BROWSER)
    visitor.get(link, HTTP_USER_AGENT="facebookexternalhit/1.1")
    visitor.get(link, HTTP_USER_AGENT="")
    visitor.get(link, HTTP_USER_AGENT=BROWSER + " Firefox")  # another browser: another visitor
    assert LinkClick.objects.count() == 2
    stored = LinkClick.objects.first()
    assert BROWSER not in stored.visitor and "127.0.0.1" not in stored.visitor
    # The visitor signs the petition on the page the link opened.
    form = visitor.get(first["Location"]).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    hidden.pop("csrfmiddlewaretoken", None)
    signed = visitor.post(
        f"/a/{petition.slug}/", {**hidden, "email": "wren@example.org", "given_name": "Wren"}
    )
    assert signed.status_code == 302
    assert Submission.objects.get().refcode == f"amp-{code}"
    mine = figures_of(user=volunteer_user, period=_today())
    assert (mine.clicks, mine.signups, mine.gifts, mine.net_cents) == (2, 1, 0, None)
    page = client.get(SHARE_PAGE).content.decode()
    assert re.search(r"<dt>Clicks</dt><dd>2</dd>", page) and re.search(
        r"<dt>Sign-ups</dt><dd>1</dd>", page
    )
    # Yesterday's range holds none of it.
    yesterday = timezone.localdate() - timedelta(days=1)
    assert not figures_of(user=volunteer_user, period=DateRange(yesterday, yesterday)).any


def _gift(refcode: str, cents: int, n: int, refunded: bool = False):
    contribution, _ = contribution_record(
        data=ContributionInput(
            processor="actblue",
            processor_id=f"AMP-{n}",
            amount_cents=cents,
            received_at=timezone.now(),
            donor={
                "given_name": "Ilsa",
                "family_name": f"Quorn{n}",
                "email": f"ilsa{n}@example.org",
                "postal_code": "43215",
            },
            refcode=refcode,
            status="refunded" if refunded else "paid",
        )
    )
    return contribution


def test_gifts_through_a_link_are_counted_for_everyone_and_dollars_only_for_finance(
    client, make_user, volunteer_user, organizer_user, finance_user, post
):
    _my_link(client, volunteer_user, post)
    other = make_user("volunteer", username="second-sharer")
    _my_link(client, other, post)
    mine = ShareLink.objects.get(user=volunteer_user).refcode
    theirs = ShareLink.objects.get(user=other).refcode
    _gift(mine, 2_500, 1)
    _gift(mine, 1_000, 2)
    _gift(mine, 9_900, 3, refunded=True)  # not counted, as on the finance pages
    _gift(theirs, 500, 4)
    _gift("radio-ad", 7_700, 5)  # not ours
    board = leaderboard_volunteers(user=finance_user, period=_today())
    rows = {row.label: row.figures for row in board.items}
    assert (rows["volunteer-user"].gifts, rows["volunteer-user"].net_cents) == (2, 3_500)
    assert (rows["second-sharer"].gifts, rows["second-sharer"].net_cents) == (1, 500)
    assert [row.label for row in board.items] == ["volunteer-user", "second-sharer"]
    blind = leaderboard_volunteers(user=organizer_user, period=_today())
    assert [(r.figures.gifts, r.figures.net_cents) for r in blind.items] == [(2, None), (1, None)]
    url = reverse("analytics:amplify:leaderboard")
    client.force_login(finance_user)
    html = client.get(url).content.decode()
    assert "$35.00" in html and "Donated (net)" in html
    client.force_login(organizer_user)
    html = client.get(url).content.decode()
    assert "$35.00" not in html and "Donated (net)" not in html and "volunteer-user" in html


def test_the_leaderboard_pages_through_many_volunteers(client, make_user, organizer_user, post):
    for n in range(30):
        user = make_user("volunteer", username=f"sharer-{n:02d}")
        link = ShareLink.objects.create(post=post, user=user, code=f"Code{n:06d}")
        for _ in range(n + 1):
            ShareEvent.objects.create(link=link, network="x")
    client.force_login(organizer_user)
    url = reverse("analytics:amplify:leaderboard")
    first = client.get(url).content.decode()
    assert "sharer-29" in first and "sharer-00" not in first and "Page 1 of 2" in first
    second = client.get(url + "?vpage=2").content.decode()
    assert "sharer-00" in second and "sharer-29" not in second


def test_an_empty_leaderboard_and_a_nonsense_range_say_so_plainly(client, volunteer_user):
    client.force_login(volunteer_user)
    url = reverse("analytics:amplify:leaderboard")
    for query in ("", "?start=not-a-date&end=2026-13-45", "?start=0001-01-01&end=9999-12-31"):
        response = client.get(url + query)
        assert response.status_code == 200
        assert "Nothing shared or followed in these dates." in response.content.decode()


def test_the_share_page_policy_lets_its_buttons_reach_the_networks(
    client, settings, volunteer_user, post
):
    settings.GROUNDSWELL_STAFF_PATHS = [*settings.GROUNDSWELL_STAFF_PATHS, "/analytics/"]
    client.force_login(volunteer_user)
    policy = client.get(SHARE_PAGE)["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    share = reverse("analytics:amplify:share", args=[post.pk])
    for network in ("x", "facebook", "bluesky", "linkedin", "whatsapp"):
        target = urlsplit(client.post(share, {"network": network})["Location"])
        assert f"{target.scheme}://{target.netloc}" in form_action.split()
    assert "mailto:" in form_action.split() and "'self'" in form_action.split()


def test_a_volunteer_on_file_as_a_person_is_credited_as_the_recruiter_of_who_signs_up(
    client, settings, volunteer_user, post, petition
):
    settings.GROUNDSWELL_CHECK_MX = False
    me = world.person("Vida", email=volunteer_user.email)
    EmailAddress.objects.create(person=me, address=volunteer_user.email, is_primary=True)
    link = _my_link(client, volunteer_user, post)
    stored = ShareLink.objects.get(user=volunteer_user)
    assert stored.referral_code
    visitor = client.__class__()
    opened = visitor.get(link, HTTP_USER_AGENT=BROWSER)["Location"]
    assert opened == f"/a/{petition.slug}/?refcode=amp-{stored.code}&ref={stored.referral_code}"
    form = visitor.get(opened).content.decode()
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    hidden.pop("csrfmiddlewaretoken", None)
    visitor.post(
        f"/a/{petition.slug}/", {**hidden, "email": "juno@example.org", "given_name": "Juno"}
    )
    submissions_process()  # what the worker does
    referral = Referral.objects.get()
    assert referral.recruiter_id == me.pk and referral.recruit.primary_email == "juno@example.org"
