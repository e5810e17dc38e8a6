"""Calls released at one moment, each in a thread of its own: the races the concurrency tests
need (a double-clicked button, two workers, a webhook beside a browser)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections

JOIN_SECONDS = 60


def at_once(*calls: Callable[[], object]) -> tuple[list, list[BaseException]]:
    """Run ``calls`` together (a barrier releases them at once); what they returned, in the
    order they finished, and what any of them raised. Each thread closes its own database
    connections, as a request or a worker would."""
    barrier = threading.Barrier(len(calls))
    results: list = []
    errors: list[BaseException] = []

    def run(call):
        try:
            barrier.wait(timeout=JOIN_SECONDS)
            results.append(call())
        except BaseException as exc:  # noqa: BLE001 (returned to the test, which asserts on it)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    return results, errors
