"""What the public pages' data loses when a person is erased: what they typed into our forms,
where they came from, and their share code (their link stops naming them)."""

from __future__ import annotations

from groundswell.actions.models import ReferralCode, Submission


def person_erase(*, person, actor) -> list[str]:
    """Strip the personal fields of a person's submissions and remove their share code."""
    done = []
    # The row stays (a page's signature count and its A/B test keep counting it), anonymous.
    count = Submission.objects.filter(person=person).update(
        data={}, email="", ip_address=None, referrer="", refcode="", referral_code=""
    )
    if count:
        done.append(f"personal fields removed from {count} form submission(s)")
    codes, _ = ReferralCode.objects.filter(person=person).delete()
    if codes:
        done.append("share code removed")
    return done
