"""What each bounce or complaint means for the address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from groundswell.mailings.bounces import Action, Bounce, Complaint, Verdict, suppression_advise

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def bounce(action: Action, status: str, diagnostic: str = "") -> Bounce:
    return Bounce(
        recipient="odile.brandt@example.org",
        action=action,
        status=status,
        diagnostic=diagnostic,
        message_id="<m1@campaign.example.com>",
        token="d1.x",
        source="dsn",
    )


def complaint(feedback_type: str = "abuse") -> Complaint:
    return Complaint("odile.brandt@example.org", feedback_type, "FBL/1", "<m1@x.example.com>", "")


def test_a_hard_bounce_suppresses_at_once_with_its_code_as_the_reason():
    advice = suppression_advise(
        event=bounce(Action.FAILED, "5.1.1", "550 5.1.1 User unknown"), now=NOW
    )
    assert advice.verdict is Verdict.SUPPRESS
    assert advice.reason == "hard bounce: 5.1.1 550 5.1.1 User unknown"


def test_a_complaint_suppresses_at_once_but_not_spam_does_not():
    assert suppression_advise(event=complaint(), now=NOW).verdict is Verdict.SUPPRESS
    assert suppression_advise(event=complaint("not-spam"), now=NOW).verdict is Verdict.NOTHING


def test_soft_bounces_suppress_only_at_the_third_within_a_week():
    soft = bounce(Action.DELAYED, "4.4.1")
    first = suppression_advise(event=soft, now=NOW)
    assert (first.verdict, first.reason) == (Verdict.COUNT, "soft bounce 1 of 3: 4.4.1")
    recent = [NOW - timedelta(days=1)]
    assert suppression_advise(event=soft, earlier_soft=recent, now=NOW).verdict is Verdict.COUNT
    recent.append(NOW - timedelta(days=6))
    third = suppression_advise(event=soft, earlier_soft=recent, now=NOW)
    assert third.verdict is Verdict.SUPPRESS
    assert third.reason.startswith("3 soft bounces within 7 days")


def test_soft_bounces_older_than_the_window_are_forgiven():
    old = [NOW - timedelta(days=8), NOW - timedelta(days=30)]
    advice = suppression_advise(event=bounce(Action.FAILED, "5.2.2"), earlier_soft=old, now=NOW)
    assert advice.verdict is Verdict.COUNT


def test_the_limit_and_window_are_the_callers_to_set():
    advice = suppression_advise(
        event=bounce(Action.DELAYED, "4.2.0"),
        earlier_soft=[NOW - timedelta(days=20)],
        now=NOW,
        soft_limit=2,
        soft_window=timedelta(days=30),
    )
    assert advice.verdict is Verdict.SUPPRESS


def test_a_delivered_report_changes_nothing():
    assert suppression_advise(event=bounce(Action.DELIVERED, "2.0.0"), now=NOW).verdict is (
        Verdict.NOTHING
    )
