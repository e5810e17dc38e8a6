"""Run pure CPU work in a helper process a few steps ahead of the caller's database writes."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor


def results_ahead(
    func: Callable, argument_lists: Iterable[tuple], *, parallel: bool, depth: int = 3
) -> Iterator:
    """Yield ``func(*args)`` for each args, in order, computed up to ``depth`` steps ahead.

    ``func`` must live in a module importable without a configured Django: the helper is
    started with "spawn", so that it never inherits the parent's database connections.
    Without ``parallel`` (or with one core) everything runs in this process.
    """
    if not parallel or (os.cpu_count() or 1) < 2:
        for args in argument_lists:
            yield func(*args)
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: deque = deque()
        for args in argument_lists:
            pending.append(pool.submit(func, *args))
            if len(pending) > depth:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
