"""Composing a message for one recipient: merge fields, the HTML and the plain-text parts.

This is the one entry point the send path calls (``message_render``); what it does inside
(layouts, MJML, the ask ladder, validation with line numbers) grows behind it. Everything a
recipient can influence arrives in ``merge`` and is escaped for HTML; the staff's own HTML is
trusted (staff with the sending permission wrote it).
"""

from __future__ import annotations

from groundswell.mailings.compose.render import (
    MERGE_FIELDS,
    Footer,
    MergeFieldError,
    MessageContent,
    RenderedMessage,
    content_check,
    message_render,
)

__all__ = [
    "Footer",
    "MERGE_FIELDS",
    "MergeFieldError",
    "MessageContent",
    "RenderedMessage",
    "content_check",
    "message_render",
]
