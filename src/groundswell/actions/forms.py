"""Forms of the page builder and the campaign site settings: they parse and check input.

The public action forms are not Django forms: their fields are configured per page, so the
submission service validates them (the same rules for a page, an embed and the pop-up).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify

from groundswell.actions.choices import PAGE_FIELDS
from groundswell.actions.models import (
    ActionPage,
    CampaignSite,
    CustomQuestion,
    IssuePosition,
    PageVariant,
)
from groundswell.actions.selectors import featured_page_default
from groundswell.actions.site import donation_pages

FIELD_MODES = [("hidden", "Hidden"), ("optional", "Optional"), ("required", "Required")]
# What a new page asks besides the e-mail: the fields nearly every campaign wants (a name to
# greet, a ZIP to place the signer in a district); staff hide or require them per page.
NEW_PAGE_FIELDS = {"given_name": "optional", "family_name": "optional", "postal_code": "optional"}
# Custom-field names the participation form writes itself; a question must not overwrite them.
RESERVED_KEYS = {"interests", "issues", "help", "help_other"}
LOGO_MAX_BYTES = 1024 * 1024
LOGO_TYPES = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "svg": "SVG"}


def _rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


def tags_parse(text: str) -> list[str]:
    """Comma-separated tag names as a list: trimmed, without blanks or repeats."""
    names = [" ".join(t.split()) for t in (text or "").replace(";", ",").split(",")]
    return list(dict.fromkeys(n for n in names if n))


class ActionPageForm(forms.ModelForm):
    tags_text = forms.CharField(
        required=False,
        max_length=1000,
        label="Tags",
        help_text="Comma separated; applied to everyone who submits the form",
    )

    class Meta:
        model = ActionPage
        fields = [
            "kind",
            "slug",
            "title",
            "published",
            "headline",
            "intro",
            "button_text",
            "thank_you",
            "subscribes",
            "consent_text",
            "autoresponse_subject",
            "autoresponse_body",
            "petition_text",
            "goal",
            "trigger",
            "trigger_value",
        ]
        labels = {
            "slug": "Address (slug)",
            "title": "Title",
            "intro": "Introduction",
            "thank_you": "Thank-you message",
            "subscribes": "Submitting subscribes the address to e-mail",
            "consent_text": "Consent text shown by the button",
            "autoresponse_subject": "Autoresponse subject",
            "autoresponse_body": "Autoresponse message",
            "goal": "Signature goal",
            "trigger": "Show the pop-up",
            "trigger_value": "Seconds, or percent scrolled",
            "published": "Published (visible to the public)",
        }
        help_texts = {
            "slug": "Letters, digits and hyphens: the page is at /a/<slug>/. Made from the title "
            "when left empty",
            "autoresponse_body": "Plain text. {first_name} becomes the signer's first name "
            "when it is a plain name (letters, up to 30), else “friend”; nothing else the "
            "signer typed is sent. Leave the subject empty to send nothing.",
            "intro": "Blank lines split paragraphs",
            "thank_you": "Blank lines split paragraphs",
            "petition_text": "Blank lines split paragraphs",
        }
        widgets = {
            "intro": _rows(3),
            "thank_you": _rows(3),
            "autoresponse_body": _rows(5),
            "petition_text": _rows(6),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        current = NEW_PAGE_FIELDS if creating else (self.instance.fields or {})
        for name, label in PAGE_FIELDS:
            if name == "email":
                continue
            self.fields[f"field_{name}"] = forms.ChoiceField(
                choices=FIELD_MODES, label=label, initial=current.get(name, "hidden")
            )
        self.fields["tags_text"].initial = ", ".join(self.instance.tags or [])
        self.fields["slug"].required = False
        # The static page_form.js fills the address from the title while this attribute is
        # set, and stops once staff type their own address (the server fills an empty one).
        if creating:
            self.fields["slug"].widget.attrs["data-slug-from"] = "id_title"
            # A new page is a draft: nothing goes public before someone decides it is ready.
            self.fields["published"].initial = False

    @property
    def builtin_fields(self):
        return [self[f"field_{name}"] for name, _ in PAGE_FIELDS if name != "email"]

    def clean_slug(self) -> str:
        return (self.cleaned_data.get("slug") or "").lower()

    def clean_tags_text(self) -> list[str]:
        tags = tags_parse(self.cleaned_data["tags_text"])
        too_long = [t for t in tags if len(t) > 100]
        if too_long:
            raise forms.ValidationError(f"“{too_long[0][:40]}…” is longer than 100 characters.")
        if len(tags) > 20:
            raise forms.ValidationError("Use at most 20 tags.")
        return tags

    def _slug_from_title(self, data: dict) -> None:
        """An empty address becomes the title's, made unique (the title is cleaned after it)."""
        if data.get("slug") or "slug" in self.errors or not data.get("title"):
            return
        base = slugify(data["title"])[:72].strip("-")
        if base:
            data["slug"] = page_slug_free(base, exclude=self.instance.pk)
        else:
            self.add_error("slug", "Give an address made of letters or digits.")

    def clean(self):
        data = super().clean()
        self._slug_from_title(data)
        if data.get("autoresponse_subject") and not (data.get("autoresponse_body") or "").strip():
            self.add_error("autoresponse_body", "Write the message, or clear the subject.")
        if (
            data.get("trigger") == ActionPage.Trigger.SCROLL
            and (data.get("trigger_value") or 0) > 100
        ):
            self.add_error("trigger_value", "A scroll depth is a percentage: 100 at most.")
        if data.get("subscribes") and not (data.get("consent_text") or "").strip():
            self.add_error(
                "consent_text", "Say what signers agree to: the form subscribes them to e-mail."
            )
        return data

    def save(self, commit: bool = True) -> ActionPage:
        page = super().save(commit=False)
        page.fields = {
            name: self.cleaned_data[f"field_{name}"]
            for name, _ in PAGE_FIELDS
            if name != "email" and self.cleaned_data[f"field_{name}"] != "hidden"
        }
        page.tags = self.cleaned_data["tags_text"]
        if commit:
            page.save()
        return page


