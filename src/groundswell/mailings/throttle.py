"""Sending rates: all messages, and per recipient domain (pure; the worker asks it when)."""

from __future__ import annotations

from dataclasses import dataclass, field


def domain_rates_parse(pairs: list[str]) -> dict[str, float]:
    """``["gmail.com=20", "aol.com=5"]`` → ``{"gmail.com": 20.0, "aol.com": 5.0}``."""
    rates = {}
    for pair in pairs:
        domain, _, rate = pair.partition("=")
        try:
            value = float(rate)
        except ValueError:
            continue
        if domain.strip() and value > 0:
            rates[domain.strip().lower()] = value
    return rates


@dataclass
class Throttle:
    """Evenly spaced sends: at most ``rate`` a second overall and ``domain_rate`` (or the
    domain's own entry in ``domain_rates``) a second to any one recipient domain. 0 = no limit.

    A worker of several divides the rates by how many are sending (``share``), so the limits
    hold for the send as a whole.
    """

    rate: float = 0
    domain_rate: float = 0
    domain_rates: dict[str, float] = field(default_factory=dict)
    share: int = 1
    _next_any: float = 0.0
    _next_domain: dict[str, float] = field(default_factory=dict)

    def _interval(self, rate: float) -> float:
        return self.share / rate if rate > 0 else 0.0

    def domain_interval(self, domain: str) -> float:
        return self._interval(self.domain_rates.get(domain, self.domain_rate))

    def wait(self, domain: str, now: float) -> float:
        """Seconds until a message to ``domain`` may go (0: now)."""
        return max(0.0, self._next_any - now, self._next_domain.get(domain, 0.0) - now)

    def sent(self, domain: str, now: float) -> None:
        """Record a send at ``now``; the next slots follow from the rates."""
        interval = self._interval(self.rate)
        if interval:
            self._next_any = max(self._next_any, now) + interval
        per_domain = self.domain_interval(domain)
        if per_domain:
            self._next_domain[domain] = max(self._next_domain.get(domain, 0.0), now) + per_domain

    @property
    def limited(self) -> bool:
        return bool(self.rate or self.domain_rate or self.domain_rates)
