"""Benchmark: rendering one mailing for many recipients (``mailings.compose.message_render``).

    python bench/mailing_render.py [--recipients 20000]

A realistic message (a 4 kB body: headings, paragraphs, a list, nine links, merge fields with
defaults, the personalised ask ladder and a donate link) in the campaign's MJML layout, with
each recipient's footer (an unsubscribe link), click tracking (``tracking.link_wrap_for`` with
a random delivery token per recipient) and an open pixel, as the send path calls it. Highest
previous gifts vary over 300 values, so ladders are signed for each distinct one. Reports the
one-off compile (MJML, CSS inlining, plain text) and the per-message cost on one core; the send
benchmark (``bench/mailing.py``) measures the whole send path. No database, no network.
The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import sys
import time

PARAGRAPH = (
    "<p>We knocked on {n} thousand doors this weekend, and the people we met told us the same "
    'thing: they want a representative who shows up. <a href="https://example.org/news/{n}">'
    "Read what they said</a>, then tell a friend.</p>\n"
)
BODY = (
    '<h1>{{ first_name|default:"Friend" }}, three days left</h1>\n'
    '<p>Dear {{ first_name|default:"Friend" }} in {{ city|default:"your town" }},</p>\n'
    + "".join(PARAGRAPH.replace("{n}", str(n)) for n in range(1, 7))
    + "<ul><li>Knock doors on Saturday</li><li>Call voters on Tuesday</li>"
    '<li><a href="https://example.org/events">Find an event near you</a></li></ul>\n'
    "<p>Our deadline is midnight Friday. Can you chip in before then?</p>\n"
    "<p>{{ ask_ladder }}</p>\n"
    '<p><a href="{{ donate_url }}">Give what you can</a> or '
    '<a href="https://example.org/donate/spring/">see the page</a>.</p>\n'
    "<p>Thank you,<br>Jordan Example</p>"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=20_000)
    args = parser.parse_args()
    os.environ.setdefault("GROUNDSWELL_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.config.settings")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    import django

    django.setup()
    from groundswell.donations.models import DonationPage
    from groundswell.mailings.compose import (
        AskContext,
        Footer,
        MessageContent,
        Theme,
        content_check,
        content_links,
        message_render,
    )
    from groundswell.mailings.tracking import link_wrap_for, open_url

    content = MessageContent(
        subject='{{ first_name|default:"Friend" }}, three days left',
        preheader="The deadline is Friday at midnight",
        html=BODY,
    )
    content_check(content)
    theme = Theme(name="Jordan Example for Congress", primary="#7a1f3d", link="#7a1f3d")
    page = DonationPage(
        slug="spring", amounts_cents=[500, 1000, 2500, 5000], min_cents=100, max_cents=350_000
    )
    base = "https://example.org"
    rng = random.Random(7)
    people = [
        {
            "first_name": rng.choice(["Ada", "Bo", "Cy", "Di", ""]) + str(i),
            "city": rng.choice(["Denver", "Boise", "", "Fresno"]),
            "email": f"person{i}@example.org",
        }
        for i in range(args.recipients)
    ]
    highest = [rng.choice([None, *range(500, 150_500, 500)]) for _ in range(args.recipients)]
    tokens = [secrets.token_urlsafe(16) for _ in range(args.recipients)]

    # Warm up what a running worker has loaded already (the URLconf, the libraries).
    from django.urls import reverse

    reverse("donate:page", args=["warm-up"])
    message_render(content=MessageContent(subject="warm", html="<p>up</p>"), merge={})
    started = time.perf_counter()
    ask0 = AskContext(page=page, base_url=base, refcode="spring-push", highest_cents=None)
    links = content_links(content, theme=theme, ask=ask0)
    compile_ms = (time.perf_counter() - started) * 1000

    timings = []
    size = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for i, merge in enumerate(people):
        t0 = time.perf_counter()
        token = tokens[i]
        message = message_render(
            content=content,
            merge=merge,
            footer=Footer(
                html=f'<p>Paid for by Jordan Example for Congress. <a href="{base}/u/{token}/">'
                "Unsubscribe</a></p>",
                text=f"Paid for by Jordan Example for Congress.\nUnsubscribe: {base}/u/{token}/",
            ),
            link_wrap=link_wrap_for(base_url=base, token=token, links=links),
            open_pixel_url=open_url(base_url=base, token=token),
            theme=theme,
            ask=AskContext(
                page=page, base_url=base, refcode="spring-push", highest_cents=highest[i]
            ),
        )
        timings.append(time.perf_counter() - t0)
        size += len(message.html) + len(message.text)
    total = time.perf_counter() - started
    # The machine is shared: CPU time is this process's own work, wall time includes waiting.
    cpu = time.process_time() - cpu_started
    per_message_ms = total / args.recipients * 1000
    figures = {
        "benchmark": "mailing_render",
        "recipients": args.recipients,
        "links_tracked": len(links),
        "compile_ms": round(compile_ms, 2),
        "per_message_ms": round(per_message_ms, 4),
        "median_ms": round(statistics.median(timings) * 1000, 4),
        "p99_ms": round(sorted(timings)[int(len(timings) * 0.99)] * 1000, 4),
        "cpu_ms_per_message": round(cpu / args.recipients * 1000, 4),
        "messages_per_second_one_core": round(args.recipients / total),
        "messages_per_cpu_second": round(args.recipients / cpu),
        "mean_message_kb": round(size / args.recipients / 1024, 1),
        "python": platform.python_version(),
    }
    print(f"compiled once in {compile_ms:.1f} ms; {per_message_ms:.3f} ms per message")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