def page_slug_free(base: str, *, exclude: int | None = None) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first address no other page has."""
    taken = set(
        ActionPage.objects.exclude(pk=exclude)
        .filter(slug__startswith=base)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        required=False,
        label="Choices",
        widget=_rows(4),
        help_text="One per line, for “One choice” and “Several choices”",
    )

    class Meta:
        model = CustomQuestion
        fields = ["label", "kind", "key", "required"]
        labels = {"label": "Question", "key": "Stored as (custom field)"}
        help_texts = {"key": "Letters, digits, hyphens; made from the question when left empty"}

    def __init__(self, *args, page: ActionPage, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        self.fields["key"].required = False
        self.fields["choices_text"].initial = "\n".join(self.instance.choices or [])

    def clean_key(self) -> str:
        key = (self.cleaned_data.get("key") or "").lower()
        if not key:
            key = slugify(self.cleaned_data.get("label") or "")[:60].strip("-")
        if not key:
            raise forms.ValidationError("Give a key made of letters or digits.")
        if key in RESERVED_KEYS:
            raise forms.ValidationError(f"“{key}” is used by the participation form; pick another.")
        others = self.page.questions.exclude(pk=self.instance.pk)
        if others.filter(key=key).exists():
            raise forms.ValidationError("Another question on this page is stored under that key.")
        return key

    def clean(self):
        data = super().clean()
        lines = [" ".join(line.split()) for line in (data.get("choices_text") or "").splitlines()]
        choices = list(dict.fromkeys(c for c in lines if c))
        if data.get("kind") in (CustomQuestion.Kind.CHOICE, CustomQuestion.Kind.MULTI):
            if len(choices) < 2:
                self.add_error("choices_text", "Give at least two choices, one per line.")
            elif len(choices) > 50 or any(len(c) > 200 for c in choices):
                self.add_error("choices_text", "Use at most 50 choices of 200 characters each.")
        else:
            choices = []
        data["choices"] = choices
        return data

    def save(self, commit: bool = True) -> CustomQuestion:
        question = super().save(commit=False)
        question.page = self.page
        question.choices = self.cleaned_data["choices"]
        if commit:
            question.save()
        return question


class VariantForm(forms.ModelForm):
    class Meta:
        model = PageVariant
        fields = ["name", "headline", "intro", "button_text", "active"]
        labels = {"intro": "Introduction", "active": "Active (shown to new visitors)"}
        help_texts = {
            "headline": "Empty: the page's own headline",
            "intro": "Empty: the page's own introduction",
            "button_text": "Empty: the page's own button text",
        }
        widgets = {"intro": _rows(4)}

    def clean(self):
        data = super().clean()
        if not any((data.get(f) or "").strip() for f in ("headline", "intro", "button_text")):
            raise forms.ValidationError(
                "Change at least one of the headline, introduction or button text."
            )
        return data


class SiteForm(forms.ModelForm):
    donate_page = forms.ChoiceField(
        required=False,
        label="Default donation page",
        help_text="The header's, footer's and home page's Donate links, and the “chip in” ask "
        "after every sign-up and petition, lead here",
    )
    donate_url = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        label="Or an outside donation page",
        help_text="Used only when no default donation page is chosen, e.g. a page at your "
        "payment provider",
    )
    featured_page = forms.ModelChoiceField(
        queryset=ActionPage.objects.none(),
        required=False,
        label="Featured action",
        help_text="The home page's main button",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "None: no Donate link")]
        choices += [(p.slug, p.title) for p in donation_pages()]
        current = self.instance.donate_page
        if current and current not in {slug for slug, _ in choices}:
            # Kept as a choice so saving other settings does not silently drop it; no link
            # shows while the page is unpublished.
            choices.append((current, f"{current} (not published: no Donate link shows)"))
        self.fields["donate_page"].choices = choices
        featured = self.fields["featured_page"]
        featured.queryset = (
            ActionPage.objects.filter(published=True)
            .exclude(kind=ActionPage.Kind.NEWSLETTER)
            .order_by("title", "pk")
        )
        default = featured_page_default()
        featured.empty_label = (
            f"The page most people have taken (now “{default.title}”)"
            if default is not None
            else "The page most people have taken (none is published yet)"
        )

    class Meta:
        model = CampaignSite
        fields = [
            "name",
            "tagline",
            "candidate_name",
            "primary_color",
            "accent_color",
            "logo",
            "home_headline",
            "home_intro",
            "bio",
            "featured_page",
            "donate_page",
            "donate_url",
            "paid_for_by",
            "embed_origins",
        ]
        labels = {
            "name": "Campaign name",
            "primary_color": "Main colour",
            "accent_color": "Accent colour",
            "home_headline": "Home page headline",
            "home_intro": "Home page introduction",
            "bio": "Candidate's biography",
            "paid_for_by": "“Paid for by” disclaimer",
            "embed_origins": "Sites allowed to embed the pop-up and the events widget",
        }
        help_texts = {
            "logo": "PNG, JPEG or SVG, up to 1 MB",
            "home_intro": "Blank lines split paragraphs",
            "embed_origins": "One per line, as scheme://host[:port], e.g. https://www.example.org",
            "primary_color": "Header and buttons",
            "accent_color": "Highlights and progress bars",
        }
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "home_intro": _rows(4),
            "bio": _rows(8),
            "embed_origins": _rows(3),
            "logo": forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg,.svg"}),
        }

    def _clean_color(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "").lower()

    def clean_primary_color(self) -> str:
        return self._clean_color("primary_color")

    def clean_accent_color(self) -> str:
        return self._clean_color("accent_color")

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not isinstance(logo, UploadedFile):
            return logo  # unchanged, or cleared
        if logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                f"The logo is {filesizeformat(logo.size)}; use a file of "
                f"{filesizeformat(LOGO_MAX_BYTES)} at most."
            )
        extension = logo.name.rsplit(".", 1)[-1].lower() if "." in logo.name else ""
        kind = LOGO_TYPES.get(extension)
        head = logo.read(2048)
        logo.seek(0)
        # The content must match the name: a script renamed to logo.png is refused.
        ok = {
            "PNG": head.startswith(b"\x89PNG\r\n\x1a\n"),
            "JPEG": head.startswith(b"\xff\xd8\xff"),
            "SVG": _looks_like_svg(head),
        }.get(kind, False)
        if not ok:
            raise forms.ValidationError("Upload a PNG, JPEG or SVG image.")
        return logo

    def clean_donate_url(self) -> str:
        url = self.cleaned_data.get("donate_url") or ""
        if url and urlsplit(url).scheme not in ("http", "https"):
            raise forms.ValidationError("Use an http:// or https:// address.")
        return url

    def clean_embed_origins(self) -> str:
        origins, problems = [], []
        for line in (self.cleaned_data.get("embed_origins") or "").splitlines():
            text = line.strip()
            if not text:
                continue
            origin = origin_normalize(text)
            if origin is None:
                problems.append(text[:80])
            elif origin not in origins:
                origins.append(origin)
        if problems:
            raise forms.ValidationError(
                "Not an origin (scheme://host[:port], no path): "
                + ", ".join(f"“{p}”" for p in problems[:5])
            )
        return "\n".join(origins)


def origin_normalize(text: str) -> str | None:
    """``scheme://host[:port]`` in lower case, or None when the text is not such an origin."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.username or parts.password or parts.query or parts.fragment:
        return None
    if parts.path not in ("", "/"):
        return None
    host = parts.hostname.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def _looks_like_svg(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return text.startswith((b"<?xml", b"<svg", b"<!doctype svg", b"<!--")) and b"<svg" in text


class IssuePositionForm(forms.ModelForm):
    class Meta:
        model = IssuePosition
        fields = ["title", "slug", "summary", "body", "published"]
        labels = {"summary": "One-line summary", "slug": "Short name (slug)"}
        help_texts = {
            "slug": "Made from the title when left empty",
            "body": "Blank lines split paragraphs",
        }
        widgets = {"body": _rows(8)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean_slug(self) -> str:
        slug = (self.cleaned_data.get("slug") or "").lower()
        if not slug:
            slug = slugify(self.cleaned_data.get("title") or "")[:80].strip("-")
        if not slug:
            raise forms.ValidationError("Give a short name made of letters or digits.")
        if IssuePosition.objects.exclude(pk=self.instance.pk).filter(slug=slug).exists():
            raise forms.ValidationError("Another issue position has that short name.")
        return slug
