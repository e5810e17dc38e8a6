"""Page variants and mailing variants by segment, counted by hand; the overall figures are the
page's A/B report and the mailing test's report (one figure, one definition)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.actions.models import ActionPage, Exposure, PageVariant, Submission
from groundswell.actions.selectors import variant_test
from groundswell.actions.services import SubmissionMeta, submission_receive
from groundswell.analytics.planning.selectors import mailing_figures, page_figures
from groundswell.analytics.planning.tests.world import answer
from groundswell.core.periods import days_range
from groundswell.mailings.abtests.selectors import abtest_results
from groundswell.mailings.abtests.services import variant_mailings_build
from groundswell.mailings.abtests.tests.helpers import abtest_make
from groundswell.mailings.models import (
    AbTestState,
    Delivery,
    DeliveryState,
    Engagement,
    EngagementKind,
    HitClass,
    MailingStatus,
)
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def _always():
    return days_range(date(2000, 1, 1), timezone.localdate())


def _variant_world():
    """A sign-up page with variants Short (4 visitors) and Long (6 visitors).

    Short: ada (OH) and bo (OH) signed. Long: dee (PA) signed, and one sign-up not yet
    turned into a person.
    """
    page = ActionPage.objects.create(
        kind=ActionPage.Kind.SIGNUP,
        slug="pledge",
        title="Take the pledge",
        headline="Pledge",
        fields={"given_name": "optional", "state": "optional"},
    )
    short = PageVariant.objects.create(page=page, name="Short", headline="Pledge now")
    long = PageVariant.objects.create(page=page, name="Long", headline="Read and pledge")
    for variant, visitors in ((short, 4), (long, 6)):
        Exposure.objects.bulk_create(
            Exposure(variant=variant, visitor=f"{variant.name}-{n}") for n in range(visitors)
        )
    for name, state, variant in (("ada", "OH", short), ("bo", "OH", short), ("dee", "PA", long)):
        answer(page, name, state, [], variant_id=variant.pk)
    submission_receive(  # received, not processed: no person yet
        page=page,
        token="waiting",
        data={"email": "wren@planning.example.org", "state": "PA"},
        meta=SubmissionMeta(variant_id=long.pk),
    )
    return page


def test_page_variants_overall_are_the_pages_ab_report_and_split_by_segment(make_user):
    page = _variant_world()
    [figures] = page_figures(user=make_user("organizer"), dimension="state", during=_always())
    report = variant_test(page=page).results
    assert [(o.name, o.exposures, o.conversions) for o in figures.overall] == [
        (r.variant.name, r.exposures, r.conversions) for r in report
    ]
    assert [(o.exposures, o.conversions) for o in figures.overall] == [(4, 2), (6, 2)]
    assert figures.unmatched == 1
    split = {
        seg.label: [(c.name, c.signups.k, c.signups.n) for c in seg.cells]
        for seg in figures.segments
    }
    assert split == {
        "Everyone": [("Short", 2, 4), ("Long", 2, 4)],
        "OH": [("Short", 2, 2), ("Long", 0, 2)],
        "PA": [("Short", 0, 1), ("Long", 1, 1)],
    }
    assert [c.visitor_share for c in figures.segments[0].cells] == [0.4, 0.6]
    # Three sign-ups in a segment are too few to say a variant converted it better.
    assert all(seg.too_few for seg in figures.segments)


def test_a_date_range_counts_the_visitors_and_sign_ups_inside_it(make_user):
    page = _variant_world()
    Exposure.objects.filter(visitor__in=["Long-0", "Long-1"]).update(
        seen_at=timezone.now().replace(year=2021)
    )
    Submission.objects.filter(page=page, email__startswith="dee").update(
        received_at=timezone.now().replace(year=2021)
    )
    today = timezone.localdate()
    [figures] = page_figures(
        user=make_user("organizer"), dimension="state", during=days_range(today, today)
    )
    assert [(o.exposures, o.conversions) for o in figures.overall] == [(4, 2), (4, 1)]


def _mail_world(mailing_make, admin_user):
    """A clicks test: A sent to p0, p1 (OH) and p4 (PA); B to p2, p3 (OH) and p5 (PA).

    A: p0 opened (a person) and clicked, p1 opened through an image proxy, p4's open was a
    scanner's (not a person's) but p4 signed a form through A's link. B: p2 opened and
    clicked, p3 clicked.
    """
    people = [
        Person.objects.create(
            given_name=f"P{n}", primary_email=f"p{n}@planning.example.org", state=state
        )
        for n, state in enumerate(["OH", "OH", "OH", "OH", "PA", "PA"])
    ]
    mailing = mailing_make(refcode="spring", status=MailingStatus.TESTING)
    test = abtest_make(mailing, metric="clicks")
    variants = variant_mailings_build(test=test, actor=admin_user)
    for variant in variants:
        variant.status = MailingStatus.SENT
        variant.save()
    a, b = variants
    for variant, who in ((a, [0, 1, 4]), (b, [2, 3, 5])):
        Delivery.objects.bulk_create(
            Delivery(
                mailing=variant,
                person=people[n],
                address=people[n].primary_email,
                state=DeliveryState.SENT,
                sent_at=timezone.now(),
            )
            for n in who
        )
    hits = [
        (a, 0, EngagementKind.OPEN, HitClass.HUMAN),
        (a, 0, EngagementKind.CLICK, HitClass.HUMAN),
        (a, 1, EngagementKind.OPEN, HitClass.PROXIED),
        (a, 4, EngagementKind.OPEN, HitClass.SCANNER),
        (b, 2, EngagementKind.OPEN, HitClass.HUMAN),
        (b, 2, EngagementKind.CLICK, HitClass.HUMAN),
        (b, 3, EngagementKind.CLICK, HitClass.HUMAN),
    ]
    Engagement.objects.bulk_create(
        Engagement(mailing=m, person=people[n], kind=kind, hit_class=hit)
        for m, n, kind, hit in hits
    )
    page = ActionPage.objects.create(slug="act", title="Act", headline="Act")
    Submission.objects.create(
        page=page, token="p4", email=people[4].primary_email, person=people[4], refcode=a.refcode
    )
    test.state = AbTestState.TESTING
    test.started_at = timezone.now()
    test.save()
    return test


def _rows(segment) -> list[tuple]:
    return [(r.letter, r.sent, *[(s.k, s.n) for _, s, _ in r.rates]) for r in segment.rows]


def test_mailing_variants_by_segment_and_overall_the_tests_own_report(mailing_make, admin_user):
    test = _mail_world(mailing_make, admin_user)
    [figures] = mailing_figures(user=admin_user, dimension="state", during=_always())
    everyone, oh, pa = figures.segments
    assert [s.label for s in figures.segments] == ["Everyone", "OH", "PA"]
    # (letter, sent, opened, clicked, acted)
    assert _rows(everyone) == [("A", 3, (2, 3), (1, 3), (1, 3)), ("B", 3, (1, 3), (2, 3), (0, 3))]
    assert _rows(oh) == [("A", 2, (2, 2), (1, 2), (0, 2)), ("B", 2, (1, 2), (2, 2), (0, 2))]
    assert _rows(pa) == [("A", 1, (0, 1), (0, 1), (1, 1)), ("B", 1, (0, 1), (0, 1), (0, 1))]
    # The test's own report counts the same recipients and responders, whatever its metric.
    for index, metric in enumerate(("opens", "clicks", "actions")):
        test.metric = metric
        report = abtest_results(test=test)
        assert [(r.sent, r.responders) for r in report.rows] == [
            (row.sent, row.rates[index][1].k) for row in everyone.rows
        ]
    assert everyone.too_few and not any(leads for r in everyone.rows for _, _, leads in r.rates)


def test_the_page_shows_the_tests_variants_with_a_link_for_those_who_send(
    mailing_make, admin_user, persona_client
):
    test = _mail_world(mailing_make, admin_user)
    link = reverse("mailings:abtest", args=[test.mailing_id]).encode()
    url = reverse("analytics:planning:planning")
    organizer = persona_client("organizer").get(url)
    assert organizer.status_code == 200 and link in organizer.content
    assert b"B: the deadline is tonight" in organizer.content
    volunteer = persona_client("volunteer").get(url)
    assert volunteer.status_code == 200 and link not in volunteer.content
    assert b"B: the deadline is tonight" in volunteer.content
