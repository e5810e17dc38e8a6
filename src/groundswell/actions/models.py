"""Public action pages: the campaign site, sign-up forms, petitions, the participation form,
the newsletter pop-up, submissions, referrals and page-copy variants."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from groundswell.core.models import TimeStampedModel

COLOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour such as #1f6f5c.")


class CampaignSite(models.Model):
    """The campaign's public identity; one row (pk=1), edited by staff."""

    name = models.CharField(max_length=120, default="Our Campaign")
    tagline = models.CharField(max_length=200, blank=True)
    candidate_name = models.CharField(max_length=120, blank=True)
    primary_color = models.CharField(max_length=7, default="#1f6f5c", validators=[COLOR])
    accent_color = models.CharField(max_length=7, default="#f2b134", validators=[COLOR])
    logo = models.FileField(upload_to="site/", blank=True)
    home_headline = models.CharField(max_length=200, blank=True)
    home_intro = models.TextField(blank=True)
    bio = models.TextField(
        blank=True, help_text="The candidate's biography; blank lines split paragraphs"
    )
    # Federal law (52 U.S.C. 30120) requires a campaign's public website to say who paid for it.
    paid_for_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="The disclaimer shown on every public page, e.g. “Paid for by Shaw for Congress”",
    )
    donate_url = models.URLField(blank=True, help_text="Where 'Donate' buttons point")
    # The slug of one of our own donation pages (donations sits above actions, so a slug rather
    # than a foreign key); the public site links to it only while it is published.
    donate_page = models.SlugField(max_length=80, blank=True)
    # The home page's main button; when empty (or unpublished) the page with most submissions.
    featured_page = models.ForeignKey(
        "ActionPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Origins (scheme://host[:port]) whose pages may show the pop-up and post to it.
    embed_origins = models.TextField(
        blank=True, help_text="One origin per line, e.g. https://www.example.org"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name

    @property
    def allowed_origins(self) -> set[str]:
        return {o.strip().rstrip("/").lower() for o in self.embed_origins.splitlines() if o.strip()}


class IssuePosition(TimeStampedModel):
    """One position on the platform page, shown in ``order``."""

    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=300, help_text="One line")
    body = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0, db_index=True)
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class ActionPage(TimeStampedModel):
    """A public form: a sign-up, a petition, the participation form or the newsletter pop-up."""

    class Kind(models.TextChoices):
        SIGNUP = "signup", "Sign-up form"
        PETITION = "petition", "Petition"
        PARTICIPATION = "participation", "Participation form"
        NEWSLETTER = "newsletter", "Newsletter pop-up"

    class Trigger(models.TextChoices):
        DELAY = "delay", "After a delay"
        SCROLL = "scroll", "On scroll depth"
        EXIT = "exit", "On exit intent"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SIGNUP)
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=150, help_text="For staff lists and the browser tab")
    headline = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    button_text = models.CharField(max_length=60, default="Sign up")
    thank_you = models.TextField(blank=True, default="Thank you!")
    # Built-in fields shown on the form: {"given_name": "required", "phone": "optional", ...}.
    # The e-mail address is always shown and required.
    fields = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="Tags applied to every signer")
    subscribes = models.BooleanField(
        default=True,
        help_text="Submitting subscribes the address to e-mail (explicit consent "
        "text is shown on the form)",
    )
    consent_text = models.CharField(
        max_length=300,
        blank=True,
        default="I agree to receive e-mail from the campaign. Unsubscribe at any time.",
    )
    autoresponse_subject = models.CharField(max_length=200, blank=True)
    autoresponse_body = models.TextField(blank=True)
    petition_text = models.TextField(blank=True)
    goal = models.PositiveIntegerField(
        null=True, blank=True, help_text="Petitions: signatures wanted"
    )
    # Newsletter pop-up behaviour.
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.DELAY)
    trigger_value = models.PositiveIntegerField(
        default=8, help_text="Seconds of delay, or percent of the page scrolled"
    )
    published = models.BooleanField(default=True)
    # Kept in step by the submission service: a live count without a COUNT(*) per view.
    submission_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def field_mode(self, name: str) -> str:
        """'required', 'optional' or 'hidden' for a built-in field."""
        if name == "email":
            return "required"
        return self.fields.get(name, "hidden")


class CustomQuestion(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Short text"
        LONG_TEXT = "long_text", "Paragraph"
        CHOICE = "choice", "One choice"
        MULTI = "multi", "Several choices"
        CHECKBOX = "checkbox", "Yes/no box"

    page = models.ForeignKey(ActionPage, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=60, help_text="Stored as the custom field of this name")
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["page", "key"], name="question_key_once")]

    def __str__(self) -> str:
        return self.label


class PageVariant(models.Model):
    """Alternative copy for a page; visitors are assigned at random and stay on theirs."""

    page = models.ForeignKey(ActionPage, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=60)
    headline = models.CharField(max_length=200, blank=True)
    intro = models.TextField(blank=True)
    button_text = models.CharField(max_length=60, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.page.slug}: {self.name}"


class Exposure(models.Model):
    """A visitor who saw a variant (once per visitor and variant)."""

    variant = models.ForeignKey(PageVariant, on_delete=models.CASCADE, related_name="exposures")
    visitor = models.CharField(max_length=40)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["variant", "visitor"], name="exposure_once")]


class ReferralCode(models.Model):
    """A supporter's personal share code (in links as ?ref=<code>)."""

    person = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="referral_code"
    )
    code = models.CharField(max_length=16, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.code


class Submission(models.Model):
    """One submitted form, stored as received and committed before it is acknowledged.

    Turning it into a person, tags, consent and timeline happens in a background task (or on
    the thank-you page, whichever comes first), so a surge of sign-ups costs one insert each.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"

    class Channel(models.TextChoices):
        PAGE = "page", "Page"
        EMBED = "embed", "Embedded form"
        POPUP = "popup", "Pop-up"
        API = "api", "API"

    page = models.ForeignKey(ActionPage, on_delete=models.PROTECT, related_name="submissions")
    # One per rendered form: a double-clicked submit carries the same token and is one action.
    token = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PAGE)
    data = models.JSONField(default=dict, help_text="Cleaned person fields and answers")
    email = models.CharField(max_length=254, db_index=True)
    refcode = models.CharField(max_length=100, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    referrer = models.CharField(max_length=500, blank=True)
    referral_code = models.CharField(max_length=16, blank=True)
    variant = models.ForeignKey(
        PageVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["page", "token"], name="submission_once_per_token")
        ]
        indexes = [models.Index(fields=["status", "id"])]


class Referral(models.Model):
    """Who recruited whom: the first referral of a person is the one that counts."""

    recruiter = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="recruits"
    )
    recruit = models.OneToOneField(
        "people.Person", on_delete=models.CASCADE, related_name="recruited_by"
    )
    page = models.ForeignKey(ActionPage, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.recruiter_id} → {self.recruit_id}"
