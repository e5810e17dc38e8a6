"""The analytics app's own tables: amplify's, and the ad spend of the sources page (the metric
layer owns none)."""

from groundswell.analytics.amplify.models import LinkClick, ShareEvent, ShareLink, SuggestedPost
from groundswell.analytics.sources.models import AdSpend

__all__ = ["AdSpend", "LinkClick", "ShareEvent", "ShareLink", "SuggestedPost"]
