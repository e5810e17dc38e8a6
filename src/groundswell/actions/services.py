"""Public submissions: receive them fast, then turn them into people, tags, consent and actions.

A submission is validated and stored as received in one insert, committed before the visitor
is told "thank you"; a background task (or the thank-you page, whichever runs first) then
upserts the person through the same rules as every other intake. Both paths share
``submissions_process``, which is idempotent: a submission is processed once.
"""

from __future__ import annotations

import logging
import secrets
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from groundswell.actions.choices import HELP_KEYS, HELP_OPTIONS, PAGE_FIELD_NAMES
from groundswell.actions.models import (
    ActionPage,
    CampaignSite,
    CustomQuestion,
    Exposure,
    IssuePosition,
    PageVariant,
    Referral,
    ReferralCode,
    Submission,
)
from groundswell.actions.ratelimit import submission_rate_check
from groundswell.core.untrusted import text_clean
from groundswell.people.intake import FIELDS, person_input_clean
from groundswell.people.models import ConsentMethod, Person
from groundswell.people.services import IntakeContext, ItemExtra, people_upsert

logger = logging.getLogger(__name__)

MAX_ANSWER = 2000
EMBED_TOKEN_MAX_AGE = 24 * 3600
PROCESSING_WINDOW = 1  # seconds


class SubmissionInvalid(ValueError):
    """The form has errors; ``errors`` maps a field name to a reader-facing message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass
class SubmissionMeta:
    """Where the visitor came from: refcode, UTM parameters, referrer, a share code."""

    refcode: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    referrer: str = ""
    referral_code: str = ""
    variant_id: int | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_params(cls, params, *, referrer: str = "", variant_id: int | None = None):
        def get(name: str, limit: int = 100) -> str:
            return " ".join(_text(params.get(name)).split())[:limit]

        return cls(
            refcode=get("refcode") or get("source"),
            utm_source=get("utm_source"),
            utm_medium=get("utm_medium"),
            utm_campaign=get("utm_campaign"),
            referrer=_text(referrer)[:500],
            referral_code=get("ref", 16),
            variant_id=variant_id,
        )


def site_get() -> CampaignSite:
    """The campaign's public identity (created with defaults on first use)."""
    site, _ = CampaignSite.objects.get_or_create(pk=1)
    return site


# ---------------------------------------------------------------- validation


def page_form_clean(page: ActionPage, data) -> tuple[dict, dict]:
    """Validate a submitted form; return (raw person fields, answers) or raise SubmissionInvalid.

    Person fields go through the same cleaning as imports, so errors read alike everywhere.
    """
    errors: dict[str, str] = {}
    raw = _person_fields_clean(page, data, errors)
    answers: dict = {}
    for question in page.questions.all():
        _answer_clean(question, data, errors, answers)
    if page.kind == ActionPage.Kind.PARTICIPATION:
        _participation_clean(data, errors, answers)
    if errors:
        raise SubmissionInvalid(errors)
    return raw, answers


def _person_fields_clean(page: ActionPage, data, errors: dict[str, str]) -> dict[str, str]:
    raw: dict[str, str] = {}
    for name in PAGE_FIELD_NAMES:
        mode = page.field_mode(name)
        if mode == "hidden":
            continue
        value = _text(data.get(name))
        if len(value) > 300:
            errors[name] = "is too long (300 characters at most)."
            continue
        if not value.strip():
            if mode == "required":
                errors[name] = "is required."
            continue
        raw[name] = value
    if page.subscribes:
        raw["email_status"] = "subscribed"
    _, field_errors = person_input_clean(raw)
    for err in field_errors:
        name = err.field or "email"
        if name not in errors:
            errors[name] = err.reason[:1].upper() + err.reason[1:] + "."
    return raw


def _answer_clean(question: CustomQuestion, data, errors: dict[str, str], answers: dict) -> None:
    key = f"q_{question.key}"
    if question.kind == CustomQuestion.Kind.MULTI:
        values = [str(v) for v in _getlist(data, key)]
        bad = [v for v in values if v not in question.choices]
        if bad:
            errors[key] = "Choose from the options given."
        elif question.required and not values:
            errors[key] = "Choose at least one."
        answers[question.key] = values
        return
    value = (
        " ".join(_text(data.get(key)).split())
        if question.kind != CustomQuestion.Kind.LONG_TEXT
        else _text(data.get(key)).strip()
    )
    if question.kind == CustomQuestion.Kind.CHECKBOX:
        value = "yes" if value.lower() in {"on", "yes", "true", "1"} else ""
    if len(value) > MAX_ANSWER:
        errors[key] = f"is too long ({MAX_ANSWER} characters at most)."
    elif question.kind == CustomQuestion.Kind.CHOICE and value and value not in question.choices:
        errors[key] = "Choose one of the options given."
    elif question.required and not value:
        errors[key] = "is required."
    if value:
        answers[question.key] = value


