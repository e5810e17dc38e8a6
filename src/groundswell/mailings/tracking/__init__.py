"""Open and click tracking without models: signed per-recipient addresses (``tokens``) and the
verdict on whether a hit came from a person or a machine (``machine``). The views that answer
the addresses and the ledger they update belong to the send path."""

from __future__ import annotations

from groundswell.mailings.tracking.machine import HitKind, HitVerdict, hit_classify
from groundswell.mailings.tracking.tokens import (
    click_url,
    click_verify,
    link_wrap_for,
    open_url,
    open_verify,
)

__all__ = [
    "HitKind",
    "HitVerdict",
    "click_url",
    "click_verify",
    "hit_classify",
    "link_wrap_for",
    "open_url",
    "open_verify",
]
