"""A message as one person would receive it, for staff: merge fields, the ask ladder, the
footer, in the campaign's layout — with no tracking (no open pixel, no wrapped links) and no
ledger row, so looking at a preview never counts as an open, a click or a delivery."""

from __future__ import annotations

from dataclasses import dataclass

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.actions.services import site_get
from groundswell.donations.pages.donate import person_highest_gift
from groundswell.mailings.compose import (
    FINANCE_FIELDS,
    AskContext,
    MergeFieldError,
    MessageContent,
    content_fields,
    message_render,
    theme_for_site,
)
from groundswell.mailings.message import NotReady, ask_page_default, envelope_for, footer_for
from groundswell.mailings.models import Mailing
from groundswell.people.models import Person, PostalAddress

# Not a delivery's token: the preview's unsubscribe link leads to "not found", never to an
# unsubscribe of the person previewed.
PREVIEW_TOKEN = "preview-not-a-delivery"  # noqa: S105 (a placeholder, not a secret)


@dataclass(frozen=True)
class Preview:
    subject: str
    html: str
    text: str
    # Set when the message uses the ask but the viewer may not see giving: defaults shown.
    finance_hidden: bool = False
    # What keeps the message from being sent as it is (shown above the preview).
    problem: str = ""


def person_merge_values(person: Person) -> dict[str, str]:
    """The merge values the send path gives this person (``sender.deliveries_claim``)."""
    city = (
        PostalAddress.objects.filter(person=person, is_primary=True)
        .values_list("city", flat=True)
        .first()
    )
    return {
        "first_name": person.given_name,
        "last_name": person.family_name,
        "email": person.primary_email,
        "city": city or "",
        "state": person.state,
        "postal_code": person.postal_code,
    }


def mailing_preview(*, mailing: Mailing, person: Person, viewer, base_url: str = "") -> Preview:
    """Render ``mailing`` for ``person`` as ``viewer`` may see it: the ask ladder and donation
    link are built from the person's giving only for a viewer with the finance capability."""
    content = MessageContent(subject=mailing.subject, html=mailing.html, text=mailing.text)
    problem = ""
    try:
        fields = content_fields(content)
    except MergeFieldError as exc:
        return Preview(subject=mailing.subject, html="", text="", problem=str(exc))
    try:
        if not mailing.link_base:
            mailing.link_base = base_url.rstrip("/")
        envelope = envelope_for(mailing)
        theme, footer, link_base = (
            envelope.theme,
            footer_for(envelope, PREVIEW_TOKEN),
            envelope.link_base,
        )
    except NotReady as exc:
        problem = str(exc)
        link_base = base_url.rstrip("/")
        theme, footer = theme_for_site(site=site_get(), base_url=link_base), None
    ask = None
    finance_hidden = bool(fields & FINANCE_FIELDS) and not viewer.can(FINANCE_VIEW)
    if fields & FINANCE_FIELDS:
        page = ask_page_default()
        if page is not None:
            # Without the finance capability: the page's own amounts, which say nothing
            # about the person's giving.
            highest = None if finance_hidden else person_highest_gift(person_id=person.pk)
            ask = AskContext(
                page=page,
                base_url=link_base,
                refcode=mailing.effective_refcode,
                highest_cents=highest,
            )
    rendered = message_render(
        content=content,
        merge=person_merge_values(person),
        footer=footer,
        theme=theme,
        ask=ask,
    )
    return Preview(
        subject=rendered.subject,
        html=rendered.html,
        text=rendered.text,
        finance_hidden=finance_hidden,
        problem=problem,
    )
