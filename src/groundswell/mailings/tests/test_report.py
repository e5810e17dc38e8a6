"""The mailing report: one selector computes every figure, the page shows the same, and only
finance roles see money."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groundswell.actions.models import ActionPage, Submission
from groundswell.donations.models import Contribution
from groundswell.mailings.bounces.services import KIND_BOUNCED, KIND_COMPLAINT
from groundswell.mailings.models import Delivery, DeliveryState, Engagement, MailingStatus
from groundswell.mailings.report import mailing_report
from groundswell.mailings.services import delivery_unsubscribe
from groundswell.mailings.tests.conftest import person_make
from groundswell.people.models import Activity

pytestmark = pytest.mark.django_db


def _deliver(mailing, person, state=DeliveryState.SENT):
    delivery = Delivery.objects.create(
        mailing=mailing,
        person=person,
        address=person.primary_email,
        state=state,
        sent_at=timezone.now() - timedelta(hours=2),
    )
    delivery.message_id = f"<{delivery.token}.{mailing.effective_refcode}@campaign.example.org>"
    delivery.save(update_fields=["message_id"])
    return delivery


def _hit(delivery, kind, hit_class, link_index=None):
    Engagement.objects.create(
        delivery=delivery,
        mailing=delivery.mailing,
        person=delivery.person,
        kind=kind,
        hit_class=hit_class,
        link_index=link_index,
    )


_gifts = [0]


def _gift(person, cents, refcode, **fields):
    _gifts[0] += 1
    return Contribution.objects.create(
        person=person,
        amount_cents=cents,
        received_at=timezone.now(),
        processor="offline",
        processor_id=f"report-{_gifts[0]}",
        refcode=refcode,
        **fields,
    )


@pytest.fixture
def reported(mailing_make):
    """A sent mailing with each kind of outcome, and the same outcomes for another mailing
    that must not leak into its figures."""
    mailing = mailing_make(refcode="spring-m1", status=MailingStatus.SENT)
    other = mailing_make(name="Other", refcode="other-m2", status=MailingStatus.SENT)
    ada, bo, cy, di, ed = (person_make(f"{n}@one.example") for n in ("ada", "bo", "cy", "di", "ed"))
    d = {p.given_name: _deliver(mailing, p) for p in (ada, bo, cy, di)}
    _deliver(mailing, ed, DeliveryState.FAILED)
    elsewhere = _deliver(other, cy)
    _hit(d["Ada"], "open", "machine")
    _hit(d["Ada"], "open", "human")
    _hit(d["Ada"], "click", "proxied", 0)
    _hit(d["Bo"], "open", "machine")
    _hit(d["Cy"], "click", "scanner", 1)
    _hit(elsewhere, "open", "human")
    _hit(elsewhere, "click", "human", 0)
    delivery_unsubscribe(delivery=d["Bo"], scope="all")
    delivery_unsubscribe(delivery=d["Cy"], scope="kind")
    delivery_unsubscribe(delivery=elsewhere, scope="all")
    Activity.objects.create(
        person=di, kind=KIND_BOUNCED, summary="b", data={"message_id": d["Di"].message_id}
    )
    Activity.objects.create(person=di, kind=KIND_COMPLAINT, summary="c", data={})  # no id kept
    Activity.objects.create(
        person=cy, kind=KIND_COMPLAINT, summary="c", data={"message_id": elsewhere.message_id}
    )
    page = ActionPage.objects.create(slug="p", title="P", headline="P", kind="petition")
    for n, (who, refcode) in enumerate([(ada, "spring-m1"), (ada, "spring-m1"), (bo, "other-m2")]):
        Submission.objects.create(
            page=page, token=f"t{n}", email=who.primary_email, person=who, refcode=refcode
        )
    _gift(ada, 5_000, "spring-m1")
    _gift(bo, 3_000, "spring-m1", status="partially_refunded", refunded_cents=1_000)
    _gift(cy, 2_000, "spring-m1", status="voided")
    _gift(di, 9_999, "other-m2")
    return mailing


def test_the_report_counts_each_outcome_once_per_person_and_only_this_mailings(
    reported, admin_user
):
    report = mailing_report(mailing=reported, user=admin_user)
    assert (report.recipients, report.sent, report.failed, report.unknown) == (5, 4, 1, 0)
    assert (report.opened, report.opened_machine_only) == (1, 1)
    assert (report.clicked, report.clicked_scanner_only) == (1, 1)
    assert (report.unsubscribed, report.unsubscribed_kind) == (1, 1)
    assert (report.bounced, report.complained) == (1, 0)
    assert report.delivered == 3
    assert (report.actions, report.action_people) == (2, 1)
    assert report.money.donors == 2
    assert report.money.net_cents == 7_000  # 50.00 + (30.00 − 10.00 refunded); voided: nothing
    assert report.money.per_thousand_cents == 7_000 * 1000 // 4
    assert report.rates["opened"] == 25.0


def _page_figures(content: str) -> dict[str, int]:
    found = re.findall(r'data-figure="(\w+)"(?: data-cents="(-?\d+)")?>([^<]*)<', content)
    return {
        name: int(cents) if cents else int(shown.replace(",", "")) for name, cents, shown in found
    }


def test_the_page_shows_exactly_the_selectors_figures_to_a_finance_role(
    reported, client, admin_user
):
    client.force_login(admin_user)
    response = client.get(reverse("mailings:detail", args=[reported.pk]))
    assert response.status_code == 200
    report = mailing_report(mailing=reported, user=admin_user)
    shown = _page_figures(response.content.decode())
    expected = {
        name: getattr(report, name)
        for name in (
            "recipients sent delivered failed unknown suppressed opened opened_machine_only "
            "clicked clicked_scanner_only unsubscribed unsubscribed_kind bounced complained "
            "actions action_people"
        ).split()
    }
    expected |= {
        "donors": report.money.donors,
        "net_cents": report.money.net_cents,
        "per_thousand_cents": report.money.per_thousand_cents,
    }
    assert shown == expected
    assert "$70.00" in response.content.decode()


def test_a_sender_without_finance_access_sees_the_report_but_no_money(
    reported, client, organizer_user
):
    assert mailing_report(mailing=reported, user=organizer_user).money is None
    client.force_login(organizer_user)
    response = client.get(reverse("mailings:detail", args=[reported.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    shown = _page_figures(content)
    assert shown["opened"] == 1 and shown["actions"] == 2
    assert not {"donors", "net_cents", "per_thousand_cents"} & set(shown)
    assert "$" not in content and "Donors" not in content


def test_a_mailing_not_sent_yet_says_so_instead_of_a_table_of_zeros(
    mailing_make, client, admin_user
):
    mailing = mailing_make()
    client.force_login(admin_user)
    response = client.get(reverse("mailings:detail", args=[mailing.pk]))
    assert "Nothing has been sent yet" in response.content.decode()
    assert "data-figure" not in response.content.decode()


def test_merging_two_recipients_of_one_mailing_keeps_their_opens_and_clicks(
    mailing_make, admin_user
):
    from groundswell.people.merge import person_merge, person_merge_undo

    mailing = mailing_make(status=MailingStatus.SENT)
    ada, ada_too = person_make("ada@one.example"), person_make("ada.work@two.example")
    first, second = _deliver(mailing, ada), _deliver(mailing, ada_too)
    _hit(first, "open", "human")
    _hit(second, "click", "human", 0)
    record = person_merge(survivor=ada, merged=ada_too)
    # The engagement follows the person into the survivor (the delivery stays on the ledger).
    assert set(Engagement.objects.values_list("person_id", "kind")) == {
        (ada.pk, "open"),
        (ada.pk, "click"),
    }
    report = mailing_report(mailing=mailing, user=admin_user)
    assert (report.opened, report.clicked) == (1, 1)
    person_merge_undo(record=record)
    assert set(Engagement.objects.values_list("person_id", "kind")) == {
        (ada.pk, "open"),
        (ada_too.pk, "click"),
    }
