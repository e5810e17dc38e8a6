"""Composing a message for one recipient: the layout, merge fields, the ask, the two parts.

``message_render`` is the one entry point the send path calls and ``content_check`` the one
that refuses content when a mailing is saved. Behind them: the campaign's responsive layout
compiled from MJML once per theme (``layout``), merge fields with defaults (``fields``), the
personalised ask ladder of signed donation links (``ask``), HTML validation with the line
(``check``), the plain text generated from the HTML (``text``), and the per-mailing compiled
pieces that make a recipient's render a join (``compiled``). Everything a recipient can
influence arrives in ``merge`` and is escaped for HTML; the staff's own HTML is trusted once it
passed ``content_check`` (staff with the sending permission wrote it).
"""

from __future__ import annotations

from groundswell.mailings.compose.ask import AskContext
from groundswell.mailings.compose.fields import FINANCE_FIELDS, ContentError
from groundswell.mailings.compose.layout import Theme, theme_for_site
from groundswell.mailings.compose.render import (
    MERGE_FIELDS,
    Footer,
    MergeFieldError,
    MessageContent,
    RenderedMessage,
    content_check,
    content_fields,
    content_links,
    message_render,
)

__all__ = [
    "FINANCE_FIELDS",
    "AskContext",
    "ContentError",
    "Footer",
    "MERGE_FIELDS",
    "MergeFieldError",
    "MessageContent",
    "RenderedMessage",
    "Theme",
    "content_check",
    "content_fields",
    "content_links",
    "message_render",
    "theme_for_site",
]