def _participation_clean(data, errors: dict[str, str], answers: dict) -> None:
    helps = [str(v) for v in _getlist(data, "help")]
    if any(h not in HELP_KEYS for h in helps):
        errors["help"] = "Choose from the options given."
    elif not helps:
        errors["help"] = "Choose at least one way to help."
    other = " ".join(_text(data.get("help_other")).split())
    if len(other) > 500:
        errors["help_other"] = "is too long (500 characters at most)."
    elif "other" in helps and not other:
        errors["help_other"] = "Tell us what else you would like to do."
    issues = [str(v) for v in _getlist(data, "issues")]
    known = set(
        IssuePosition.objects.filter(published=True, slug__in=issues).values_list("slug", flat=True)
    )
    if set(issues) - known:
        errors["issues"] = "Choose from the issues listed."
    answers.update(help=helps, help_other=other, issues=issues)


def _getlist(data, key: str) -> list[str]:
    if hasattr(data, "getlist"):
        return [_text(v) for v in data.getlist(key)]
    value = data.get(key, [])
    return [_text(v) for v in (value if isinstance(value, list) else [value])]


def _text(value) -> str:
    """Incoming form text as a string without control characters or lone surrogates."""
    if value is None:
        return ""
    return text_clean(str(value))


# ---------------------------------------------------------------- receiving


def submission_receive(
    *,
    page: ActionPage,
    token: str,
    data,
    channel: str = Submission.Channel.PAGE,
    meta: SubmissionMeta | None = None,
    ip_address: str | None = None,
) -> tuple[Submission, bool]:
    """Validate and store one submission; (submission, False) for a repeat of the same token.

    Raises SubmissionInvalid for bad input and RateLimited when a limit is passed. The row is
    committed before this returns, so an acknowledged sign-up is never lost.
    """
    if not page.published:
        raise SubmissionInvalid({"form": "This form is closed."})
    token = _text(token).strip()[:64]
    if not token:
        raise SubmissionInvalid({"form": "The form expired; reload the page and try again."})
    raw, answers = page_form_clean(page, data)
    email = person_input_clean({"email": raw["email"]})[0].email
    # exists() first: the cheap query runs on every sign-up, the whole row only on a repeat.
    if Submission.objects.filter(page=page, token=token).exists():
        return Submission.objects.get(page=page, token=token), False
    submission_rate_check(ip_address=ip_address, email=email)
    meta = meta or SubmissionMeta()
    submission = Submission(
        page=page,
        token=token,
        channel=channel,
        data={"person": raw, "answers": answers},
        email=email,
        refcode=meta.refcode,
        utm_source=meta.utm_source,
        utm_medium=meta.utm_medium,
        utm_campaign=meta.utm_campaign,
        referrer=meta.referrer,
        referral_code=meta.referral_code,
        variant_id=meta.variant_id,
        ip_address=ip_address,
    )
    # Alone, the insert commits by itself: one round trip rather than BEGIN, INSERT, COMMIT.
    # Inside a caller's transaction it takes a savepoint, so a duplicate does not break that.
    in_transaction = transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic() if in_transaction else nullcontext():
            submission.save()
        transaction.on_commit(_enqueue_processing)
    except IntegrityError:
        # A double-click raced us to the same token: that first submission is this one.
        return Submission.objects.get(page=page, token=token), False
    return submission, True


def _enqueue_processing() -> None:
    """Enqueue processing; in a surge, one task per second per server process drains all.

    A task drains every row committed before it starts. It starts after the window in which
    later enqueues are skipped, so each skipped row (committed before its skip) is drained.
    """
    # tasks.py imports this module (a task runs a service): the task is imported when used.
    from groundswell.actions.tasks import submissions_process_pending

    task = submissions_process_pending
    if not task.get_backend().supports_defer:
        task.enqueue()
    elif cache.add("actions:processing-enqueued", 1, timeout=PROCESSING_WINDOW):
        task.using(run_after=timezone.now() + timedelta(seconds=PROCESSING_WINDOW + 1)).enqueue()


# ---------------------------------------------------------------- processing


