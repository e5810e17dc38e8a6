"""The embeddable newsletter pop-up: /embed.js and its cross-origin JSON endpoints.

A campaign puts ``<script src="https://<groundswell>/embed.js" data-form="<slug>" async>``
on any of its websites. The script fetches ``/embed/<slug>/config`` (the copy, the fields and a
signed token bound to the page and to the host site's origin) and posts the sign-up to
``/embed/<slug>/submit``. Only origins the staff listed get a CORS allowance; the signed token
plus the Origin check stand in for CSRF, so these views are csrf_exempt and never touch the
session or the user.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.http import HttpResponse, JsonResponse, QueryDict
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from groundswell.accounts.permissions import client_ip
from groundswell.actions.choices import PAGE_FIELDS
from groundswell.actions.models import ActionPage, CampaignSite, CustomQuestion, Submission
from groundswell.actions.ratelimit import RateLimited
from groundswell.actions.services import (
    SubmissionInvalid,
    SubmissionMeta,
    embed_token_check,
    embed_token_make,
    site_get,
    submission_receive,
    variant_assign,
)
from groundswell.actions.site import HONEYPOT, honeypot_filled, thanks_ask
from groundswell.core.untrusted import JsonLimits, Refused, json_load, text_clean, whole_number
from groundswell.core.views import embedded_script_response

SCRIPT_PATH = Path(__file__).resolve().parent / "static" / "actions" / "embed.js"
# A sign-up is a few short fields; anything bigger is not a person filling in a pop-up.
MAX_BODY = 20 * 1024
MAX_TOKEN = 400
# The site's allowed origins and the page are read on every request; a short per-process
# cache spares three queries per sign-up in a surge, and a staff edit (a new origin, a closed
# form, new copy) reaches every server process within these seconds.
CACHE_TTL = 5.0
CACHE_MAX_PAGES = 500
EXPIRED = "This form has expired; reload the page and try again."
NOT_ALLOWED = "This website may not embed this campaign's forms."
UNREADABLE = "The form could not be read; send it again."

# How each built-in field is typed and autofilled on the pop-up.
INPUT_HINTS = {
    "email": ("email", "email"),
    "given_name": ("text", "given-name"),
    "family_name": ("text", "family-name"),
    "mobile_phone": ("tel", "tel"),
    "address_line1": ("text", "address-line1"),
    "city": ("text", "address-level2"),
    "state": ("text", "address-level1"),
    "postal_code": ("text", "postal-code"),
    "employer": ("text", "organization"),
    "occupation": ("text", "organization-title"),
}
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A sign-up is a flat object of short fields: one level, two with a list of choices.
LIMITS = JsonLimits(max_bytes=MAX_BODY, max_depth=4, max_string=MAX_BODY)
logger = logging.getLogger(__name__)

_site_cache: tuple[float, CampaignSite] | None = None
_page_cache: dict[str, tuple[float, ActionPage | None]] = {}


def _site() -> CampaignSite:
    global _site_cache
    now = time.monotonic()
    if _site_cache is None or _site_cache[0] < now:
        _site_cache = (now + CACHE_TTL, site_get())
    return _site_cache[1]


def _page(slug: str) -> ActionPage | None:
    """The published page (its questions prefetched), or None; cached for a few seconds."""
    now = time.monotonic()
    hit = _page_cache.get(slug)
    if hit is None or hit[0] < now:
        page = (
            ActionPage.objects.filter(slug=slug, published=True)
            .prefetch_related("questions")
            .first()
        )
        if page is not None:
            page.has_variants = page.variants.filter(active=True).exists()
        if len(_page_cache) >= CACHE_MAX_PAGES:  # unknown slugs are cached too: keep it small
            _page_cache.clear()
        hit = _page_cache[slug] = (now + CACHE_TTL, page)
    return hit[1]


def cache_clear() -> None:
    """Forget the cached site and pages (tests change them between requests)."""
    global _site_cache
    _site_cache = None
    _page_cache.clear()


# ---------------------------------------------------------------- the script


def embed_script(request):
    """The pop-up script itself: public, cacheable, readable from any origin."""
    return embedded_script_response(request, SCRIPT_PATH)


# ---------------------------------------------------------------- CORS


def _origin(request) -> str:
    """The Origin header, or this server's own origin for a same-origin GET (which has none)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return f"{request.scheme}://{request.get_host()}"
    return origin.strip()


