"""The plain-text part from the HTML body: headings, lists, quotes, links as numbered notes.

``html2text`` (GPL-3.0-or-later, which AGPL-3.0-or-later may combine with) does the reading;
it writes Markdown, which is what plain-text e-mail has long looked like, and this module takes
off what would look odd to a reader: ``[text][1]`` becomes ``text [1]``, the link list
``[1] https://…``, no backslash escapes, no trailing spaces. Lines stay within 78 columns
(RFC 5322's recommendation) except for an address too long to break.
"""

from __future__ import annotations

import re
import textwrap

import html2text

WIDTH = 78
_REF = re.compile(r"\[([^\]\n]+)\]\[(\d+)\]")
_REF_DEF = re.compile(r"^ {0,3}\[(\d+)\]: (\S+)\s*$", re.M)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
_CELL_END = re.compile(r"</t[dh]\s*>", re.I)
_ROW_END = re.compile(r"</tr\s*>", re.I)
_LONG_URL = re.compile(rf"(?:https?|mailto):\S{{{WIDTH // 2},}}")


def _converter() -> html2text.HTML2Text:
    h = html2text.HTML2Text(bodywidth=WIDTH)
    h.inline_links = False  # numbered notes keep paragraphs readable with long tracked links
    h.wrap_links = False
    h.wrap_list_items = True
    h.unicode_snob = True  # keep "é" and "—", do not spell them in ASCII
    h.ignore_images = True
    h.ignore_tables = True  # layout tables: cells become lines (below), not a Markdown grid
    h.strong_mark = "*"
    h.emphasis_mark = "_"
    h.single_line_break = False
    return h


def html_to_text(body: str) -> str:
    """The readable text of an HTML body, wrapped at 78 columns, links as numbered notes."""
    # A table's cells and rows would otherwise run together ("cell acell b").
    body = _ROW_END.sub("<br></tr>", _CELL_END.sub(" \\g<0>", body))
    text = _converter().handle(body)
    text = _ESCAPE.sub(r"\1", text)
    text = _REF.sub(r"\1 [\2]", text)
    text = _REF_DEF.sub(r"[\1] \2", text)
    text = _AUTOLINK.sub(r"\1", text)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def lines_fit(text: str, *, width: int = WIDTH) -> str:
    """Re-wrap the lines a merged value pushed past ``width``, keeping their indent; a line that
    is one long address stays whole (breaking it would break the link)."""
    if all(len(line) <= width for line in text.split("\n")):
        return text
    out = []
    for line in text.split("\n"):
        # A line holding an address too long to fit stays whole: moving the address to a line
        # of its own would not make it fit, only part it from its label ("[1]", "Give $25:").
        if len(line) <= width or " " not in line.strip() or _LONG_URL.search(line):
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        bullet = re.match(r"\s*(?:[*+-]|\d+\.)\s+", line)
        rest = " " * len(bullet.group(0)) if bullet else indent
        out.extend(
            textwrap.wrap(
                line.strip(),
                width=width,
                initial_indent=indent,
                subsequent_indent=rest,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)
