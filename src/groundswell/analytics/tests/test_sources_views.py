"""The sources page and the ad-spend entries: who sees what, exact figures, return on ad spend,
sorting and pages, refused input, and conversion equal to the action page's own figures."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from groundswell.accounts.models import AuditEvent
from groundswell.actions.models import ActionPage, Exposure, PageVariant, Submission
from groundswell.actions.selectors import variant_test
from groundswell.analytics.sources import selectors
from groundswell.analytics.sources.models import AdSpend
from groundswell.analytics.tests.dataset import gift, sources_tag, world_build

pytestmark = pytest.mark.django_db

RANGE = {"start": "2026-01-01", "end": "2026-02-28"}


def _signup(page, refcode: str, n: int = 1, variant=None) -> None:
    for i in range(n):
        Submission.objects.create(
            page=page,
            token=f"t-{refcode}-{i}-{variant and variant.pk}",
            email=f"s{i}@example.org",
            refcode=refcode,
            variant=variant,
            received_at="2026-02-02T15:00Z",
        )


def test_finance_sees_money_spend_and_roas(persona_client, make_user, extract_file):
    sources_tag(world_build())
    page = ActionPage.objects.create(slug="an-join", title="Join", headline="Join")
    _signup(page, "fb-spring", 3)
    _signup(page, "tw-only", 2)  # a refcode only sign-ups carry
    # $30 on fb-* over Feb 1–Feb 28 and $31 on email-0412 over the 31 days of March, of which
    # none fall inside the range; $10 on email-0412 over Jan 31–Feb 1 (both days inside).
    finance = make_user("finance")
    for refcode, match, start, end, cents in (
        ("fb", "prefix", date(2026, 2, 1), date(2026, 2, 28), 3000),
        ("email-0412", "exact", date(2026, 3, 1), date(2026, 3, 31), 3100),
        ("email-0412", "exact", date(2026, 1, 31), date(2026, 2, 1), 1000),
    ):
        AdSpend.objects.create(
            refcode=refcode,
            match=match,
            start=start,
            end=end,
            amount_cents=cents,
            created_by=finance,
        )
    report = selectors.sources_read(
        user=finance,
        start=date(2026, 1, 1),
        end=date(2026, 2, 28),
        dimension="refcode",
        sort=None,
        page=1,
    )
    by_target = {s.target: s for s in report.spend}
    # fb*: net $40 (g2 $20, g4 $20) on $30: 1.33×, one new donor (Rafe) at $30, 3 sign-ups.
    fb = by_target["fb*"]
    assert (fb.cost_cents, fb.net_cents, fb.after_cost_cents, fb.roas) == (
        3000,
        4000,
        1000,
        "1.33×",
    )
    assert (fb.new, fb.cost_per_new_cents, fb.signups) == (1, 3000, 3)
    email = by_target["email-0412"]
    assert (email.cost_cents, email.net_cents, email.roas, email.new) == (1000, 1000, "1.00×", 0)
    assert email.cost_per_new_cents is None
    assert [(ln.label, ln.net_cents, ln.signups) for ln in report.lines] == [
        ("email-eoq", 5000, 0),
        ("fb-spring", 2000, 3),
        ("fb_ads", 2000, 0),
        ("email-0412", 1000, 0),
        ("(none)", 700, 0),
        ("tw-only", 0, 2),
    ]
    response = persona_client("finance").get(reverse("analytics:sources"), RANGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "1.33×" in text and "$30.00" in text and "email-eoq" in text and "$50.00" in text


def test_organizers_see_donor_and_signup_counts_only(persona_client, extract_file):
    sources_tag(world_build())
    page = ActionPage.objects.create(slug="an-join", title="Join", headline="Join")
    _signup(page, "fb-spring", 3)
    AdSpend.objects.create(
        refcode="fb",
        match="prefix",
        start=date(2026, 2, 1),
        end=date(2026, 2, 28),
        amount_cents=3000,
    )
    for role in ("organizer", "volunteer"):
        response = persona_client(role).get(reverse("analytics:sources"), RANGE)
        assert response.status_code == 200
        text = response.content.decode().replace('"$schema"', "")
        assert "$" not in text and "ROAS" not in text
        # A refcode sign-ups carry is shown with its donors; those on gifts alone are not.
        assert "fb-spring" in text and "email-eoq" not in text and "fb_ads" not in text
        channels = persona_client(role).get(
            reverse("analytics:sources"), {**RANGE, "by": "channel"}
        )
        assert b"email" in channels.content
        assert persona_client(role).get(reverse("analytics:spend_list")).status_code == 403


def test_sorting_and_pages(make_user, extract_file, settings):
    world_build()
    for i in range(30):
        gift(f"2026-02-0{1 + i % 9}T15:00Z", 100 * (i + 1), f"N{i}", "Zed", refcode=f"r-{i:02d}")
    user = make_user("finance")
    args = {"start": date(2026, 1, 1), "end": date(2026, 2, 28), "dimension": "refcode"}
    first = selectors.sources_read(user=user, sort="-net", page=1, **args)
    second = selectors.sources_read(user=user, sort="-net", page=2, **args)
    by_name = selectors.sources_read(user=user, sort="key", page=1, **args)
    # 30 refcodes and the 5 of the campaign without one ("" ): 31 lines, 25 a page.
    assert (first.total_lines, first.pager.num_pages, len(first.lines), len(second.lines)) == (
        31,
        2,
        25,
        6,
    )
    nets = [ln.net_cents for ln in first.lines + second.lines]
    assert nets == sorted(nets, reverse=True)
    assert by_name.lines[0].label == "(none)" and by_name.lines[1].label == "r-00"
    past = selectors.sources_read(user=user, sort="-net", page=9, **args)
    assert past.number == 2


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-02-30"},
        {"start": "yesterday"},
        {"start": "2026-03-01", "end": "2026-02-01"},
        {"start": "1999-12-31"},
        {"start": "2000-01-01", "end": "2026-01-01"},
        {"by": "weather"},
        {"sort": "-salary"},
        {"page": "0"},
        {"page": "99999999999999999999"},
        {"start": "\x00"},
    ],
)
def test_bad_input_is_refused_plainly(persona_client, extract_file, query, caplog):
    response = persona_client("finance").get(reverse("analytics:sources"), query)
    assert response.status_code == 400
    assert b"That cannot be shown" in response.content
    assert "analytics: refused" in caplog.text


def test_empty_range_says_so(persona_client, extract_file):
    response = persona_client("finance").get(reverse("analytics:sources"))
    assert response.status_code == 200
    assert b"Nothing came in over these days" in response.content
    assert b"No ad spend entered" in response.content


def test_conversion_is_the_action_pages_own(persona_client, make_user, extract_file):
    """One figure, one definition: views and submissions per variant as the page shows them."""
    page = ActionPage.objects.create(slug="an-test", title="Test page", headline="Join")
    a = PageVariant.objects.create(page=page, name="A")
    b = PageVariant.objects.create(page=page, name="B")
    for i in range(8):
        Exposure.objects.create(variant=a if i < 5 else b, visitor=f"v{i}")
    _signup(page, "", 2, variant=a)
    _signup(page, "x", 1, variant=b)
    ActionPage.objects.filter(pk=page.pk).update(submission_count=3)
    ActionPage.objects.create(slug="an-plain", title="Plain", headline="Hi")
    rows = selectors.conversion_rows(user=make_user("organizer"))
    row = next(r for r in rows if r.page.pk == page.pk)
    theirs = variant_test(page=page).results
    assert (
        [(v.variant.name, v.exposures, v.conversions) for v in row.variants]
        == [(t.variant.name, t.exposures, t.conversions) for t in theirs]
        == [("A", 5, 2), ("B", 3, 1)]
    )
    assert (row.views, row.conversions, f"{row.percent:.1f}") == (8, 3, "37.5")
    plain = next(r for r in rows if r.page.slug == "an-plain")
    assert (plain.views, plain.percent, plain.variants) == (0, None, [])
    html = persona_client("organizer").get(reverse("analytics:sources")).content.decode()
    assert "Test page" in html and "37.5%" in html


def test_spend_entry_is_validated_saved_in_cents_and_audited(persona_client, extract_file):
    client = persona_client("finance")
    url = reverse("analytics:spend_list")
    good = {
        "refcode": "fb-spring",
        "match": "exact",
        "start": "2026-02-01",
        "end": "2026-02-28",
        "amount": "$1,250.5",
        "note": "Meta",
    }
    response = client.post(url, good)
    assert response.status_code == 302
    spend = AdSpend.objects.get()
    assert (spend.amount_cents, spend.refcode, spend.days) == (125050, "fb-spring", 28)
    event = AuditEvent.objects.get(action="analytics.spend_add")
    assert event.details["amount_cents"] == 125050 and "$1,250.50" in event.summary
    for bad in (
        {"amount": "12.345"},
        {"amount": "-5"},
        {"amount": "0"},
        {"refcode": "has space"},
        {"end": "2026-01-01"},
        {"end": "2027-03-01"},
    ):
        refused = client.post(url, {**good, **bad})
        assert refused.status_code == 400, bad
    assert AdSpend.objects.count() == 1
    assert b"fb-spring" in client.get(url).content
    deleted = client.post(reverse("analytics:spend_delete", args=[spend.pk]))
    assert deleted.status_code == 302 and not AdSpend.objects.exists()
    assert AuditEvent.objects.filter(action="analytics.spend_delete").count() == 1
    assert client.get(reverse("analytics:spend_delete", args=[1])).status_code == 405
    assert persona_client("organizer").post(url, good).status_code == 403


def test_column_headers_sort_both_ways(persona_client, extract_file):
    sources_tag(world_build())
    client = persona_client("finance")
    by_name = client.get(reverse("analytics:sources"), {**RANGE, "sort": "key"}).content.decode()
    assert 'aria-sort="ascending"><a href="?start=2026-01-01&amp;end=2026-02-28&amp;sort=-key"' in (
        by_name
    )
    # Ascending by name: "(none)" first, then email-0412.
    assert by_name.index(">(none)<") < by_name.index(">email-0412<") < by_name.index(">fb_ads<")
    by_net = client.get(reverse("analytics:sources"), {**RANGE, "sort": "-net"}).content.decode()
    assert by_net.index(">email-eoq<") < by_net.index(">email-0412<") < by_net.index(">(none)<")
    assert 'aria-sort="descending"><a href="?start=2026-01-01&amp;end=2026-02-28&amp;sort=net"' in (
        by_net
    )


def test_signups_by_utm_source_and_medium(persona_client, make_user, extract_file):
    page = ActionPage.objects.create(slug="an-utm", title="Join", headline="Join")
    for i, (source, medium, status) in enumerate(
        [
            ("facebook", "social", "received"),
            ("facebook", "social", "processed"),
            ("facebook", "social", "failed"),  # not a sign-up
            ("newsletter", "email", "received"),
            ("", "", "received"),
        ]
    ):
        Submission.objects.create(
            page=page,
            token=f"u{i}",
            email=f"u{i}@example.org",
            utm_source=source,
            utm_medium=medium,
            status=status,
            received_at="2026-02-02T15:00Z",
        )
    Submission.objects.create(  # before the range
        page=page,
        token="old",
        email="o@example.org",
        utm_source="facebook",
        utm_medium="social",
        received_at="2025-12-31T15:00Z",
    )
    report = selectors.sources_read(
        user=make_user("organizer"),
        start=date(2026, 1, 1),
        end=date(2026, 2, 28),
        dimension="channel",
        sort=None,
        page=1,
    )
    assert report.utm == [("facebook", "social", 2), ("", "", 1), ("newsletter", "email", 1)]
    html = persona_client("volunteer").get(reverse("analytics:sources"), RANGE).content.decode()
    assert "newsletter" in html


def test_overview_links_to_sources(persona_client, extract_file):
    page = persona_client("organizer").get(reverse("analytics:overview"))
    assert reverse("analytics:sources").encode() in page.content


# ---------------------------------------------------------------- segment and comparison

FEBRUARY = {"start": "2026-02-01", "end": "2026-02-28", "compare": "previous"}


def _compared(html: str) -> dict[str, list[str]]:
    """The totals table's rows by figure: this range, the comparison period, the change."""
    rows = re.findall(r'<tr data-compared="(\w+)"><th scope="row">[^<]*</th>(.*?)</tr>', html)
    return {key: re.findall(r"<td[^>]*>([^<]*)</td>", cells) for key, cells in rows}


