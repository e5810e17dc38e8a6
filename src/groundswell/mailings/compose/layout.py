"""The responsive e-mail layout in the campaign's colours, compiled from MJML once per theme.

MJML (through ``mjml-python``, the Rust port MRML, MIT, offline) writes the table markup and
Outlook conditionals that make a one-column layout hold in every client, stacking on a phone.
The layout is compiled once per theme and cached; a message's body is then put in its slot and
``css-inline`` (MIT) copies the body styles onto each element once per message content, because
Gmail and Outlook ignore most ``<style>`` rules. Nothing here loads from the internet: the font
is the system's (MJML's default Google font would also tell Google who opened the message).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import css_inline
import mjml
from django.urls import reverse

from groundswell.actions.site import site_theme

# Where the per-message parts go in the compiled layout; each compile swaps these for slot
# names with a random nonce, so nothing a staff member writes can collide with them.
BODY_SLOT = "GSLAYOUTBODYSLOT"
FOOTER_SLOT = "GSLAYOUTFOOTERSLOT"
PREHEADER_SLOT = "GSLAYOUTPREHEADERSLOT"
PIXEL_SLOT = "GSLAYOUTPIXELSLOT"
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
RASTER_LOGOS = (".png", ".jpg", ".jpeg", ".gif")
FONT_STACK = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif"
# After the preheader: invisible fillers so a client's preview line does not run on into the
# body's first words (each pair is a zero-width non-joiner and a no-break space).
PREHEADER_FILLER = "&#847;&zwnj;&nbsp;" * 60


@dataclass(frozen=True)
class Theme:
    """The campaign's look in a message. ``theme_for_site`` reads it from the site settings."""

    name: str = "Our Campaign"
    primary: str = "#1f6f5c"  # the header band and buttons
    on_primary: str = "#ffffff"  # text on the primary colour
    link: str = "#1f6f5c"  # links in the body, darkened to read on white
    accent: str = "#f2b134"  # the rule under the header
    logo_url: str = ""  # absolute https address of the logo; the name is shown when blank
    background: str = "#f3f4f6"
    lang: str = "en"

    def colour(self, name: str, fallback: str) -> str:
        value = getattr(self, name)
        return value if _COLOR.match(value or "") else fallback


def theme_for_site(*, site, base_url: str) -> Theme:
    """The theme of the campaign site (``actions.services.site_get()``): its name, its colours
    with contrast kept by ``actions.site.site_theme`` and its logo as an absolute address under
    ``base_url`` (the public site's origin, e.g. ``https://example.org``)."""
    colours = site_theme(site)
    logo_url = ""
    # The public site serves the logo at one address (sandboxed); mail clients show PNG, JPEG
    # and GIF but not SVG (Gmail drops it), so an SVG logo gives way to the campaign's name.
    if getattr(site, "logo", None) and site.logo.name.lower().endswith(RASTER_LOGOS):
        version = int(site.updated_at.timestamp()) if getattr(site, "updated_at", None) else 0
        logo_url = f"{base_url.rstrip('/')}{reverse('public:logo')}?v={version}"
    return Theme(
        name=site.name or "Our Campaign",
        primary=colours["primary"],
        on_primary=colours["on_primary"],
        link=colours["link"],
        accent=colours["accent"],
        logo_url=logo_url if logo_url.startswith("https://") else "",
    )


