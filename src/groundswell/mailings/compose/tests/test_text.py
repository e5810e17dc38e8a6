"""The plain-text part generated from the HTML: wrapped, links as notes, lists and headings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES
from groundswell.mailings.compose import MessageContent, message_render
from groundswell.mailings.compose.text import html_to_text, lines_fit

LONG = " ".join(["organizing"] * 30)


def test_headings_paragraphs_and_lists_read_as_text():
    text = html_to_text(
        "<h1>Spring push</h1><p>Hello <strong>there</strong>.</p>"
        "<ul><li>Knock doors</li><li>Call voters</li></ul><ol><li>First</li><li>Second</li></ol>"
        "<blockquote>Quoted</blockquote>"
    )
    assert text.startswith("# Spring push\n\nHello *there*.\n")
    assert "  * Knock doors\n  * Call voters\n" in text
    assert "  1. First\n  2. Second\n" in text
    assert "> Quoted" in text


def test_links_become_numbered_notes_listed_at_the_end():
    text = html_to_text(
        '<p>Read <a href="https://example.org/plan">our plan</a> and '
        '<a href="https://example.org/events">come along</a>, or '
        '<a href="https://example.org/plan">the plan again</a>.</p>'
    )
    assert "Read our plan [1] and come along [2], or the plan again [1]." in text
    assert text.endswith("[1] https://example.org/plan\n[2] https://example.org/events\n")


def test_long_paragraphs_wrap_within_78_columns():
    text = html_to_text(f"<p>{LONG}</p><ul><li>{LONG}</li></ul>")
    assert max(len(line) for line in text.splitlines()) <= 78
    assert len(text.splitlines()) > 6


def test_no_markdown_escapes_or_trailing_spaces_are_left():
    text = html_to_text("<p>1. Not a list - really * ok</p><p>a<br>b</p>")
    assert "\\" not in text
    assert all(line == line.rstrip() for line in text.splitlines())


def test_table_cells_do_not_run_together():
    text = html_to_text(
        "<table><tr><td>Date</td><td>May 3</td></tr><tr><td>Place</td></tr></table>"
    )
    assert "Date May 3" in text and "Place" in text


def test_a_long_merged_name_is_rewrapped_within_78_columns():
    content = MessageContent(subject="s", html=f"<p>Dear {{{{ first_name }}}}, {LONG}</p>")
    message = message_render(content=content, merge={"first_name": "Bartholomew-" * 4})
    assert max(len(line) for line in message.text.splitlines()) <= 78


def test_a_line_with_a_long_address_stays_whole():
    line = "[1] https://example.org/" + "x" * 90
    assert lines_fit(line) == line


@settings(max_examples=min(EXAMPLES, 500), deadline=None)
@given(words=st.lists(st.text(alphabet="abcdefghij ", min_size=1, max_size=20), max_size=60))
def test_generated_text_never_passes_78_columns_without_a_long_address(words):
    text = html_to_text("<p>" + " ".join(words) + "</p>")
    assert all(len(line) <= 78 or " " not in line for line in text.splitlines())