def _signups_of_people(world: dict) -> None:
    """Pia signs up through fb-spring on Feb 2 (from a Facebook ad) and someone no record
    holds yet does too; Rafe signs up through email-eoq on Jan 20 (the previous period)."""
    page = ActionPage.objects.create(slug="an-seg", title="Join", headline="Join")
    for token, person, refcode, day, source in (
        ("pia", world["p1"], "fb-spring", "2026-02-02T15:00Z", "facebook"),
        ("anon", None, "fb-spring", "2026-02-02T16:00Z", "facebook"),
        ("rafe", world["p2"], "email-eoq", "2026-01-20T15:00Z", "newsletter"),
    ):
        Submission.objects.create(
            page=page,
            token=token,
            email=f"{token}@example.org",
            refcode=refcode,
            person=person,
            utm_source=source,
            utm_medium="social",
            received_at=day,
        )


def test_february_beside_the_28_days_before(persona_client, extract_file):
    """February 2026 holds g2 (Pia, $25 less $5 refunded), g4 (Rafe, $20) and g6 (Dave, $30
    refunded: gross only); January 4–31 holds g1 (Pia, $10), g3 (R. Quill, Rafe's cluster,
    $50) and g5 (Carol, $7). Pia gave first in 2025, so February has no new donor; Rafe and
    Carol are new in January."""
    world = sources_tag(world_build())
    _signups_of_people(world)
    html = persona_client("finance").get(reverse("analytics:sources"), FEBRUARY).content.decode()
    assert "Compared with Jan 4, 2026 – Jan 31, 2026" in html
    assert _compared(html) == {
        "count": ["2", "3", "-1 (-33%)"],
        "gross_cents": ["$75.00", "$67.00", "+$8.00 (+12%)"],
        "net_cents": ["$40.00", "$67.00", "-$27.00 (-40%)"],
        "donors": ["2", "3", "-1 (-33%)"],
        "new": ["0", "2", "-2 (-100%)"],
        "signups": ["2", "1", "+1 (+100%)"],
    }
    # An organizer compares donors and sign-ups only.
    theirs = persona_client("organizer").get(reverse("analytics:sources"), FEBRUARY)
    assert list(_compared(theirs.content.decode())) == ["donors", "new", "signups"]
    assert "$" not in theirs.content.decode().replace('"$schema"', "")


