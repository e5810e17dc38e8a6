"""Machine opens and scanner clicks are told apart from people's."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES
from groundswell.mailings.tracking import HitKind, hit_classify

SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
GMAIL_PROXY = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
)


def test_apple_privacy_protection_preloads_count_as_machine_opens():
    assert (
        hit_classify(kind="open", user_agent="Mozilla/5.0", ip="17.58.1.2").kind == HitKind.MACHINE
    )
    assert hit_classify(kind="open", user_agent="Mozilla/5.0").kind == HitKind.MACHINE
    verdict = hit_classify(kind="open", user_agent="", ip="17.0.0.9")
    assert verdict.kind == HitKind.MACHINE and not verdict.is_person


def test_a_reader_on_an_iphone_is_a_person_even_on_apples_network():
    verdict = hit_classify(kind="open", user_agent=SAFARI_IPHONE, ip="17.58.1.2")
    assert verdict.kind == HitKind.HUMAN and verdict.is_person


def test_gmails_image_proxy_is_a_persons_open_through_a_proxy():
    verdict = hit_classify(kind="open", user_agent=GMAIL_PROXY, ip="66.249.84.1")
    assert verdict.kind == HitKind.PROXIED and verdict.is_person


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"user_agent": FIREFOX, "method": "HEAD"}, "HEAD"),
        ({"user_agent": "python-requests/2.32.3"}, "library"),
        ({"user_agent": "Mozilla/5.0 (compatible; Barracuda Sentinel)"}, "scanner"),
        ({"user_agent": FIREFOX, "seconds_since_sent": 3.0}, "seconds after sending"),
        (
            {"user_agent": FIREFOX, "seconds_since_sent": 900, "seconds_since_other_link": 0.2},
            "within",
        ),
        ({"user_agent": "Mozilla/5.0", "seconds_since_sent": 900}, "no browser"),
    ],
)
def test_security_scanners_clicks_are_not_counted_as_peoples(kwargs, reason):
    verdict = hit_classify(kind="click", **kwargs)
    assert verdict.kind == HitKind.SCANNER and not verdict.is_person
    assert reason in verdict.reason


def test_a_person_clicking_after_reading_is_a_person():
    verdict = hit_classify(
        kind="click", user_agent=FIREFOX, seconds_since_sent=600, seconds_since_other_link=45
    )
    assert verdict.kind == HitKind.HUMAN


@settings(max_examples=min(EXAMPLES, 2000), deadline=None)
@given(
    kind=st.sampled_from(["open", "click"]),
    user_agent=st.text(max_size=600),
    ip=st.text(max_size=60),
    method=st.text(max_size=10),
    since=st.one_of(st.none(), st.floats(allow_nan=True)),
)
def test_any_hit_gets_a_verdict_and_never_an_error(kind, user_agent, ip, method, since):
    verdict = hit_classify(
        kind=kind, user_agent=user_agent, ip=ip, method=method,
        seconds_since_sent=since, seconds_since_other_link=since,
    )  # fmt: skip
    assert verdict.kind in HitKind and verdict.reason
