"""Shared fixtures: personas for permission tests, and a real headless Chromium."""

import os
import shutil

import hypothesis
import pytest

from groundswell.core.tests.axe import AxeWatch

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# ORM calls from the test body while a browser is open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("GROUNDSWELL_CHROMIUM", "/usr/bin/chromium")

# Property-based tests: the same examples on every run (CI is reproducible), no example
# database on disk, no per-example deadline (a shared CI machine is slow at times).
# HYPOTHESIS_PROFILE=explore draws fresh examples for a local hunt.
hypothesis.settings.register_profile("ci", derandomize=True, database=None, deadline=None)
hypothesis.settings.register_profile("explore", deadline=None)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def make_user(db):
    from groundswell.accounts.models import User

    def make(role: str, username: str | None = None, password: str = "pw-for-tests-1"):
        # The same persona asked for twice in one test is the same account.
        user, _ = User.objects.get_or_create(
            username=username or f"{role}-user",
            defaults={"role": role, "email": f"{username or role}@staff.example.org"},
        )
        user.role = role
        user.set_password(password)
        user.save()
        return user

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user("admin")


@pytest.fixture
def finance_user(make_user):
    return make_user("finance")


@pytest.fixture
def organizer_user(make_user):
    return make_user("organizer")


@pytest.fixture
def volunteer_user(make_user):
    return make_user("volunteer")


@pytest.fixture
def persona_client(client, make_user):
    """A test client logged in as the given role (or anonymous for None)."""

    def login(role: str | None):
        if role is not None:
            client.force_login(make_user(role, username=f"{role}-persona"))
        return client

    return login


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


# CI runs the SQLite and PostgreSQL passes side by side on two cores, each with its own
# Chromium, Spark session and database: a step that takes a second alone has once taken over
# Playwright's default 30 s there (a petition signed on a phone, 12 s alone, timed out).
BROWSER_TIMEOUT_MS = 90_000


@pytest.fixture(autouse=True)
def browser_patience(request):
    """Every browser context a browser test opens (its page's and any it makes itself, such as
    a friend's phone) waits up to ``BROWSER_TIMEOUT_MS`` for a page or an element, and so does
    every `expect(...)` assertion (Playwright's own default there is 5 s)."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    from playwright.sync_api import Browser, expect

    original = Browser.new_context

    def new_context(self, *args, **kwargs):
        context = original(self, *args, **kwargs)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        return context

    Browser.new_context = new_context
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    try:
        yield
    finally:
        Browser.new_context = original
        expect.set_options(timeout=None)


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Kept for axe_on_every_page: a test that already failed is not checked again at its end.
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(autouse=True)
def axe_on_every_page(request, browser_patience):  # patience first: it opens the page
    """A browser test fails when a page of ours it opens breaks an accessibility rule.

    axe-core runs after every `goto`, `reload` and `wait_for_url` (the points where a test
    has a page loaded; a click that navigates is followed by one of them or by the test's end)
    and on the page a passing test ends on, which catches the thank-you pages reached by a
    form. Only the live server's pages are checked: a test's stand-in for another website
    (the pop-up's host page) is not ours to fix. The test fails at its end, listing every page.
    """
    if request.node.get_closest_marker("browser") is None:
        yield None
        return
    from playwright.sync_api import Page

    # Set up before this fixture, so torn down after it: the last page is still open below.
    page = request.getfixturevalue("page") if "page" in request.fixturenames else None
    live = request.getfixturevalue("live_server") if "live_server" in request.fixturenames else None
    origin = live.url if live is not None else "http"
    watch = AxeWatch()

    def ours(target) -> bool:
        if target.is_closed() or not target.url.startswith(origin):
            return False
        return target.evaluate("() => document.contentType") == "text/html"

    def checked(original, method):
        def wrapper(self, *args, **kwargs):
            result = original(self, *args, **kwargs)
            if ours(self):
                watch.check(self, where=f"{self.url} (after {method})")
            return result

        return wrapper

    # Not the monkeypatch fixture: undoing it here would also undo the test's own patches.
    originals = {method: getattr(Page, method) for method in ("goto", "reload", "wait_for_url")}
    for method, original in originals.items():
        setattr(Page, method, checked(original, method))
    try:
        yield watch
    finally:
        for method, original in originals.items():
            setattr(Page, method, original)
    if request.node.stash.get(_CALL_FAILED, True):
        return  # the test's own failure comes first; its pages may be half-way
    if page is not None and ours(page):
        watch.check(page, where=f"{page.url} (the page the test ended on)")
    watch.assert_clean()


@pytest.fixture(autouse=True)
def _shipped_rule_sets(request):
    """A database test starts with the data a fresh install has from its migrations.

    A transactional test (live server, real threads) ends by flushing every table, which
    also empties what migrations loaded: the DNC's debate rule sets. pytest-django runs those
    tests after the others, but not every ordering holds to that (a run of a few folders
    failed in identity's goal pages), so each database test puts them back when missing.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames:
        return
    if marker is None:
        request.getfixturevalue("db")
    from groundswell.identity.models import ThresholdRuleSet
    from groundswell.identity.thresholds import shipped_rule_sets_load

    if not ThresholdRuleSet.objects.filter(builtin=True).exists():
        shipped_rule_sets_load()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache; each test starts with none. So does the RSVP
    placement's note of when this process last asked the cache (``events.received``): its
    skip relies on a task enqueued in the same cache, which a new test no longer has. And so
    does the process's short memory of bookable shifts (a rolled-back test's ids come back)."""
    from django.core.cache import cache

    from groundswell.events import received, selectors

    cache.clear()
    received._asked_until = 0.0
    selectors.bookable_forget()
    yield