def test_a_segment_counts_its_donors_and_their_signups(persona_client, make_user, extract_file):
    """Pia's segment: in February her g2 through fb-spring ($25 gross, $20 net) and her own
    sign-up (not the anonymous one); in January 4–31 her g1 ($10) and no sign-up. Dave's
    refunded gift and Rafe's are not hers."""
    from groundswell.analytics.tests.test_filters import snapshot

    world = sources_tag(world_build())
    _signups_of_people(world)
    segment = snapshot("Pia", world["p1"])
    query = {**FEBRUARY, "segment": str(segment.pk)}
    html = persona_client("finance").get(reverse("analytics:sources"), query).content.decode()
    assert _compared(html) == {
        "count": ["1", "1", "0 (0%)"],
        "gross_cents": ["$25.00", "$10.00", "+$15.00 (+150%)"],
        "net_cents": ["$20.00", "$10.00", "+$10.00 (+100%)"],
        "donors": ["1", "1", "0 (0%)"],
        "new": ["0", "0", "0"],
        "signups": ["1", "0", "+1"],
    }
    assert "count only the 1 person of the segment “Pia”" in html
    report = selectors.sources_read(
        user=make_user("finance"),
        start=date(2026, 2, 1),
        end=date(2026, 2, 28),
        dimension="refcode",
        sort=None,
        page=1,
        segment=segment,
    )
    assert [
        (ln.label, ln.count, ln.gross_cents, ln.net_cents, ln.donors, ln.signups)
        for ln in report.lines
    ] == [("fb-spring", 1, 2500, 2000, 1, 1)]
    assert report.utm == [("facebook", "social", 1)]
    assert report.before is None and report.before_totals == {}
    # Rafe's segment brings his whole cluster: g4 in February and g3 (as "R. Quill") before,
    # his first gift, so he is new in the previous period.
    rafe = snapshot("Rafe", world["p2"])
    html = (
        persona_client("organizer")
        .get(reverse("analytics:sources"), {**FEBRUARY, "segment": str(rafe.pk), "by": "channel"})
        .content.decode()
    )
    assert _compared(html) == {
        "donors": ["1", "1", "0 (0%)"],
        "new": ["0", "1", "-1 (-100%)"],
        "signups": ["0", "1", "-1 (-100%)"],
    }
    # The sort links keep the segment and the comparison.
    assert f"segment={rafe.pk}" in re.search(r'aria-sort="[^"]+"><a href="([^"]+)"', html).group(1)


