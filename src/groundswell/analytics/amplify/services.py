"""Writes of amplify: posts, each volunteer's link, the shares and the clicks."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import string
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from groundswell.accounts.services import audit_record
from groundswell.actions.services import referral_code_for
from groundswell.analytics.amplify.models import LinkClick, ShareEvent, ShareLink, SuggestedPost
from groundswell.events.relational.services import volunteer_person_of

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10
CODE_PATTERN = re.compile(rf"^[A-Za-z0-9]{{{CODE_LENGTH}}}$")

# Link previews and crawlers fetch a shared link the moment it is posted; they are not people.
_BOT = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|facebot|embedly|whatsapp|"
    r"bluesky|cardyb|linkedin|skype|discord|telegram|headless|curl|wget|python|httpx|"
    r"go-http|java/|okhttp|libwww|scrapy|fetch|monitor|lighthouse",
    re.IGNORECASE,
)


def post_save(*, post: SuggestedPost | None, data: dict, actor, ip_address=None) -> SuggestedPost:
    """Create a post or change one, from a form's cleaned data; audited."""
    created = post is None
    post = post or SuggestedPost(created_by=actor)
    for name in (
        "text",
        "target_path",
        "target_label",
        "hashtags",
        "networks",
        "starts_at",
        "ends_at",
    ):
        setattr(post, name, data[name])
    post.save()
    audit_record(
        actor=actor,
        action="amplify.post_saved",
        summary=("Suggested a post: " if created else "Changed a suggested post: ")
        + post.text[:80],
        target=post,
        ip_address=ip_address,
    )
    return post


def post_archive(*, post: SuggestedPost, actor, ip_address=None) -> SuggestedPost:
    """Take a post off volunteers' pages; its links keep working and its figures stay."""
    if post.archived_at is None:
        post.archived_at = timezone.now()
        post.save(update_fields=["archived_at", "modified_at"])
        audit_record(
            actor=actor,
            action="amplify.post_archived",
            summary="Archived a suggested post: " + post.text[:80],
            target=post,
            ip_address=ip_address,
        )
    return post


def _referral_code(user) -> str:
    person = volunteer_person_of(user)
    return referral_code_for(person) if person is not None else ""


def share_link_for(*, post: SuggestedPost, user) -> ShareLink:
    """The user's own link to the post, made on first use (a race makes one, not two)."""
    link = ShareLink.objects.filter(post=post, user=user).first()
    if link is not None:
        if not link.referral_code:
            # Their person record may have appeared since the link was made.
            link.referral_code = _referral_code(user)
            if link.referral_code:
                link.save(update_fields=["referral_code"])
        return link
    referral = _referral_code(user)
    for _ in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                return ShareLink.objects.create(
                    post=post, user=user, code=code, referral_code=referral
                )
        except IntegrityError:
            link = ShareLink.objects.filter(post=post, user=user).first()
            if link is not None:
                return link
    raise RuntimeError("could not draw an unused link code")


def share_record(*, link: ShareLink, network: str) -> ShareEvent:
    """A press of a share button."""
    return ShareEvent.objects.create(link=link, network=network)


def is_bot(user_agent: str) -> bool:
    return not user_agent.strip() or bool(_BOT.search(user_agent))


def visitor_hash(*, ip_address: str | None, user_agent: str, day: date) -> str:
    """A keyed hash of address, browser and day: enough to count a visitor once a day, and
    nothing that names them or follows them to another day."""
    key = settings.SECRET_KEY.encode()
    message = f"{day.isoformat()}|{ip_address or ''}|{user_agent[:500]}".encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def click_record(*, link: ShareLink, ip_address: str | None, user_agent: str) -> bool:
    """Count a visitor's click once a day; bots are not counted. True when it was counted."""
    if is_bot(user_agent):
        return False
    now = timezone.now()
    day = timezone.localdate(now)
    visitor = visitor_hash(ip_address=ip_address, user_agent=user_agent, day=day)
    try:
        with transaction.atomic():
            _, created = LinkClick.objects.get_or_create(
                link=link, day=day, visitor=visitor, defaults={"at": now}
            )
    except IntegrityError:
        # Two requests of one visitor at once: the other one counted it.
        return False
    return created
