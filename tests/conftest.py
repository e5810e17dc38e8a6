"""Fixtures for the tests outside the package (the browser tests).

The personas and the Chromium launch settings live in src/groundswell/conftest.py, which
pytest only applies below src/; importing them here makes them visible to tests/ as well.
"""

from groundswell.conftest import *  # noqa: F403
from groundswell.conftest import _fresh_cache  # noqa: E402,F401  (star imports skip "_" names)