def test_a_segments_signups_are_counted_as_the_actions_app_counts_them(extract_file):
    """One figure, one definition: the page narrows ``submission_counts_by_refcode`` and
    ``submission_counts_by_utm`` to the segment's people, and the counts are the hand counts
    (a failed submission is no sign-up; someone outside the segment is not counted)."""
    from groundswell.analytics.tests.test_filters import snapshot
    from groundswell.donations.selectors import DateRange
    from groundswell.segments.selectors import segment_people

    world = world_build()
    page = ActionPage.objects.create(slug="an-same", title="Join", headline="Join")
    for token, person, refcode, status, utm in (
        ("a", world["p1"], "fb-spring", "received", "facebook"),
        ("b", world["p1"], "fb-spring", "failed", "facebook"),
        ("c", world["p2"], "email-eoq", "processed", "email"),
        ("d", world["p2"], "", "received", ""),
        ("e", world["p1"], "email-eoq", "processed", "email"),
    ):
        Submission.objects.create(
            page=page,
            token=token,
            email=f"{token}@example.org",
            refcode=refcode,
            utm_source=utm,
            person=person,
            status=status,
            received_at="2026-02-02T15:00Z",
        )
    period = DateRange(date(2026, 2, 1), date(2026, 2, 28))

    def ids(*people):
        segment = snapshot(f"Of {len(people)}", *people)
        return segment_people(segment=segment).values_list("pk", flat=True)

    pia = ids(world["p1"])
    assert selectors._signups(period, pia) == {"fb-spring": 1, "email-eoq": 1}
    assert selectors._utm(period, pia) == [("email", "", 1), ("facebook", "", 1)]
    both = ids(world["p1"], world["p2"])
    assert selectors._signups(period, both) == {"fb-spring": 1, "email-eoq": 2, "": 1}
    assert selectors._signups(period) == selectors._signups(period, both)
    assert selectors._utm(period, both) == [("email", "", 2), ("", "", 1), ("facebook", "", 1)]


