"""The networks' public share addresses: a plain link each, no script of theirs on our pages."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from groundswell.analytics.amplify.models import Network

# Where share buttons lead (for the share page's Content-Security-Policy).
NETWORK_ORIGINS = (
    "https://twitter.com",
    "https://www.facebook.com",
    "https://bsky.app",
    "https://www.linkedin.com",
    "https://wa.me",
)


def post_message(text: str, hashtags: list[str]) -> str:
    """The words of a post with its hashtags, as a volunteer would type them."""
    tags = " ".join(f"#{tag}" for tag in hashtags)
    return f"{text} {tags}".strip() if tags else text


def share_url(network: str, *, text: str, hashtags: list[str], url: str) -> str:
    """Where the share button for ``network`` sends the volunteer, with the post filled in."""
    message = post_message(text, hashtags)
    if network == Network.X:
        return "https://twitter.com/intent/tweet?" + urlencode({"text": message, "url": url})
    if network == Network.FACEBOOK:
        return "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
    if network == Network.BLUESKY:
        # Bluesky's compose intent takes one text; the link goes at its end.
        return "https://bsky.app/intent/compose?" + urlencode({"text": f"{message} {url}"})
    if network == Network.LINKEDIN:
        return "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url})
    if network == Network.WHATSAPP:
        return "https://wa.me/?" + urlencode({"text": f"{message} {url}"})
    if network == Network.EMAIL:
        # Mail programs read "+" literally, so spaces are %20 (quote, not urlencode).
        subject = quote(text[:78], safe="")
        body = quote(f"{message}\n\n{url}", safe="")
        return f"mailto:?subject={subject}&body={body}"
    raise ValueError(f"unknown network {network!r}")


# X counts every link as this many characters, whatever its length (t.co wrapping).
X_LINK_LENGTH = 23
X_LIMIT = 280


def x_length(text: str, hashtags: list[str]) -> int:
    """How long the post is on X with its link: the words, a space, the wrapped link."""
    return len(post_message(text, hashtags)) + 1 + X_LINK_LENGTH