def submissions_process(*, ids: list[int] | None = None, limit: int = 500) -> int:
    """Turn received submissions into people and actions; returns how many were processed."""
    with transaction.atomic():
        pending = Submission.objects.filter(status=Submission.Status.RECEIVED)
        if ids is not None:
            pending = pending.filter(pk__in=ids)
        # Locked rows belong to another worker; skip them rather than wait (PostgreSQL).
        batch = list(
            pending.select_for_update(skip_locked=True)
            .select_related("page")
            .order_by("id")[:limit]
        )
        if not batch:
            return 0
        by_page: dict[int, list[Submission]] = {}
        for submission in batch:
            by_page.setdefault(submission.page_id, []).append(submission)
        for submissions in by_page.values():
            _process_page_batch(submissions[0].page, submissions)
    return len(batch)


def _process_page_batch(page: ActionPage, submissions: list[Submission]) -> None:
    now = timezone.now()
    issues = dict(IssuePosition.objects.values_list("slug", "title"))
    help_labels = dict(HELP_OPTIONS)
    items, keys, extras, valid = [], [], [], []
    for submission in submissions:
        raw = dict(submission.data.get("person", {}))
        answers = submission.data.get("answers", {})
        data, errors = person_input_clean(raw)
        if errors:  # validated on receipt; only a change of rules since could get here
            submission.status = Submission.Status.FAILED
            submission.error = "; ".join(f"{e.field} {e.reason}" for e in errors)[:500]
            continue
        _submission_person_fill(page, submission, data, answers, issues, help_labels)
        items.append(data)
        keys.append(str(submission.pk))
        extras.append(_submission_extra(page, submission, answers))
        valid.append(submission)
    if items:
        verb = {
            "petition": "Signed",
            "participation": "Offered to help via",
            "newsletter": "Signed up for the newsletter via",
        }.get(page.kind, "Signed up via")
        results = people_upsert(
            items,
            keys=keys,
            extras=extras,
            context=IntakeContext(
                method=ConsentMethod.FORM,
                source=f"{page.get_kind_display()} /a/{page.slug}/",
                activity_kind=page.kind,
                activity_summary=f"{verb} “{page.title}”",
                dedupe_prefix="submission",
                always_record=True,
                occurred_at=now,
            ),
        )
        created_ids = set()
        for submission, result in zip(valid, results, strict=True):
            submission.person_id = result.person_id
            submission.status = Submission.Status.PROCESSED
            if result.created:
                created_ids.add(result.person_id)
        _record_referrals(page, valid, created_ids)
        ActionPage.objects.filter(pk=page.pk).update(
            submission_count=F("submission_count") + len(valid)
        )
    for submission in submissions:
        submission.processed_at = now
    Submission.objects.bulk_update(submissions, ["status", "person", "processed_at", "error"])
    if page.autoresponse_subject and page.autoresponse_body and valid:
        ids = [s.pk for s in valid]
        transaction.on_commit(lambda: _enqueue_autoresponse(ids))


def _submission_person_fill(page, submission, data, answers, issues, help_labels) -> None:
    """Add what the page and the answers say to the cleaned person: tags, custom fields."""
    data.tags = list(dict.fromkeys([*data.tags, *page.tags]))
    for key, value in answers.items():
        if key in ("help", "help_other", "issues"):
            continue
        data.custom_fields[key] = ", ".join(value) if isinstance(value, list) else value
    if page.kind == ActionPage.Kind.PARTICIPATION:
        helps = answers.get("help", [])
        data.tags += [f"help: {help_labels.get(h, h)}" for h in helps]
        data.tags += [f"issue: {issues.get(s, s)}" for s in answers.get("issues", [])]
        if helps:
            data.custom_fields["interests"] = ", ".join(help_labels.get(h, h) for h in helps)
        if answers.get("issues"):
            data.custom_fields["issues"] = ", ".join(issues.get(s, s) for s in answers["issues"])
        if answers.get("help_other"):
            data.custom_fields["help_other"] = answers["help_other"]
    if submission.refcode:
        data.refcode = submission.refcode
    data.source = data.source or f"{page.kind}:{page.slug}"


def _submission_extra(page: ActionPage, submission: Submission, answers: dict) -> ItemExtra:
    """Where the submission came from, for the person's timeline."""
    return ItemExtra(
        ip_address=submission.ip_address,
        activity_data={
            "page": page.slug,
            "page_kind": page.kind,
            "submission": submission.pk,
            "channel": submission.channel,
            "refcode": submission.refcode,
            "utm_source": submission.utm_source,
            "utm_medium": submission.utm_medium,
            "utm_campaign": submission.utm_campaign,
            "referrer": submission.referrer,
            "answers": answers,
        },
    )


def _enqueue_autoresponse(ids: list[int]) -> None:
    # tasks.py imports this module (a task runs a service): the task is imported when used.
    from groundswell.actions.tasks import autoresponse_send

    autoresponse_send.enqueue(submission_ids=ids)


