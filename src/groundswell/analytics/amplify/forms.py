"""Input parsing for amplify's pages: the post form and the leaderboard's date range."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.utils import timezone

from groundswell.analytics.amplify.models import Network, SuggestedPost
from groundswell.analytics.amplify.networks import X_LIMIT, x_length
from groundswell.analytics.amplify.targets import path_is_ours, targets_available
from groundswell.core.untrusted import text_clean
from groundswell.donations.selectors import DateRange

_TAG = re.compile(r"^[A-Za-z0-9_]{1,50}$")
MAX_TAGS = 6
MAX_RANGE_DAYS = 731
_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PostForm(forms.Form):
    text = forms.CharField(
        max_length=280,
        error_messages={"required": "Write the words volunteers will post."},
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 280}),
        help_text="What volunteers post: X allows 280 characters with the link and hashtags.",
    )
    target = forms.ChoiceField(label="Links to", help_text="One of the campaign's published pages.")
    hashtags = forms.CharField(
        required=False, max_length=300, help_text="Optional, separated by spaces: #Vote #Grassroots"
    )
    networks = forms.MultipleChoiceField(
        choices=Network.choices, widget=forms.CheckboxSelectMultiple, initial=list(Network.values)
    )
    starts_at = forms.DateTimeField(label="Shown from", widget=_LOCAL)
    ends_at = forms.DateTimeField(
        label="Shown until",
        required=False,
        widget=_LOCAL,
        help_text="Leave empty to keep it up until archived.",
    )

    def __init__(self, *args, post: SuggestedPost | None = None, **kwargs):
        if post is not None:
            kwargs.setdefault(
                "initial",
                {
                    "text": post.text,
                    "target": post.target_path,
                    "hashtags": " ".join(f"#{t}" for t in post.hashtag_list),
                    "networks": post.networks,
                    "starts_at": timezone.localtime(post.starts_at),
                    "ends_at": timezone.localtime(post.ends_at) if post.ends_at else None,
                },
            )
        else:
            kwargs.setdefault(
                "initial", {"starts_at": timezone.localtime().replace(second=0, microsecond=0)}
            )
        super().__init__(*args, **kwargs)
        self.labels = {t.path: t.label for t in targets_available()}
        # A page unpublished since the post was written stays choosable for that post only.
        if post is not None and post.target_path not in self.labels:
            self.labels[post.target_path] = post.target_label or post.target_path
        self.fields["target"].choices = [("", "Choose a page…"), *self.labels.items()]

    def clean_text(self) -> str:
        text = text_clean(self.cleaned_data["text"]).strip()
        if not text:
            raise forms.ValidationError("Write the words volunteers will post.")
        return text

    def clean_hashtags(self) -> str:
        raw = text_clean(self.cleaned_data.get("hashtags") or "")
        tags: list[str] = []
        for word in re.split(r"[\s,]+", raw):
            tag = word.lstrip("#")
            if not word:
                continue
            if not _TAG.match(tag):
                raise forms.ValidationError(
                    f"“{word[:60]}” is not a hashtag: use letters, digits and _ only."
                )
            if tag.lower() not in {t.lower() for t in tags}:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} hashtags.")
        return " ".join(tags)

    def clean_target(self) -> str:
        path = self.cleaned_data["target"]
        if path not in self.labels or not path_is_ours(path):
            raise forms.ValidationError("Choose one of the campaign's published pages.")
        return path

    def clean(self):
        data = super().clean()
        text, tags = data.get("text"), data.get("hashtags")
        if text is not None and tags is not None and Network.X in (data.get("networks") or []):
            length = x_length(text, tags.split())
            if length > X_LIMIT:
                self.add_error(
                    "text",
                    f"On X this post is {length} characters with its hashtags and link; "
                    f"the limit is {X_LIMIT}. Shorten it by {length - X_LIMIT}.",
                )
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end must come after the start.")
        if "target" in data:
            data["target_path"] = data["target"]
            data["target_label"] = self.labels.get(data["target"], "")[:200]
        return data


class RangeForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period(self) -> DateRange:
        """The chosen days, or the last 30 days when none (or nonsense) was chosen."""
        today = timezone.localdate()
        default = DateRange(today - timedelta(days=29), today)
        if not self.is_valid():
            return default
        start = self.cleaned_data.get("start") or default.start
        end = self.cleaned_data.get("end") or default.end
        if end < start:
            start, end = end, start
        if start.year < 2000 or end.year > 2100:
            return default
        if (end - start).days >= MAX_RANGE_DAYS:
            start = end - timedelta(days=MAX_RANGE_DAYS - 1)
        return DateRange(start, end)
