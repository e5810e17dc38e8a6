"""One recipient's message: the layout, merge fields, links, footer, pixel, and compiling once."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundswell.core.tests.hostile import EXAMPLES
from groundswell.mailings.compose import (
    ContentError,
    Footer,
    MessageContent,
    Theme,
    content_check,
    content_links,
    message_render,
    theme_for_site,
)
from groundswell.mailings.compose import render as render_module

FOOTER = Footer(
    html='<p>Paid for by Friends of Example. <a href="https://example.org/u/tok">Unsubscribe</a></p>',
    text="Paid for by Friends of Example.\nUnsubscribe: https://example.org/u/tok",
)
BODY = (
    '<h1>Spring push</h1>\n<p>Dear {{ first_name|default:"Friend" }}, we are close.</p>\n'
    '<p><a href="https://example.org/issues">Read our plan</a> and '
    '<a href="https://example.org/events?city={{ city }}">find an event</a>.</p>'
)


def _content(**kwargs) -> MessageContent:
    base = {"subject": 'News for {{ first_name|default:"you" }}', "html": BODY}
    return MessageContent(**{**base, **kwargs})


def test_merge_fields_fill_in_with_their_defaults_when_the_value_is_blank():
    ada = message_render(content=_content(), merge={"first_name": "Ada"})
    nobody = message_render(content=_content(), merge={"first_name": "  "})
    assert ada.subject == "News for Ada"
    assert "Dear Ada," in ada.html and "Dear Ada," in ada.text
    assert nobody.subject == "News for you"
    assert "Dear Friend," in nobody.html and "Dear Friend," in nobody.text


def test_a_recipients_values_are_escaped_in_html_and_plain_in_text_and_subject():
    hostile = '<script>alert(1)</script>" onmouseover="x'
    message = message_render(content=_content(), merge={"first_name": hostile, "city": hostile})
    assert "<script>alert(1)" not in message.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x" in message.html
    assert hostile in message.text
    line_broken = message_render(content=_content(), merge={"first_name": "Ada\r\nBcc: x@y.org"})
    assert "\n" not in line_broken.subject and "\r" not in line_broken.subject


def test_the_body_sits_in_a_responsive_layout_in_the_campaigns_colours_and_name():
    theme = Theme(name="Shaw for Congress", primary="#7a1f3d", on_primary="#ffffff")
    message = message_render(content=_content(), merge={}, theme=theme)
    assert message.html.lower().startswith("<!doctype html>")
    assert 'name="viewport"' in message.html
    assert "@media only screen" in message.html  # columns stack on a phone
    assert "#7a1f3d" in message.html and "Shaw for Congress" in message.html
    assert "<h1" in message.html and "Spring push" in message.html
    assert "fonts.googleapis" not in message.html  # nothing loads from a third party


def test_body_styles_are_inlined_on_the_elements_for_clients_that_drop_style_tags():
    theme = Theme(link="#0b5394")
    message = message_render(content=_content(), merge={}, theme=theme)
    link = re.search(r'<a href="https://example.org/issues"[^>]*>', message.html).group(0)
    assert "color: #0b5394" in link
    h1 = re.search(r"<h1[^>]*>", message.html).group(0)
    assert "font-size: 26px" in h1


def test_the_preheader_is_hidden_text_at_the_top_with_its_merge_fields():
    message = message_render(
        content=_content(preheader='Only {{ first_name|default:"you" }} can help'),
        merge={"first_name": "Ada <3"},
    )
    top = message.html.split("<body", 1)[1]
    assert top.index("Only Ada &lt;3 can help") < top.index("Spring push")
    assert "display:none" in top[: top.index("Only Ada")]
    no_preheader = message_render(content=_content(), merge={})
    assert "display:none;font-size:1px" not in no_preheader.html


def test_the_footer_goes_in_the_layouts_footer_and_after_the_signature_line_in_text():
    message = message_render(content=_content(), merge={}, footer=FOOTER)
    assert message.html.index("Spring push") < message.html.index("Paid for by Friends")
    assert 'class="gs-footer"' in message.html[: message.html.index("Paid for by Friends")]
    assert message.text.endswith("-- \n" + FOOTER.text + "\n")


def test_link_wrap_tracks_the_bodys_links_in_both_parts_but_never_the_footers():
    seen = []

    def wrap(url: str) -> str:
        seen.append(url)
        return f"https://t.example.org/c/{len(seen)}/"

    message = message_render(
        content=_content(), merge={"city": "Denver"}, footer=FOOTER, link_wrap=wrap
    )
    assert "https://example.org/issues" in seen
    assert "https://example.org/events?city=Denver" in seen
    assert "https://example.org/u/tok" not in seen
    assert 'href="https://example.org/u/tok"' in message.html
    assert 'href="https://example.org/issues"' not in message.html
    assert "https://example.org/issues" not in message.text.split("-- \n")[0]
    assert "https://t.example.org/c/" in message.text


def test_the_open_pixel_is_the_last_image_of_the_body():
    message = message_render(
        content=_content(), merge={}, open_pixel_url="https://t.example.org/o/a&b.gif"
    )
    images = re.findall(r"<img [^>]*>", message.html)
    assert (
        images[-1] == '<img src="https://t.example.org/o/a&amp;b.gif" width="1" height="1" alt="">'
    )
    assert message.html.index(images[-1]) > message.html.index("Spring push")


def test_content_links_are_the_bodys_static_links_once_each_in_order():
    content = _content(html=BODY + '<p><a href="https://example.org/issues">again</a></p>')
    assert content_links(content) == ("https://example.org/issues",)


def test_links_only_the_written_text_part_names_are_in_the_trackers_list_too():
    content = _content(text="See https://example.org/text-only and https://example.org/issues")
    assert content_links(content) == ("https://example.org/issues", "https://example.org/text-only")


def test_a_written_text_part_is_used_as_written_with_its_merge_fields():
    content = _content(text='Hi {{ first_name|default:"Friend" }}, see https://example.org/x')
    message = message_render(content=content, merge={"first_name": "Ada"}, link_wrap=str.upper)
    assert message.text == "Hi Ada, see HTTPS://EXAMPLE.ORG/X\n"


def test_a_mailing_is_compiled_once_for_all_its_recipients(monkeypatch):
    calls = []
    original = render_module.compile_message

    def counting(**kwargs):
        calls.append(1)
        return original(**kwargs)

    monkeypatch.setattr(render_module, "compile_message", counting)
    content = _content(html=BODY + "<p>compiled once</p>")
    names = [f"Person{i}" for i in range(50)]
    for name in names:
        message = message_render(content=content, merge={"first_name": name}, footer=FOOTER)
        assert f"Dear {name}," in message.html
    assert len(calls) == 1


def test_the_theme_comes_from_the_campaign_sites_settings_with_readable_colours():
    class Site:
        name = "Rivera for Senate"
        primary_color = "#ffee00"  # too light for link text on white
        accent_color = "#123456"
        logo = None

    theme = theme_for_site(site=Site(), base_url="https://example.org")
    assert theme.name == "Rivera for Senate"
    assert theme.primary == "#ffee00"
    assert theme.on_primary == "#111111"  # dark text on a light header
    assert theme.link != "#ffee00"  # darkened until it reads on white


@pytest.mark.parametrize("hostile", ["#fff;}</style><script>", "red", ""])
def test_a_theme_colour_that_is_not_a_colour_falls_back_to_the_stock_one(hostile):
    message = message_render(content=_content(), merge={}, theme=Theme(primary=hostile))
    assert "<script>" not in message.html
    assert "#1f6f5c" in message.html


_ANY_TEXT = st.text(alphabet=st.characters(), max_size=60)  # surrogates and NUL included


@settings(max_examples=min(EXAMPLES, 1000), deadline=None)
@given(first_name=_ANY_TEXT, city=_ANY_TEXT)
def test_any_recipient_value_renders_into_a_message_that_can_be_encoded(first_name, city):
    message = message_render(
        content=_content(), merge={"first_name": first_name, "city": city}, footer=FOOTER
    )
    for part in (message.subject, message.html, message.text):
        part.encode("utf-8")  # a lone surrogate or NUL would fail here or at the SMTP server
        assert "\x00" not in part
    assert "\n" not in message.subject


def test_content_with_a_character_that_cannot_be_sent_is_refused_with_its_line():
    with pytest.raises(ContentError) as caught:
        content_check(MessageContent(subject="s", html="<p>ok</p>\n<p>bad \x00 here</p>"))
    assert (caught.value.part, caught.value.line) == ("HTML", 2)


@pytest.mark.django_db
def test_the_saved_site_settings_give_the_theme_and_its_logo_address():
    from django.core.files.base import ContentFile

    from groundswell.actions.services import site_get

    site = site_get()
    site.name = "Okafor for Council"
    site.primary_color = "#204080"
    site.logo.save("logo.png", ContentFile(b"\x89PNG fake"), save=True)
    theme = theme_for_site(site=site_get(), base_url="https://example.org/")
    assert (theme.name, theme.primary) == ("Okafor for Council", "#204080")
    assert theme.logo_url.startswith("https://example.org/site/logo?v=")
    message = message_render(content=_content(), merge={}, theme=theme)
    logo = theme.logo_url.replace("&", "&amp;")
    assert f'src="{logo}"' in message.html and 'alt="Okafor for Council"' in message.html
    site.logo.delete(save=True)
    site.logo.save("logo.svg", ContentFile(b"<svg/>"), save=True)
    assert theme_for_site(site=site_get(), base_url="https://example.org").logo_url == ""
    site.logo.delete(save=False)
