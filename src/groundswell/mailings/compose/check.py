"""Refusing HTML that would break in a mail client or endanger a reader, with the line.

Staff write the body; a mistake there reaches every recipient, so the composer refuses it when
the mailing is saved: a tag left open or closed in the wrong order (clients repair it each in
their own way), active content (scripts, forms, frames, event handlers — mail clients strip
them, spam filters score them), a ``javascript:`` or ``data:`` link, and plain-http links unless
the mailing allows them (a tracked click through http leaks the recipient's token in transit).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from groundswell.mailings.compose.fields import ANY_TAG, TAG, ContentError

# Tags that never belong in an e-mail body.
FORBIDDEN_TAGS = {
    "script": "a script (mail clients remove it, spam filters punish it)",
    "form": "a form (mail clients disable forms; link to a page instead)",
    "input": "a form field (link to a page instead)",
    "select": "a form field (link to a page instead)",
    "textarea": "a form field (link to a page instead)",
    "button": "a form button (use a link styled as a button)",
    "iframe": "an iframe (mail clients do not show frames)",
    "frame": "a frame",
    "frameset": "a frameset",
    "object": "an embedded object",
    "embed": "an embedded object",
    "applet": "an applet",
    "base": "a <base> tag (it would change where every link points)",
    "meta": "a <meta> tag (the layout writes the page head)",
    "link": "a <link> tag (stylesheets are not loaded by mail clients; use <style> or inline)",
    "html": "a whole page (write only the body; the layout adds the page around it)",
    "head": "a page head (write only the body)",
    "body": "a <body> tag (write only the body's content)",
    "title": "a <title> tag (the subject is the title)",
}
VOID = {
    "area", "br", "col", "hr", "img", "wbr", "source", "track", "param", "input", "meta",
    "link", "base", "embed",
}  # fmt: skip
# End tags HTML lets a writer leave out; implied when the parent closes or a sibling opens.
OPTIONAL_END = {"p", "li", "dt", "dd", "td", "th", "tr", "thead", "tbody", "tfoot", "option"}
# A new one of these closes an open one of the same family first (HTML's implied ends).
_SIBLING_CLOSES = {
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "td": {"td", "th"},
    "th": {"td", "th"},
    "tr": {"tr", "td", "th"},
    "tbody": {"tbody", "thead", "tr", "td", "th"},
    "tfoot": {"tbody", "thead", "tr", "td", "th"},
}
# Block elements that close an open <p> (HTML's rule; "<p>a<div>" is a closed p then a div).
_CLOSES_P = {
    "address", "article", "aside", "blockquote", "div", "dl", "fieldset", "footer", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
    "table", "ul", "figure",
}  # fmt: skip
# Attributes a merge field may fill (escaped): a link, an image's address, its text.
MERGE_ATTRS = {"href", "src", "alt", "title"}
URL_ATTRS = {"href", "src", "background", "action", "formaction", "poster", "cite"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
SAFE_SCHEMES = {"mailto", "tel", "sms"}


def url_problem(value: str, *, attr: str, allow_http: bool) -> str | None:
    """Why a link or image address may not go out, or None when it may."""
    whole = TAG.fullmatch(value.strip())
    if whole is not None:
        return None if whole.group(1) == "donate_url" else (
            f"{{{{ {whole.group(1)} }}}} is not an address; only {{{{ donate_url }}}} is"
        )  # fmt: skip
    # Browsers ignore spaces and control characters inside a scheme ("java\tscript:").
    bare = _INVISIBLE.sub("", value)
    scheme = _SCHEME.match(bare)
    if scheme is None:
        if bare.startswith("#"):
            return None
        return f"{value[:60]!r} is not a full address; write https://…"
    name = scheme.group(1).lower()
    if name == "https" or (name in SAFE_SCHEMES and attr == "href"):
        return None
    if name == "http":
        return None if allow_http else f"{value[:60]!r} is not https (allow http links to keep it)"
    return f"{name}: addresses are not allowed ({value[:40]!r})"


class _Checker(HTMLParser):
    def __init__(self, *, allow_http: bool):
        super().__init__(convert_charrefs=True)
        self.allow_http = allow_http
        self.open: list[tuple[str, int]] = []  # (tag, line) still open
        self.problem: tuple[str, int] | None = None

    def _refuse(self, message: str, line: int | None = None) -> None:
        if self.problem is None:
            self.problem = (message, line or self.getpos()[0])

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, closes_itself=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, closes_itself=True)

    def _start(self, tag: str, attrs, *, closes_itself: bool) -> None:
        if tag in FORBIDDEN_TAGS:
            self._refuse(f"<{tag}> is {FORBIDDEN_TAGS[tag]}")
        for name, value in attrs:
            if name.startswith("on"):
                self._refuse(f"<{tag} {name}=…> is a script handler; mail clients remove it")
            elif name in URL_ATTRS and value is not None:
                problem = url_problem(value, attr=name, allow_http=self.allow_http)
                if problem:
                    self._refuse(f"<{tag} {name}>: {problem}")
            elif name == "style" and value and re.search(r"expression\s*\(|url\s*\(", value, re.I):
                self._refuse(f"<{tag} style=…> loads or runs something; use an <img> instead")
            if value and name not in MERGE_ATTRS and ANY_TAG.search(value):
                # A recipient's value inside a style or class could restyle or hide the message.
                self._refuse(f"<{tag} {name}=…> may not hold a merge field (only text and links)")
        if (tag == "p" or tag in _CLOSES_P) and self.open and self.open[-1][0] == "p":
            self.open.pop()
        family = _SIBLING_CLOSES.get(tag)
        while family and self.open and self.open[-1][0] in family:
            self.open.pop()
        if tag not in VOID and not closes_itself:
            self.open.append((tag, self.getpos()[0]))

    def handle_data(self, data):
        if self.open and self.open[-1][0] == "style" and (found := ANY_TAG.search(data)):
            line = self.getpos()[0] + data.count("\n", 0, found.start())
            self._refuse("a <style> block may not hold a merge field", line)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        line = self.getpos()[0]
        names = [name for name, _ in self.open]
        if tag not in names:
            if tag == "p":  # "</p>" after an implied close is legal HTML: an empty paragraph
                return
            self._refuse(f"</{tag}> closes a tag that is not open")
            return
        while self.open[-1][0] != tag:
            inner, opened = self.open.pop()
            if inner not in OPTIONAL_END:
                self._refuse(f"</{tag}> closes <{tag}> before <{inner}> (line {opened})", line)
                return
        self.open.pop()

    def finish(self) -> None:
        for tag, line in reversed(self.open):
            if tag not in OPTIONAL_END:
                self._refuse(f"<{tag}> is never closed", line)


def html_check(body: str, *, allow_http: bool = False) -> None:
    """Raise ContentError for the first broken or unsafe construct of an HTML body."""
    checker = _Checker(allow_http=allow_http)
    try:
        checker.feed(body)
        leftover = checker.rawdata  # what the parser could not finish: an open tag or comment
        if "<" in leftover and not leftover.lstrip().startswith("<!--"):
            checker._refuse("a tag is not finished (a '<' without its '>')")
        elif leftover.lstrip().startswith("<!--"):
            checker._refuse("a comment is never closed ('<!--' without '-->')")
        checker.close()
    except Exception as exc:  # html.parser may assert on some malformed declarations
        raise ContentError(f"the HTML cannot be read ({exc})", part="HTML", line=1) from None
    checker.finish()
    if checker.problem:
        message, line = checker.problem
        raise ContentError(message, part="HTML", line=line)
