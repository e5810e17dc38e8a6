"""Whether the donation pages run in test mode (the demo's): every donation page says so."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def stripe_test_mode() -> bool:
    """True when gifts go to Stripe's test mode or the local double (see settings)."""
    return bool(getattr(settings, "STRIPE_TEST_MODE", False))
