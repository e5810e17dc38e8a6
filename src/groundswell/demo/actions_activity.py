"""Demo activity on the public pages: signatures, sign-ups and share-link recruits.

Made through the same receive-and-process path as real visitors, so the demo's counts,
timelines, consent and referrals are what the product itself records.
"""

from __future__ import annotations

import random

from groundswell.actions.models import ActionPage, Submission
from groundswell.actions.ratelimit import RateLimited
from groundswell.actions.services import (
    SubmissionInvalid,
    SubmissionMeta,
    referral_code_for,
    submission_receive,
    submissions_process,
)
from groundswell.people.models import Person

REFCODES = ["", "", "fb-spring", "email-0412", "sms-gotv", "yt-bio"]
UTM = [
    ("", "", ""),
    ("facebook", "paid", "spring"),
    ("newsletter", "email", "weekly"),
    ("twitter", "social", "launch"),
]


def demo_submissions_seed(*, count: int = 400, seed: int = 2026) -> int:
    """Sign existing demo supporters up on the demo pages; nothing is done twice."""
    if Submission.objects.exists():
        return 0
    pages = [
        p
        for p in ActionPage.objects.filter(published=True)
        if p.kind in ("signup", "petition", "newsletter")
    ]
    people = list(
        Person.objects.active()
        .exclude(primary_email="")
        .order_by("id")
        .values("id", "given_name", "family_name", "primary_email", "postal_code")[: count * 2]
    )
    if not pages or not people:
        return 0
    rng = random.Random(seed)
    recruiters = rng.sample(people, min(15, len(people)))
    codes = {p["id"]: referral_code_for(Person.objects.get(pk=p["id"])) for p in recruiters}
    made = 0
    for index in range(count):
        page = rng.choice(pages)
        # Most visitors are supporters already; some are new people recruited by a friend.
        if rng.random() < 0.25:
            recruiter = rng.choice(recruiters)
            given = rng.choice(["Ada", "Ben", "Cleo", "Dev", "Esme", "Finn", "Gia", "Hugo"])
            data = {
                "email": f"{given.lower()}.friend{index}@example.net",
                "given_name": given,
                "family_name": "Friend",
                "postal_code": recruiter["postal_code"],
            }
            ref = codes[recruiter["id"]]
        else:
            person = people[index % len(people)]
            data = {
                "email": person["primary_email"],
                "given_name": person["given_name"],
                "family_name": person["family_name"],
                "postal_code": person["postal_code"],
            }
            ref = ""
        source, medium, campaign = rng.choice(UTM)
        meta = SubmissionMeta(
            refcode=rng.choice(REFCODES),
            utm_source=source,
            utm_medium=medium,
            utm_campaign=campaign,
            referral_code=ref,
        )
        fields = {k: v for k, v in data.items() if page.field_mode(k) != "hidden" and v}
        try:
            submission_receive(page=page, token=f"demo-{seed}-{index}", data=fields, meta=meta)
            made += 1
        except (SubmissionInvalid, RateLimited):  # a row a page's rules refuse is skipped
            continue
    while submissions_process(limit=500):
        pass
    return made