def _recruiters(codes: set[str]) -> dict[str, int]:
    """Share code → the person it credits; a code of someone since merged into another
    person credits the person they became."""
    recruiters = dict(ReferralCode.objects.filter(code__in=codes).values_list("code", "person_id"))
    merged = dict(
        Person.objects.filter(pk__in=recruiters.values(), merged_into__isnull=False).values_list(
            "pk", "merged_into_id"
        )
    )
    return {code: merged.get(pk, pk) for code, pk in recruiters.items()}


def _record_referrals(page, submissions, created_ids: set[int]) -> None:
    """A new supporter who came through someone's share link was recruited by them."""
    codes = {s.referral_code for s in submissions if s.referral_code}
    if not codes:
        return
    recruiters = _recruiters(codes)
    referrals = [
        Referral(recruiter_id=recruiters[s.referral_code], recruit_id=s.person_id, page=page)
        for s in submissions
        if s.referral_code in recruiters
        and s.person_id in created_ids
        and recruiters[s.referral_code] != s.person_id
    ]
    Referral.objects.bulk_create(referrals, ignore_conflicts=True)


def referral_credit(*, code: str, recruit_id: int, created: bool) -> bool:
    """Credit the owner of share ``code`` with recruiting ``recruit_id``, as a sign-up through
    their link does: only for a supporter the intake just created (someone already known was
    not recruited by this link), never to themselves, and once (a person's first referral is
    the one that counts, so a retry or a second link changes nothing). Other apps' intake
    paths (an event RSVP) call this; True when the recruit stands credited to the code's owner.
    """
    if not code or not created:
        return False
    recruiter_id = _recruiters({code}).get(code)
    if recruiter_id is None or recruiter_id == recruit_id:
        return False
    Referral.objects.bulk_create(
        [Referral(recruiter_id=recruiter_id, recruit_id=recruit_id)], ignore_conflicts=True
    )
    return Referral.objects.filter(recruit_id=recruit_id, recruiter_id=recruiter_id).exists()


def submission_process_now(submission: Submission) -> Submission:
    """Process one submission at once if no worker has yet (the thank-you page needs it)."""
    if submission.status == Submission.Status.RECEIVED:
        submissions_process(ids=[submission.pk], limit=1)
        submission.refresh_from_db()
    return submission


# ---------------------------------------------------------------- referrals and sharing


def referral_code_for(person) -> str:
    """The person's share code, created on first use."""
    existing = ReferralCode.objects.filter(person=person).values_list("code", flat=True).first()
    if existing:
        return existing
    for _ in range(5):
        code = secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")[:8]
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(person=person, code=code).code
        except IntegrityError:
            existing = (
                ReferralCode.objects.filter(person=person).values_list("code", flat=True).first()
            )
            if existing:
                return existing
    raise RuntimeError("could not make a unique referral code")


def share_links(*, url: str, text: str) -> dict[str, str]:
    """Share URLs of the major networks (their public share endpoints; no SDKs)."""
    return {
        "Facebook": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        "X": "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": text}),
        "Bluesky": "https://bsky.app/intent/compose?" + urlencode({"text": f"{text} {url}"}),
        "LinkedIn": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        "WhatsApp": "https://wa.me/?" + urlencode({"text": f"{text} {url}"}),
        "E-mail": "mailto:?" + urlencode({"subject": text, "body": url}).replace("+", "%20"),
    }


# ---------------------------------------------------------------- page-copy variants


def variant_assign(page: ActionPage, visitor: str, chosen: str | None) -> PageVariant | None:
    """The variant this visitor sees (kept if already chosen), with the exposure recorded."""
    variants = list(page.variants.filter(active=True))
    if not variants:
        return None
    variant = next((v for v in variants if str(v.pk) == chosen), None)
    if variant is None:
        variant = secrets.SystemRandom().choice(variants)
    Exposure.objects.bulk_create(
        [Exposure(variant=variant, visitor=visitor[:40])], ignore_conflicts=True
    )
    return variant


# ---------------------------------------------------------------- the embed token


def embed_token_make(page: ActionPage, origin: str) -> str:
    """A signed, expiring token that lets one pop-up on an allowed origin submit once."""
    return signing.TimestampSigner(salt="groundswell.embed").sign_object(
        {"p": page.pk, "o": origin, "n": secrets.token_hex(8)}
    )


def embed_token_check(token: str, page: ActionPage, origin: str) -> bool:
    try:
        value = signing.TimestampSigner(salt="groundswell.embed").unsign_object(
            token, max_age=EMBED_TOKEN_MAX_AGE
        )
    except signing.BadSignature:
        return False
    return value.get("p") == page.pk and value.get("o") == origin


def field_label(name: str) -> str:
    return dict(FIELDS).get(name, name)
