"""Provider webhooks (django-anymail): bounce and complaint events become the same `Bounce` and
`Complaint` the mailbox gives, applied by `bounce_events_apply`.

anymail checks each request (HTTP Basic credentials from `ANYMAIL_WEBHOOK_SECRET`, and the
provider's own signature where it has one, e.g. Mailgun's), normalises the provider's payload
and sends one `anymail.signals.tracking` signal per event; `tracking_event_receive` is connected
to it in `MailingsConfig.ready()`.

Mapping (anymail's normalised event types):
- bounced → a hard bounce, unless the provider's response carries a 4.x.x status (then soft);
- deferred → a soft bounce (counted toward the threshold);
- rejected by the provider for an invalid or bouncing address, or after timing out → hard;
  rejected for a complaint → a complaint; rejected for a block or policy → soft (counted: a
  provider's block is often about the sender, not the address);
- complained → a complaint; everything else (sent, delivered, opened, …) is not ours here.
"""

from __future__ import annotations

import logging
import re

from django.db import DatabaseError

from groundswell.mailings.bounces.parse import TOKEN_HEADER, Action, Bounce, Complaint
from groundswell.mailings.bounces.services import bounce_events_apply

logger = logging.getLogger(__name__)

# Where the send path puts our delivery token in a provider's metadata (anymail's `metadata`).
TOKEN_METADATA_KEY = "groundswell_delivery"  # noqa: S105 (a key name, not a secret)

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_HARD_REJECTS = {"invalid", "bounced", "timed_out"}
_MAX = 300


def _text(value) -> str:
    """A provider's field as bounded text a database stores: no NUL, no lone surrogate."""
    text = str(value or "")[:_MAX].replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8")


def _token(event) -> str:
    metadata = event.metadata if isinstance(getattr(event, "metadata", None), dict) else {}
    return _text(metadata.get(TOKEN_METADATA_KEY) or metadata.get(TOKEN_HEADER))


def tracking_event_to_report(event) -> Bounce | Complaint | None:
    """One anymail tracking event as a parsed bounce or complaint, or None for other events."""
    kind = str(getattr(event, "event_type", "") or "")
    recipient = _text(event.recipient).strip().lower()
    message_id = _text(event.message_id)
    if kind == "complained" or (kind == "rejected" and event.reject_reason == "spam"):
        return Complaint(
            recipient=recipient,
            feedback_type="abuse",
            user_agent=_text(event.user_agent),
            message_id=message_id,
            token=_token(event),
        )
    if kind not in {"bounced", "deferred", "rejected"}:
        return None
    words = " ".join(p for p in (_text(event.mta_response), _text(event.description)) if p)
    found = _STATUS.search(words)
    status = ".".join(found.groups()) if found else ""
    if (
        kind == "deferred"
        or (kind == "rejected" and event.reject_reason not in _HARD_REJECTS)
        or _provider_says_soft(event)
    ):
        action, status = Action.DELAYED, status if status.startswith("4.") else ""
    else:
        action = Action.FAILED
        status = status or "5.0.0"  # the provider calls it permanent without a code
    return Bounce(
        recipient=recipient,
        action=action,
        status=status,
        diagnostic=words[:_MAX],
        message_id=message_id,
        token=_token(event),
        source="webhook",
    )


def _provider_says_soft(event) -> bool:
    """Postmark reports a soft bounce as "bounced" with Type "SoftBounce" and often no code."""
    raw = getattr(event, "esp_event", None)
    return isinstance(raw, dict) and raw.get("Type") in {"SoftBounce", "Transient", "DnsError"}


def tracking_event_receive(sender, event, esp_name, **kwargs) -> None:
    """anymail's tracking signal: apply a bounce or complaint; ignore everything else.

    A database error propagates (anymail answers 500 and the provider retries later); any other
    failure is logged and the event acknowledged, so one odd payload cannot make a provider
    retry it for days.
    """
    report = tracking_event_to_report(event)
    if report is None:
        return
    source = f"{esp_name} webhook"
    try:
        bounce_events_apply(
            events=[report], source=source, report_id=_text(getattr(event, "event_id", ""))
        )
    except DatabaseError:
        raise
    except Exception:
        logger.exception("bounce webhook: could not apply a %s event", esp_name)
