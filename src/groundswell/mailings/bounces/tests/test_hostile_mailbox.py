"""Hostile bounce mailboxes: whatever bytes land in the maildir, the command neither crashes nor
reads a message twice; a message that cannot be applied is logged and marked handled, unless
the database failed (then it stays unseen for the next run)."""

from __future__ import annotations

import logging
import mailbox
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError
from hypothesis import given
from hypothesis import strategies as st

from groundswell.core.tests.hostile import SUITE
from groundswell.mailings.bounces import mailbox as bounce_mailbox
from groundswell.people.models import ConsentMethod, EmailAddress, EmailStatus
from groundswell.people.tests.factories import person_create

pytestmark = pytest.mark.django_db

MESSAGES = Path(__file__).parent / "messages"
REAL = [p.read_bytes() for p in sorted(MESSAGES.glob("*.eml"))]
HARD = "quillon.marsh@example.org"


@st.composite
def mangled_report(draw) -> bytes:
    """A real report cut, spliced with noise, or with bytes swapped."""
    raw = draw(st.sampled_from(REAL))
    cut = draw(st.integers(0, len(raw)))
    noise = draw(st.binary(max_size=300))
    how = draw(st.sampled_from(["cut", "splice", "tail", "nul"]))
    if how == "cut":
        return raw[:cut]
    if how == "splice":
        return raw[:cut] + noise + raw[cut:]
    if how == "nul":
        return raw.replace(b"\n", b"\x00\n", draw(st.integers(1, 20)))
    return raw + noise


messages = st.lists(
    st.one_of(st.binary(max_size=3000), mangled_report(), st.sampled_from(REAL)),
    min_size=1,
    max_size=4,
)


def read(path: Path) -> str:
    out = StringIO()
    call_command("bounces_read", "--once", "--url", f"maildir://{path}", stdout=out)
    return out.getvalue()


@SUITE
@given(contents=messages)
def test_any_bytes_in_the_maildir_are_read_once_without_crashing_the_command(contents):
    if not EmailAddress.objects.filter(address=HARD).exists():
        person_create(email=HARD, email_status="subscribed", method=ConsentMethod.FORM)
    with tempfile.TemporaryDirectory() as folder:
        box = mailbox.Maildir(str(Path(folder) / "bounces"), create=True)
        for raw in contents:
            box.add(raw)
        output = read(Path(folder) / "bounces")
        assert output.startswith(f"{len(contents)} messages:")
        assert list((Path(folder) / "bounces" / "new").iterdir()) == []
        assert read(Path(folder) / "bounces").startswith("0 messages:")
    assert EmailAddress.objects.get(address=HARD).status in {
        EmailStatus.SUBSCRIBED,
        EmailStatus.BOUNCING,
    }


def test_a_report_that_cannot_be_applied_is_logged_and_marked_handled(
    tmp_path, monkeypatch, caplog
):
    def broken(**kwargs):
        raise ValueError("an odd value")

    monkeypatch.setattr(bounce_mailbox, "bounce_events_apply", broken)
    box = mailbox.Maildir(str(tmp_path / "b"), create=True)
    box.add((MESSAGES / "postfix_hard.eml").read_bytes())
    with caplog.at_level(logging.ERROR, logger="groundswell.mailings.bounces.mailbox"):
        output = read(tmp_path / "b")
    assert "1 could not be applied" in output
    assert "could not apply the report" in caplog.text
    assert list((tmp_path / "b" / "new").iterdir()) == []


def test_a_database_failure_leaves_the_report_unseen_for_the_next_run(tmp_path, monkeypatch):
    def down(**kwargs):
        raise OperationalError("the database restarts")

    monkeypatch.setattr(bounce_mailbox, "bounce_events_apply", down)
    box = mailbox.Maildir(str(tmp_path / "b"), create=True)
    box.add((MESSAGES / "postfix_hard.eml").read_bytes())
    with pytest.raises(OperationalError):
        read(tmp_path / "b")
    assert len(list((tmp_path / "b" / "new").iterdir())) == 1

    monkeypatch.undo()
    person_create(email=HARD, email_status="subscribed", method=ConsentMethod.FORM)
    assert "1 addresses suppressed" in read(tmp_path / "b")
    assert EmailAddress.objects.get(address=HARD).status == EmailStatus.BOUNCING