def _body_css(theme: Theme) -> str:
    link = theme.colour("link", "#1f6f5c")
    primary = theme.colour("primary", "#1f6f5c")
    on_primary = theme.colour("on_primary", "#ffffff")
    return f"""
      .gs-body a {{ color: {link}; text-decoration: underline; }}
      .gs-body p {{ margin: 0 0 16px 0; }}
      .gs-body h1 {{ font-size: 26px; line-height: 1.25; margin: 0 0 16px 0; }}
      .gs-body h2 {{ font-size: 21px; line-height: 1.3; margin: 24px 0 12px 0; }}
      .gs-body h3 {{ font-size: 18px; line-height: 1.3; margin: 20px 0 8px 0; }}
      .gs-body ul, .gs-body ol {{ margin: 0 0 16px 0; padding-left: 24px; }}
      .gs-body li {{ margin: 0 0 6px 0; }}
      .gs-body img {{ max-width: 100%; height: auto; border: 0; }}
      .gs-body blockquote {{ margin: 0 0 16px 0; padding-left: 12px;
                             border-left: 3px solid {theme.colour("accent", "#f2b134")}; }}
      .gs-body a.gs-ask {{ display: inline-block; margin: 0 8px 10px 0; padding: 12px 18px;
                          background-color: {primary}; color: {on_primary};
                          border-radius: 6px; font-weight: bold; text-decoration: none;
                          font-size: 17px; }}
      .gs-body a.gs-ask-other {{ display: inline-block; padding: 12px 4px; }}
      .gs-footer a {{ color: #4b5563; }}
    """


def _header(theme: Theme) -> str:
    name = html.escape(theme.name)
    if theme.logo_url:
        return (
            f'<mj-image src="{html.escape(theme.logo_url)}" alt="{name}" width="180px" '
            'padding="16px 24px" align="left" />'
        )
    return (
        f'<mj-text color="{theme.colour("on_primary", "#ffffff")}" font-size="20px" '
        f'font-weight="bold" padding="18px 24px">{name}</mj-text>'
    )


@lru_cache(maxsize=64)
def layout_compile(theme: Theme, *, preheader: bool) -> str:
    """The compiled layout (HTML) with the four slots, for one theme."""
    primary = theme.colour("primary", "#1f6f5c")
    preview = f"<mj-preview>{PREHEADER_SLOT}{PREHEADER_FILLER}</mj-preview>" if preheader else ""
    source = f"""<mjml lang="{html.escape(theme.lang)}">
  <mj-head>
    <mj-title>{html.escape(theme.name)}</mj-title>
    {preview}
    <mj-attributes>
      <mj-all font-family="{FONT_STACK}" />
      <mj-text font-size="16px" line-height="1.55" color="#1f2937" padding="0 24px" />
      <mj-section padding="0" />
    </mj-attributes>
    <mj-style>{_body_css(theme)}</mj-style>
    <mj-style>@media only screen and (max-width: 480px) {{
      .gs-body h1 {{ font-size: 22px !important; }}
      .gs-body a.gs-ask {{ display: block !important; margin: 0 0 10px 0 !important;
                          text-align: center !important; }}
    }}</mj-style>
  </mj-head>
  <mj-body background-color="{theme.colour("background", "#f3f4f6")}" width="600px">
    <mj-section padding="16px 0 0 0"><mj-column></mj-column></mj-section>
    <mj-section background-color="{primary}" border-radius="8px 8px 0 0">
      <mj-column>{_header(theme)}</mj-column>
    </mj-section>
    <mj-section background-color="{theme.colour("accent", "#f2b134")}" padding="2px 0">
      <mj-column></mj-column>
    </mj-section>
    <mj-section background-color="#ffffff" padding="24px 0 8px 0">
      <mj-column><mj-text css-class="gs-body">{BODY_SLOT}</mj-text></mj-column>
    </mj-section>
    <mj-section padding="16px 0 24px 0">
      <mj-column>
        <mj-text css-class="gs-footer" font-size="12px" line-height="1.5" color="#4b5563"
                 align="center">{FOOTER_SLOT}</mj-text>
      </mj-column>
    </mj-section>
    <mj-raw>{PIXEL_SLOT}</mj-raw>
  </mj-body>
</mjml>"""
    return mjml.mjml2html(source, disable_comments=True, fonts={})


_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=True)


def layout_fill(theme: Theme, *, body: str, slots: dict[str, str], preheader: bool) -> str:
    """The layout with ``body`` in place and its styles inlined; ``slots`` renames the layout's
    other slots (footer, preheader, pixel) to the caller's own names first."""
    page = layout_compile(theme, preheader=preheader)
    for slot, name in slots.items():
        page = page.replace(slot, name)
    return _INLINER.inline(page.replace(BODY_SLOT, body, 1))
