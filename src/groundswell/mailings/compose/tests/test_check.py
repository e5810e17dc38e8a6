"""Content refused with its part and line: merge tags, broken or unsafe HTML, links, subjects."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES
from groundswell.mailings.compose import (
    ContentError,
    MergeFieldError,
    MessageContent,
    content_check,
    content_fields,
    message_render,
)


def _refusal(html: str = "<p>Hello</p>", **kwargs) -> MergeFieldError:
    content = MessageContent(**{"subject": "Hello", "html": html, **kwargs})
    with pytest.raises(MergeFieldError) as caught:
        content_check(content)
    return caught.value


def test_good_content_passes():
    content_check(
        MessageContent(
            subject='Hi {{ first_name|default:"Friend" }}',
            preheader="Three days left",
            html=(
                "<h1>Hello</h1>\n<p>One<p>Two\n<ul><li>a<li>b</ul>\n"
                '<table><tr><td>x<td>y</table><br><img src="https://example.org/a.png" alt="">'
                '<p><a href="{{ donate_url }}">Give</a> <a href="mailto:team@example.org">Mail</a>'
                ' <a href="#top">Top</a></p>\n{{ ask_ladder }}'
            ),
        )
    )


def test_an_unknown_merge_field_is_refused_with_its_part_and_line():
    error = _refusal("<p>Hi</p>\n<p>{{ frist_name }}</p>")
    assert (error.part, error.line) == ("HTML", 2)
    assert "frist_name" in str(error) and "first_name" in str(error)


def test_a_broken_tag_is_refused_with_its_line():
    error = _refusal(text="Hello\n\n{{ first_name ")
    assert (error.part, error.line) == ("Text", 3)


@pytest.mark.parametrize(
    ("html", "line", "words"),
    [
        ("<p>a</p>\n<div>\n<p>never closed", 2, "<div> is never closed"),
        ("<p>a <em>b</p>", 1, "before <em>"),
        ("<div>\n</span></div>", 2, "</span> closes a tag that is not open"),
        ("<p>ok</p>\n\n<script>alert(1)</script>", 3, "script"),
        ('<p>\n<a href="javascript:alert(1)">x</a></p>', 2, "javascript"),
        ('<a href=" jav&#x09;ascript:alert(1)">x</a>', 1, "javascript"),
        ('<img src="data:image/png;base64,AAAA">', 1, "data"),
        ("<form action='https://example.org'><input name=a></form>", 1, "form"),
        ('<iframe src="https://example.org"></iframe>', 1, "iframe"),
        ('<p onclick="steal()">x</p>', 1, "script handler"),
        ('<a href="http://example.org">x</a>', 1, "not https"),
        ('<a href="/relative">x</a>', 1, "full address"),
        ('<a href="{{ email }}">x</a>', 1, "not an address"),
        ("<p>fine</p>\n<p>cut <b", 2, "not finished"),
        ("<!-- never closed", 1, "comment"),
        ("<html><body><p>x</p></body></html>", 1, "whole page"),
        ('<p>\n<span style="color: {{ city }}">x</span></p>', 2, "may not hold a merge field"),
        ("<style>\n.a { color: {{ city }} }</style>", 2, "<style> block"),
    ],
)
def test_broken_or_unsafe_html_is_refused_with_its_line(html, line, words):
    error = _refusal(html)
    assert isinstance(error, ContentError)
    assert (error.part, error.line) == ("HTML", line)
    assert words in str(error)


def test_http_links_pass_when_the_mailing_allows_them():
    content_check(
        MessageContent(subject="s", html='<a href="http://example.org">x</a>', allow_http=True)
    )


@pytest.mark.parametrize(
    ("subject", "words"),
    [("Hello\nBcc: victim@example.org", "line break"), ("x" * 201, "201 characters")],
)
def test_a_subject_with_a_line_break_or_too_long_is_refused(subject, words):
    error = _refusal(subject=subject)
    assert error.part == "Subject" and words in str(error)


def test_the_ask_fields_belong_in_the_body_not_the_subject():
    error = _refusal(subject="Give: {{ donate_url }}")
    assert error.part == "Subject" and "body" in str(error)


def test_content_fields_names_what_a_message_uses_including_finance_derived_ones():
    content = MessageContent(subject="{{ first_name }}", html="<p>{{ ask_ladder }}</p>")
    assert content_fields(content) == {"first_name", "ask_ladder"}


def test_merge_field_error_stays_the_one_class_callers_catch():
    assert issubclass(ContentError, MergeFieldError)
    assert issubclass(MergeFieldError, ValueError)


_HTMLISH = st.lists(
    st.sampled_from(
        list("<>/=\"' \n&#;{}|:!-ab")
        + [
            "<p>",
            "</p>",
            "<a href=",
            "{{ ",
            " }}",
            "<!--",
            "-->",
            "<script>",
            "<div>",
            "</div>",
            "javascript:",
            "https://x.org",
            '"Friend"',
            "first_name",
            "default:",
            "<![CDATA[",
            "<?",
            "&#x0;",
            "\x00",
            "\ud800",
            "é",
        ]  # fmt: skip
    ),
    max_size=60,
).map("".join)


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    subject=st.text(max_size=60),
    html=st.one_of(st.text(max_size=200), _HTMLISH),
    text=st.text(max_size=100),
)
def test_arbitrary_content_is_accepted_or_refused_never_anything_else(subject, html, text):
    content = MessageContent(subject=subject, html=html, text=text)
    try:
        content_check(content)
    except MergeFieldError as error:
        assert error.line >= 1 and error.part in ("Subject", "Preheader", "HTML", "Text")


@settings(max_examples=min(EXAMPLES, 300), deadline=None)
@given(html=_HTMLISH, name=st.text(max_size=40))
def test_content_that_passes_the_check_always_renders(html, name):
    content = MessageContent(subject="Hello", html=html)
    try:
        content_check(content)
    except MergeFieldError:
        return
    message = message_render(content=content, merge={"first_name": name})
    assert message.html and message.text
    assert "<script" not in message.html.lower()