def _allowed(origin: str) -> bool:
    return origin.lower() in _site().allowed_origins


def _json(data: dict, status: int, origin: str | None) -> JsonResponse:
    response = JsonResponse(data, status=status)
    response["Cache-Control"] = "no-store"
    if origin is not None:
        response["Access-Control-Allow-Origin"] = origin
    patch_vary_headers(response, ["Origin"])
    return response


def _refused() -> JsonResponse:
    # No CORS allowance: the script on a foreign site cannot even read this answer.
    return _json({"error": NOT_ALLOWED}, 403, None)


def _preflight(origin: str, methods: str) -> HttpResponse:
    if not _allowed(origin):
        return _refused()
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = methods
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Access-Control-Max-Age"] = "86400"
    patch_vary_headers(response, ["Origin"])
    return response


# ---------------------------------------------------------------- config


@csrf_exempt
def embed_config(request, slug: str):
    """The pop-up's copy, fields, trigger and a fresh signed token, for an allowed origin."""
    origin = _origin(request)
    if request.method == "OPTIONS":
        return _preflight(origin, "GET, OPTIONS")
    if request.method != "GET":
        return _json({"error": "Use GET."}, 405, origin if _allowed(origin) else None)
    if not _allowed(origin):
        return _refused()
    page = _page(slug)
    if page is None or page.kind == ActionPage.Kind.PARTICIPATION:
        return _json({"error": "There is no such form."}, 404, origin)
    site = _site()
    variant = None
    visitor = _text(request.GET.get("visitor", ""))[:40]
    if visitor and page.has_variants:
        variant = variant_assign(page, visitor, _text(request.GET.get("variant", ""))[:20])
    fields = []
    for name, label in PAGE_FIELDS:
        mode = page.field_mode(name)
        if mode != "hidden":
            kind, autocomplete = INPUT_HINTS.get(name, ("text", "on"))
            fields.append(
                {
                    "name": name,
                    "label": label,
                    "required": mode == "required",
                    "type": kind,
                    "autocomplete": autocomplete,
                }
            )
    for question in page.questions.all():
        fields.append(
            {
                "name": f"q_{question.key}",
                "label": question.label,
                "required": question.required,
                "type": question.kind,
                "choices": [str(c) for c in question.choices]
                if question.kind in (CustomQuestion.Kind.CHOICE, CustomQuestion.Kind.MULTI)
                else [],
            }
        )
    color = site.primary_color if COLOR.match(site.primary_color or "") else "#1f6f5c"
    return _json(
        {
            "form": page.slug,
            "site": site.name,
            "headline": (variant and variant.headline) or page.headline,
            "intro": (variant and variant.intro) or page.intro,
            "button": (variant and variant.button_text) or page.button_text or "Sign up",
            "consent": page.consent_text if page.subscribes else "",
            "fields": fields,
            "honeypot": HONEYPOT,
            "trigger": page.trigger,
            "value": page.trigger_value,
            "color": color,
            "variant": variant.pk if variant else None,
            "token": embed_token_make(page, origin),
        },
        200,
        origin,
    )


# ---------------------------------------------------------------- submit


@csrf_exempt
def embed_submit(request, slug: str):
    """Store one pop-up sign-up: 201 when new, 200 for a repeat of the same token."""
    origin = _origin(request)
    if request.method == "OPTIONS":
        return _preflight(origin, "POST, OPTIONS")
    if not _allowed(origin):
        return _refused()
    if request.method != "POST":
        return _json({"error": "Use POST."}, 405, origin)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY:
        return _json({"errors": {"form": "The form is too large to send."}}, 413, origin)
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _json({"errors": {"form": "The form is too large to send."}}, 413, origin)
    data = _parse(request.content_type, body)
    if data is None:
        return _json({"errors": {"form": UNREADABLE}}, 400, origin)
    page = _page(slug)
    if page is None:
        return _json({"error": "There is no such form."}, 404, origin)

    token = data.get("token", "")
    if not (0 < len(token) <= MAX_TOKEN) or not embed_token_check(token, page, origin):
        return _json({"errors": {"form": EXPIRED}}, 403, origin)
    message = page.thank_you or "Thank you!"
    if honeypot_filled(data):
        # A bot filled the field people cannot see: tell it "thank you" and keep nothing.
        return _json({"ok": True, "message": message}, 201, origin)

    meta = _meta(page, data)
    try:
        submission, created = submission_receive(
            page=page,
            # The signed token is longer than the stored key; its digest is unique per pop-up.
            token=hashlib.sha256(token.encode()).hexdigest(),
            data=data,
            channel=Submission.Channel.POPUP,
            meta=meta,
            ip_address=client_ip(request),
        )
    except SubmissionInvalid as exc:
        return _json({"errors": _sentences(page, exc.errors)}, 400, origin)
    except RateLimited as exc:
        response = _json({"errors": {"form": str(exc)}}, 429, origin)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except Submission.DoesNotExist:
        # The cached page was deleted a moment ago: its row could not be stored.
        cache_clear()
        return _json({"error": "There is no such form."}, 404, origin)
    answer = {"ok": True, "message": message}
    ask = _ask(request, submission)
    if ask:
        answer["ask"] = ask
    return _json(answer, 201 if created else 200, origin)


