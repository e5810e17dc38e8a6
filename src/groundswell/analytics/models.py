"""The analytics app's own tables: those of its amplify sub-domain (the metric layer owns none)."""

from groundswell.analytics.amplify.models import LinkClick, ShareEvent, ShareLink, SuggestedPost

__all__ = ["LinkClick", "ShareEvent", "ShareLink", "SuggestedPost"]
