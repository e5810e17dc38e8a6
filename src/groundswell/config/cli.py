"""The `groundswell` command: Django's management command line plus our own commands."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "groundswell.config.settings")
    if len(argv) > 1 and argv[1] == "demo":
        # The demo is a local throw-away campaign: it may generate its own secret key.
        os.environ.setdefault("GROUNDSWELL_DEMO", "1")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        # A bad setting is the operator's to fix: say which and why, without a traceback.
        sys.stderr.write(f"groundswell: configuration error: {exc}\n")
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
