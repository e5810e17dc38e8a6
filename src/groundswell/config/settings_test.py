"""Test overlay: the base settings with fast hashing and tasks run in-process."""

import os
import tempfile

os.environ.setdefault("GROUNDSWELL_DEMO", "1")
os.environ.setdefault("GROUNDSWELL_DATA_DIR", tempfile.mkdtemp(prefix="groundswell-test-"))
os.environ.setdefault("EMAIL_URL", "memory://")

from groundswell.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
GROUNDSWELL_CHECK_MX = False
# Each test starts with an empty cache (conftest) without touching the database; the shared
# database cache, the default, has its own tests (core/tests/test_cache.py).
CACHES = {"default": env_cache("CACHE_URL", "locmem://")}  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (WhiteNoise warns without it)
