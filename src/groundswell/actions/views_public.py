"""The public campaign site: home, bio, platform, action pages and their thank-you pages.

These pages face the whole internet. They parse input defensively (any byte string may arrive),
hand it to the submission service, and never answer with a server error: bad input gets the
form back with inline errors, a flood gets a friendly 429.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import secrets
from urllib.parse import urlencode, urlsplit

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from groundswell.accounts.permissions import client_ip
from groundswell.actions import selectors
from groundswell.actions.choices import HELP_OPTIONS, NEXT_RUNG, PAGE_FIELDS
from groundswell.actions.models import ActionPage, Submission
from groundswell.actions.ratelimit import RateLimited
from groundswell.actions.services import (
    SubmissionInvalid,
    SubmissionMeta,
    referral_code_for,
    share_links,
    site_get,
    submission_process_now,
    submission_receive,
    variant_assign,
)
from groundswell.actions.site import (
    ASK_COOKIE,
    HONEYPOT,
    REF_COOKIE,
    honeypot_filled,
    page_not_found,
    page_render,
    param_clean,
    params_clean,
    ref_remember,
    thanks_ask,
    thanks_id_sign,
    thanks_row,
)
from groundswell.core.untrusted import whole_number

logger = logging.getLogger(__name__)

VISITOR_COOKIE = "gs_vid"
# Query-string parameters that say where a visitor came from; carried into the form.
TRACKING = ("refcode", "source", "utm_source", "utm_medium", "utm_campaign", "ref")
THANKS_SALT = "groundswell.thanks"
YEAR = 365 * 24 * 3600
_VISITOR = re.compile(r"^[0-9a-f]{32}$")

# What each kind of page is called in public ("pop-up" is the staff's word).
KIND_LABELS = {
    ActionPage.Kind.SIGNUP: "Sign up",
    ActionPage.Kind.PETITION: "Petition",
    ActionPage.Kind.PARTICIPATION: "Volunteer",
    ActionPage.Kind.NEWSLETTER: "Newsletter",
}

INPUTS = {
    # name: (type, autocomplete, inputmode)
    "given_name": ("text", "given-name", ""),
    "family_name": ("text", "family-name", ""),
    "email": ("email", "email", "email"),
    "mobile_phone": ("tel", "tel", "tel"),
    "address_line1": ("text", "address-line1", ""),
    "city": ("text", "address-level2", ""),
    "state": ("text", "address-level1", ""),
    "postal_code": ("text", "postal-code", "numeric"),
    "employer": ("text", "organization", ""),
    "occupation": ("text", "organization-title", ""),
}


# ---------------------------------------------------------------- input hygiene


def _external_referrer(request, value: str) -> str:
    """The referring page, unless it is one of our own pages."""
    value = param_clean(value or "")[:500]
    try:
        host = urlsplit(value).hostname or ""
    except ValueError:
        return ""
    return "" if not host or host == request.get_host().split(":")[0] else value


def _tracking(request) -> dict[str, str]:
    """Where the visitor came from, from the query string (and a share code kept in a cookie)."""
    get = params_clean(request.GET)
    values = {name: " ".join(get.get(name, "").split())[:100] for name in TRACKING}
    values["ref"] = values["ref"][:16] or param_clean(request.COOKIES.get(REF_COOKIE, ""))[:16]
    values["referrer"] = _external_referrer(request, request.META.get("HTTP_REFERER", ""))
    return values


def _remember_ref(request, response):
    """A share code on any public page is kept, so a sign-up a few clicks later still counts."""
    return ref_remember(request, response)


# ---------------------------------------------------------------- campaign pages


@require_http_methods(["GET", "HEAD"])
def home(request):
    pages = selectors.public_pages()
    for page in pages:
        page.kind_label = KIND_LABELS.get(page.kind, "")
    carried = {k: v for k, v in _tracking(request).items() if v and k != "referrer"}
    featured, _ = selectors.featured_page(site=site_get())
    context = {
        "pages": pages,
        "featured": featured,
        "query": ("?" + urlencode(carried)) if carried else "",
        "has_platform": selectors.platform_positions().exists(),
    }
    return _remember_ref(request, page_render(request, "actions/public/home.html", context))


@require_http_methods(["GET", "HEAD"])
def about(request):
    context = {"participation": selectors.participation_page()}
    return _remember_ref(request, page_render(request, "actions/public/about.html", context))


@require_http_methods(["GET", "HEAD"])
def platform(request):
    context = {
        "positions": list(selectors.platform_positions()),
        "participation": selectors.participation_page(),
    }
    return _remember_ref(request, page_render(request, "actions/public/platform.html", context))


@require_http_methods(["GET", "HEAD"])
def logo(request):
    """The campaign's logo, served sandboxed so an SVG cannot run scripts on our origin."""
    site = site_get()
    if not site.logo or not default_storage.exists(site.logo.name):
        raise Http404("No logo.")
    content_type = mimetypes.guess_type(site.logo.name)[0] or "application/octet-stream"
    if content_type not in ("image/png", "image/jpeg", "image/svg+xml"):
        raise Http404("No logo.")
    response = FileResponse(default_storage.open(site.logo.name, "rb"), content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response


# ---------------------------------------------------------------- action pages


def _page_copy(page: ActionPage, variant) -> dict[str, str]:
    """The page's headline, intro and button text, or the visitor's variant of them."""
    return {
        "headline": (variant and variant.headline) or page.headline,
        "intro": (variant and variant.intro) or page.intro,
        "button_text": (variant and variant.button_text) or page.button_text,
    }


_VERB_FIRST = re.compile(r"^(Is|Has|Must|Does|Should|Cannot|Looks) ")


def _error_text(label: str, message: str) -> str:
    """Service messages such as "is required." read as a sentence after the field's label."""
    if _VERB_FIRST.match(message):
        message = message[:1].lower() + message[1:]
    return f"{label} {message}" if message[:1].islower() else message


def _form_fields(page: ActionPage, values, errors: dict[str, str]) -> list[dict]:
    """The built-in fields and custom questions of a page, ready for the template."""
    fields = []
    for name, label in PAGE_FIELDS:
        mode = page.field_mode(name)
        if mode == "hidden":
            continue
        input_type, autocomplete, inputmode = INPUTS.get(name, ("text", "off", ""))
        fields.append(
            {
                "name": name,
                "id": f"f-{name}",
                "label": label,
                "kind": "input",
                "type": input_type,
                "autocomplete": autocomplete,
                "inputmode": inputmode,
                "required": mode == "required",
                "value": values.get(name, ""),
                "error": _error_text(label, errors[name]) if name in errors else "",
                "maxlength": 300,
            }
        )
    for question in page.questions.all():
        name = f"q_{question.key}"
        chosen = values.getlist(name) if hasattr(values, "getlist") else []
        fields.append(
            {
                "name": name,
                "id": f"f-{name}",
                "label": question.label,
                "kind": question.kind,
                "required": question.required,
                "value": values.get(name, ""),
                "chosen": chosen,
                "choices": [
                    {"value": c, "id": f"f-{name}-{i}", "checked": c in chosen}
                    for i, c in enumerate(question.choices or [])
                ],
                "checked": bool(values.get(name)),
                "error": _error_text(question.label, errors[name]) if name in errors else "",
                "maxlength": 2000,
            }
        )
    return fields


def _participation_context(values, errors: dict[str, str]) -> dict:
    helps = values.getlist("help") if hasattr(values, "getlist") else []
    issues = values.getlist("issues") if hasattr(values, "getlist") else []
    return {
        "help_options": [
            {"value": key, "label": label, "id": f"f-help-{i}", "checked": key in helps}
            for i, (key, label) in enumerate(HELP_OPTIONS)
        ],
        "help_other": values.get("help_other", ""),
        "issue_options": [
            {
                "value": p.slug,
                "label": p.title,
                "summary": p.summary,
                "id": f"f-issue-{i}",
                "checked": p.slug in issues,
            }
            for i, p in enumerate(selectors.platform_positions())
        ],
        "help_error": _error_text("How you want to help", errors.get("help", "")),
        "help_other_error": _error_text("Something else", errors.get("help_other", "")),
        "issues_error": _error_text("Issues", errors.get("issues", "")),
    }


def _error_summary(fields: list[dict], errors: dict[str, str], participation: dict) -> list:
    """(anchor, message) for every error, in the order the fields appear on the page."""
    summary = []
    if "form" in errors:
        summary.append(("", errors["form"]))
    if participation:  # its questions come first on the page
        for key, anchor in (("help", "f-help-0"), ("help_other", "f-help_other")):
            if participation.get(f"{key}_error"):
                summary.append((anchor, participation[f"{key}_error"]))
        if participation.get("issues_error"):
            summary.append(("f-issue-0", participation["issues_error"]))
    for field in fields:
        if field["error"]:
            anchor = field["choices"][0]["id"] if field.get("choices") else field["id"]
            summary.append((anchor, field["error"]))
    shown = {"form", "help", "help_other", "issues"} | {f["name"] for f in fields}
    for name, message in errors.items():
        if name not in shown:  # e.g. "has neither an e-mail address nor a phone number"
            summary.append(("", _error_text("This form", message)))
    return summary


def _form_page(
    request,
    page: ActionPage,
    *,
    values,
    hidden: dict,
    variant=None,
    errors: dict[str, str] | None = None,
    status: int = 200,
):
    errors = errors or {}
    fields = _form_fields(page, values, errors)
    participation = (
        _participation_context(values, errors) if page.kind == ActionPage.Kind.PARTICIPATION else {}
    )
    goal = page.goal or 0
    context = {
        "page": page,
        "copy": _page_copy(page, variant),
        "kind_label": KIND_LABELS.get(page.kind, ""),
        "fields": fields,
        "participation": participation,
        "hidden": hidden,
        "errors": _error_summary(fields, errors, participation),
        "honeypot": HONEYPOT,
        "count": page.submission_count,
        "goal": goal,
        "percent": min(100, round(100 * page.submission_count / goal)) if goal else 0,
    }
    return page_render(request, "actions/public/page.html", context, status=status)


def _variant_for(request, page: ActionPage, visitor: str):
    return variant_assign(page, visitor, request.COOKIES.get(f"gs_v{page.pk}"))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def action_page(request, slug: str):
    page = selectors.public_page_get(slug=slug, user=request.user)
    if page is None:
        return page_not_found(request, "This page does not exist, or is no longer open.")
    if request.method == "POST":
        return _submit(request, page)

    visitor = request.COOKIES.get(VISITOR_COOKIE, "")
    if not _VISITOR.match(visitor):
        visitor = secrets.token_hex(16)
    variant = _variant_for(request, page, visitor)
    hidden = {
        **_tracking(request),
        # One token per rendered form: a double-clicked submit sends it twice, and the
        # service answers both with the same submission.
        "token": secrets.token_urlsafe(18),
        "variant": str(variant.pk) if variant else "",
    }
    response = _form_page(request, page, values=QueryDict(), hidden=hidden, variant=variant)
    response.set_cookie(VISITOR_COOKIE, visitor, max_age=YEAR, samesite="Lax", httponly=True)
    if variant is not None:
        response.set_cookie(
            f"gs_v{page.pk}", str(variant.pk), max_age=YEAR, samesite="Lax", httponly=True
        )
    return _remember_ref(request, response)


def _submit(request, page: ActionPage):
    try:
        posted = request.POST
    except (TooManyFieldsSent, RequestDataTooBig) as exc:
        # No one filling in the form sends a thousand fields or megabytes: refused, logged,
        # and the visitor gets the form back rather than Django's bare error page.
        logger.info("%s refused a post from %s: %s", page.slug, client_ip(request), exc)
        hidden = dict.fromkeys((*TRACKING, "variant", "referrer"), "")
        hidden["token"] = secrets.token_urlsafe(18)
        errors = {"form": "The form was too large to send; fill it in again."}
        return _form_page(
            request, page, values=QueryDict(), hidden=hidden, errors=errors, status=400
        )
    data = params_clean(posted)
    hidden = {name: " ".join(data.get(name, "").split())[:100] for name in (*TRACKING, "variant")}
    hidden["token"] = data.get("token", "")[:64]
    hidden["referrer"] = _external_referrer(request, data.get("referrer", ""))
    variant = None
    candidate = hidden["variant"] or request.COOKIES.get(f"gs_v{page.pk}", "")
    if (number := whole_number(candidate)) is not None:
        variant = page.variants.filter(pk=number).first()
    if honeypot_filled(data):
        # A bot filled the field people cannot see: it is thanked and nothing is stored.
        return redirect("public:thanks_plain", slug=page.slug)
    meta = SubmissionMeta.from_params(
        hidden,
        referrer=hidden["referrer"] or _external_referrer(request, request.headers.get("Referer")),
        variant_id=variant.pk if variant else None,
    )
    try:
        submission, _ = submission_receive(
            page=page,
            token=hidden["token"],
            data=data,
            channel=Submission.Channel.PAGE,
            meta=meta,
            ip_address=client_ip(request),
        )
    except SubmissionInvalid as exc:
        if not hidden["token"]:
            hidden["token"] = secrets.token_urlsafe(18)
        return _form_page(
            request,
            page,
            values=data,
            hidden=hidden,
            variant=variant,
            errors=exc.errors,
            status=400,
        )
    except RateLimited as exc:
        response = page_render(
            request,
            "actions/public/rate_limited.html",
            {"page": page, "what": exc.what, "retry_after": exc.retry_after},
            status=429,
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    signed = thanks_id_sign(submission.pk, salt=THANKS_SALT)
    return redirect("public:thanks", slug=page.slug, signed=signed)


# ---------------------------------------------------------------- thank-you page


def _next_rung(page: ActionPage, site, *, refcode: str, ask_proof: str = "") -> dict:
    """What to ask next: the next rung of the ladder of engagement after this kind of page.

    The ask to give is the default donation page's ladder, personalised only when the browser
    proves a past gift with its ``ASK_COOKIE`` (never from the address typed: see
    ``actions.site.thanks_ask``); with only an outside donation address it is a plain Donate
    button.
    """
    rung = NEXT_RUNG.get(page.kind, "share")
    ask = None
    if rung == "donate":
        ask = thanks_ask(site=site, refcode=refcode, ask_proof=ask_proof)
        if ask is None and not site.donate_url:
            rung = "volunteer"
    participation = None
    if rung == "volunteer":
        participation = selectors.participation_page(exclude=page)
        if participation is None:
            rung = "share"
    return {"rung": rung, "participation": participation, "ask": ask}


@never_cache
@require_http_methods(["GET", "HEAD"])
def thanks(request, slug: str, signed: str | None = None):
    page = ActionPage.objects.filter(slug=slug).first()
    if page is None:
        return page_not_found(request)
    submission = thanks_row(Submission.objects.filter(page=page), signed, salt=THANKS_SALT)
    person = None
    if submission is not None:
        try:
            # The worker may not have run yet: the person must exist to have a share link.
            person = submission_process_now(submission).person
        except Exception:
            # The submission is stored and the worker will retry it; the visitor is thanked
            # all the same, just without a share link this time.
            logger.exception("processing submission %s on its thank-you page", submission.pk)
    site = site_get()
    refcode = submission.refcode if submission is not None else ""
    ask_proof = request.COOKIES.get(ASK_COOKIE, "")
    context = {"page": page, **_next_rung(page, site, refcode=refcode, ask_proof=ask_proof)}
    if person is not None:
        share_url = request.build_absolute_uri(
            reverse("public:page", args=[page.slug])
            + "?"
            + urlencode({"ref": referral_code_for(person)})
        )
        context["share_url"] = share_url
        context["share_links"] = share_links(url=share_url, text=page.headline or site.name)
    return page_render(request, "actions/public/thanks.html", context)


def csrf_failure(request, reason: str = ""):
    """A public form sent without a valid CSRF token (an old tab, blocked cookies): say what to
    do, in the campaign's look. Staff pages keep Django's own explanation.

    Wired with settings.CSRF_FAILURE_VIEW = "groundswell.actions.views_public.csrf_failure".
    """
    if not request.path.startswith("/a/"):
        from django.views.csrf import csrf_failure as django_csrf_failure

        return django_csrf_failure(request, reason)
    return page_render(request, "actions/public/csrf.html", {"reason": reason}, status=403)
