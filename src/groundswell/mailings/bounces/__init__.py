"""Bounces and feedback-loop complaints: parsing (RFC 3464, RFC 5965, and the odd formats through
flufl.bounce), reading a maildir or an IMAP folder, and what each event means for the address.

Pure and model-free: the send path wires the advice to people's consent history.
"""

from groundswell.mailings.bounces.parse import (
    TOKEN_HEADER,
    Action,
    Bounce,
    Complaint,
    Report,
    report_parse,
)
from groundswell.mailings.bounces.policy import Advice, Verdict, suppression_advise
from groundswell.mailings.bounces.readers import (
    ImapSettings,
    imap_read,
    mailbox_read,
    maildir_read,
)

__all__ = [
    "TOKEN_HEADER",
    "Action",
    "Advice",
    "Bounce",
    "Complaint",
    "ImapSettings",
    "Report",
    "Verdict",
    "imap_read",
    "mailbox_read",
    "maildir_read",
    "report_parse",
    "suppression_advise",
]
