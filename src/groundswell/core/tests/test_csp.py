"""Staff pages send a Content-Security-Policy; the public site does not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.demo.actions_site import campaign_site_seed

HEADER = "Content-Security-Policy"


@pytest.mark.parametrize("role", ["admin", "finance", "organizer", "volunteer"])
def test_every_staff_page_a_role_opens_carries_the_policy(persona_client, role):
    client = persona_client(role)
    response = client.get(reverse("people:list"))
    assert response.status_code == 200
    policy = response[HEADER]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-eval" not in policy
    assert "script-src 'self' 'unsafe-inline'" not in policy


def test_the_login_page_and_the_django_admin_carry_it_too(client, persona_client, db):
    assert HEADER in client.get(reverse("accounts:login"))
    assert HEADER in persona_client("admin").get(reverse("admin:index"))


def test_a_refused_staff_page_carries_it(persona_client):
    response = persona_client("volunteer").get(reverse("accounts:audit"))
    assert response.status_code == 403
    assert HEADER in response


def test_the_public_site_carries_none(client, db):
    campaign_site_seed(seed=5)
    for path in ("/", "/about/", "/a/join/", "/embed.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert HEADER not in response, path


def test_staff_templates_run_no_inline_script_or_handler():
    """What the policy would block silently: keep behaviours in core/staff.js."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    templates = [*root.glob("*/templates/**/*.html"), *root.glob("templates/**/*.html")]
    assert len(templates) > 50
    for template in templates:
        if "/public/" in str(template) or "/donate/" in str(template):
            continue  # the public site: no policy
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offenders.append(f"{template.relative_to(root)}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text) or "javascript:" in text:
            offenders.append(f"{template.relative_to(root)}: inline handler")
    assert offenders == []