def test_an_empty_segment_says_so_on_the_sources_page(persona_client, extract_file):
    from groundswell.analytics.tests.test_filters import snapshot

    sources_tag(world_build())
    segment = snapshot("Nobody yet")
    query = {**RANGE, "segment": str(segment.pk)}
    response = persona_client("finance").get(reverse("analytics:sources"), query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No one is in the segment “Nobody yet” now" in html
    assert "Nothing came in over these days" in html
    totals = dict(re.findall(r'<dd data-total="(\w+)">([^<]*)</dd>', html))
    assert totals == {
        "count": "0",
        "gross_cents": "$0.00",
        "net_cents": "$0.00",
        "donors": "0",
        "new": "0",
        "signups": "0",
    }


@pytest.mark.parametrize(
    ("role", "query", "message"),
    [
        ("finance", {"segment": "999999"}, "There is no such segment you can see."),
        ("finance", {"segment": "-1"}, "There is no such segment you can see."),
        ("finance", {"segment": "seg"}, "There is no such segment you can see."),
        ("organizer", {"segment": "GIVING"}, "There is no such segment you can see."),
        ("finance", {"compare": "decade"}, "Select a valid choice"),
        ("finance", {"compare": "previous", "end": "2026-02-30"}, "Enter a valid date"),
    ],
)
def test_a_bad_segment_or_comparison_is_refused_plainly(
    persona_client, extract_file, caplog, role, query, message
):
    from groundswell.accounts.roles import FINANCE_VIEW
    from groundswell.analytics.tests.test_filters import snapshot

    giving = snapshot("Big givers", needs=FINANCE_VIEW)
    if query.get("segment") == "GIVING":
        query = {**query, "segment": str(giving.pk)}
    response = persona_client(role).get(reverse("analytics:sources"), query)
    assert response.status_code == 400
    assert b"That cannot be shown" in response.content
    assert message in response.content.decode()
    assert "analytics: refused" in caplog.text
    # A segment only finance may see is not offered to an organizer.
    offered = persona_client("organizer").get(reverse("analytics:sources")).content.decode()
    assert "Big givers" not in offered
    assert (
        "Big givers" in persona_client("finance").get(reverse("analytics:sources")).content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_a_segment_and_a_comparison_on_each_engine(settings, engine_name, make_user):
    """Rafe's segment, February beside the 28 days before, on the DuckDB extract and read
    directly from PostgreSQL (which sees only committed rows: hence a transactional test)."""
    from groundswell.analytics.tests.test_filters import snapshot

    settings.GROUNDSWELL_ANALYTICS_ENGINE = engine_name
    world = sources_tag(world_build())
    report = selectors.sources_read(
        user=make_user("finance"),
        start=date(2026, 2, 1),
        end=date(2026, 2, 28),
        dimension="refcode",
        sort=None,
        page=1,
        segment=snapshot("Rafe", world["p2"]),
        compare="previous",
    )
    assert report.engine == engine_name
    assert [(ln.label, ln.net_cents, ln.donors, ln.new) for ln in report.lines] == [
        ("fb_ads", 2000, 1, 0)
    ]
    assert [(r.key, r.value, r.before) for r in report.totals_rows] == [
        ("count", 1, 1),
        ("gross_cents", 2000, 5000),
        ("net_cents", 2000, 5000),
        ("donors", 1, 1),
        ("new", 0, 1),
        ("signups", 0, 0),
    ]