def _ask(request, submission: Submission) -> list[dict] | None:
    """The "chip in" ask for the pop-up's thank-you state, with absolute links (the pop-up runs
    on the campaign's other sites); never personalised from the address typed (see
    ``actions.site.thanks_ask``).

    Nor from the browser's ``ASK_COOKIE``: the pop-up posts here from another site, and a
    SameSite=Lax cookie is not sent on such a request, so the pop-up always shows the page's
    ordinary ladder. That is deliberate, not a gap to close with SameSite=None.
    """
    ask = thanks_ask(site=_site(), refcode=submission.refcode)
    if ask is None:
        return None
    links = [(f"Give {a.label}", a.url) for a in ask.amounts] + [("Another amount", ask.other_url)]
    return [{"label": label, "url": request.build_absolute_uri(url)} for label, url in links]


def _text(value) -> str:
    return text_clean(value) if isinstance(value, str) else ""


def _parse(content_type: str, body: bytes) -> QueryDict | None:
    """A JSON object or a form-encoded body as a QueryDict of clean strings; None if unreadable."""
    data = QueryDict(mutable=True)
    if content_type == "application/json":
        try:
            parsed = json_load(body, limits=LIMITS)
        except Refused as exc:
            logger.info("pop-up body refused: %s (%d bytes)", exc, len(body))
            return None
        if not isinstance(parsed, dict):
            return None
        for key, value in list(parsed.items())[:200]:
            values = value if isinstance(value, list) else [value]
            items = []
            for item in values[:50]:
                if isinstance(item, bool):
                    items.append("true" if item else "")
                elif isinstance(item, str | int | float):
                    items.append(_text(str(item)))
                # null, objects and nested lists are no field's value: dropped.
            data.setlist(_text(key)[:100], items)
        return data
    if content_type in ("application/x-www-form-urlencoded", ""):
        try:
            parsed = QueryDict(body, encoding="utf-8")
        except Exception:  # TooManyFieldsSent and friends: not a pop-up's form
            return None
        for key, values in parsed.lists():
            data.setlist(_text(key)[:100], [_text(v) for v in values[:50]])
        return data
    return None


def _meta(page: ActionPage, data: QueryDict) -> SubmissionMeta:
    """Refcode, UTM and share code from the host page's address, which is the referrer."""
    url = data.get("url", "")[:2000]
    try:
        params = {k: _text(v[0]) for k, v in parse_qs(urlsplit(url).query).items()}
    except ValueError:
        url, params = "", {}
    variant_id = None
    raw_variant = data.get("variant", "")
    if page.has_variants and (number := whole_number(raw_variant, max_digits=11)) is not None:
        variant_id = page.variants.filter(pk=number).values_list("pk", flat=True).first()
    return SubmissionMeta.from_params(params, referrer=_text(url), variant_id=variant_id)


_FRAGMENT = re.compile(r"^(is|has|must|was|does|cannot)\b", re.IGNORECASE)


def _sentences(page: ActionPage, errors: dict[str, str]) -> dict[str, str]:
    """'is required.' becomes 'First name is required.': the script shows each on its own."""
    labels = dict(PAGE_FIELDS)
    labels.update((f"q_{q.key}", q.label) for q in page.questions.all())
    out = {}
    for name, message in errors.items():
        if _FRAGMENT.match(message):
            label = labels.get(name, "This answer")
            message = f"{label} {message[:1].lower()}{message[1:]}"
        out[name] = message.replace(".).", ").")
    return out
