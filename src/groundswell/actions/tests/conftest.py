import pytest


@pytest.fixture
def rate_limits_off(settings):
    """For the hostile suites: every example comes from one address (the rate limit is tested
    elsewhere), and no example waits on a DNS lookup of its e-mail domain."""
    settings.GROUNDSWELL_CHECK_MX = False
    settings.GROUNDSWELL_RATE_PER_IP = 10**9
    settings.GROUNDSWELL_RATE_PER_EMAIL = 10**9
