"""Splink's chatter during training, summarised in one line instead of printed by the dozen.

Splink warns through Python's ``warnings`` and its ``splink`` loggers (EM not converging on a
comparison level, u values it could not estimate, deprecations); on a small campaign such as the
demo it does so dozens of times per run. They are collected while the engine runs and logged
once: how many, and the first, so nothing is lost and ``groundswell demo`` stays readable.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

# Splink's loggers (splink, splink.internals.*) and the engines' Python warnings.
_LOGGERS = ("splink",)


@dataclass
class Chatter:
    messages: list[str] = field(default_factory=list)

    def summary(self) -> str | None:
        if not self.messages:
            return None
        first = " ".join(self.messages[0].split())[:300]
        return f"Splink gave {len(self.messages)} warning(s) while matching; the first: {first}"


class _Collect(logging.Handler):
    def __init__(self, chatter: Chatter):
        super().__init__(level=logging.WARNING)
        self.chatter = chatter

    def emit(self, record: logging.LogRecord) -> None:
        self.chatter.messages.append(record.getMessage())


@contextmanager
def splink_warnings_summarised() -> Iterator[Chatter]:
    """Collect Splink's warnings (loggers and ``warnings``) inside; log one line at the end."""
    chatter = Chatter()
    handler = _Collect(chatter)
    saved = []
    for name in _LOGGERS:
        target = logging.getLogger(name)
        saved.append((target, target.propagate, list(target.handlers)))
        target.handlers = [handler]
        target.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield chatter
    finally:
        for target, propagate, handlers in saved:
            target.handlers = handlers
            target.propagate = propagate
        chatter.messages.extend(str(w.message) for w in caught)
        if chatter.messages:
            logger.warning("identity: %s", chatter.summary())
