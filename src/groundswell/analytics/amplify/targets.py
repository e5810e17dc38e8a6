"""Which of our pages a suggested post may link to: the published action and donation pages,
the home page and the platform, read from the apps that own them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from groundswell.actions import site
from groundswell.actions.selectors import public_pages


@dataclass(frozen=True)
class Target:
    path: str
    label: str


def _reversed(name: str, label: str, **kwargs) -> Target | None:
    try:
        return Target(reverse(name, kwargs=kwargs or None), label)
    except NoReverseMatch:
        return None


def targets_available() -> list[Target]:
    """Every page a post may point at, home page first."""
    found = [_reversed("public:home", "Home page"), _reversed("public:platform", "Platform")]
    for page in public_pages():
        found.append(
            _reversed("public:page", f"{page.get_kind_display()}: {page.title}", slug=page.slug)
        )
    for ref in site.donation_pages():
        found.append(Target(ref.url, f"Donation page: {ref.title}"))
    return [target for target in found if target is not None]


def path_is_ours(path: str) -> bool:
    """A path on this site: one leading slash, no scheme, host or backslash to escape by."""
    return (
        path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
        and ":" not in path.split("?", 1)[0]
        and all(ch.isprintable() and not ch.isspace() for ch in path)
    )
