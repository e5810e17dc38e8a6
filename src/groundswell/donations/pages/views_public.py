"""Our own donation pages, at /donate/<slug>/: the ask, the donor's details, the card, thanks.

The card never touches our server: the page sends the gift and the donor's details here (we
check them and start a PaymentIntent), then Stripe.js confirms the card with Stripe directly,
and the browser comes back to ``finish``, which asks Stripe how it ended. These pages face the
whole internet, so they share the action pages' defences: CSRF, a honeypot and rate limits.
"""

from __future__ import annotations

import logging
import re
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from groundswell.accounts.permissions import client_ip
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.actions import selectors as action_selectors
from groundswell.actions.ratelimit import RateLimited, submission_rate_check
from groundswell.actions.services import referral_code_for, share_links, site_get
from groundswell.actions.site import (
    ASK_COOKIE,
    HONEYPOT,
    donate_page_default,
    honeypot_filled,
    page_not_found,
    page_render,
    param_clean,
    params_clean,
    thanks_id_sign,
    thanks_row,
)
from groundswell.core.untrusted import whole_number
from groundswell.donations.models import (
    DonationPage,
    PaymentAttempt,
    Processor,
    RecurringPeriod,
    RecurringSeries,
    cents_display,
)
from groundswell.donations.pages.donate import (
    AMOUNT_PARAM,
    ASK_MAX_AGE,
    ask_ladder,
    ask_token_make,
    ask_token_read,
    page_progress,
)
from groundswell.donations.pages.payments import (
    PaymentInvalid,
    payment_attempt_finish,
    payment_attempt_start,
)
from groundswell.donations.processors.base import ProcessorError
from groundswell.donations.recurring.services import series_cancel
from groundswell.people.intake import person_input_clean

logger = logging.getLogger(__name__)

THANKS_SALT = "groundswell.donate.thanks"
# The donor's own cancel link for a recurring gift: it does not expire (a gift may run for
# years), and it can only cancel the one series it names.
CANCEL_SALT = "groundswell.donate.cancel"
MAX_REFCODES = 20
_DOLLARS = re.compile(r"^\$?\s*(\d{1,7})(?:\.(\d{1,2}))?$")
_REFCODE_PARAM = re.compile(r"^refcode_[A-Za-z0-9_]{1,40}$")
LAW_NOTE = (
    "Federal law requires us to use our best efforts to collect and report the name, mailing "
    "address, occupation and employer of each person whose contributions exceed $200 in an "
    "election cycle."
)
# name: (label, type, autocomplete, inputmode, required)
DONOR_INPUTS = {
    "given_name": ("First name", "text", "given-name", "", True),
    "family_name": ("Last name", "text", "family-name", "", True),
    "email": ("E-mail", "email", "email", "email", True),
    "phone": ("Phone", "tel", "tel", "tel", False),
    "address_line1": ("Street address", "text", "address-line1", "", True),
    "address_line2": ("Apartment, suite", "text", "address-line2", "", False),
    "city": ("City", "text", "address-level2", "", True),
    "state": ("State", "text", "address-level1", "", True),
    "postal_code": ("ZIP code", "text", "postal-code", "numeric", True),
    "employer": ("Employer", "text", "organization", "", True),
    "occupation": ("Occupation", "text", "organization-title", "", True),
}
LAW_FIELDS = {
    "given_name",
    "family_name",
    "employer",
    "occupation",
    "address_line1",
    "city",
    "state",
    "postal_code",
}


def _page_for(request, slug: str) -> DonationPage | None:
    """A published page, or a draft for finance staff previewing it."""
    page = DonationPage.objects.filter(slug=slug).first()
    if page is None:
        return None
    if page.is_published:
        return page
    user = request.user
    if user.is_authenticated and user.can(FINANCE_VIEW):
        return page
    return None


def stripe_ready() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def _tracking(params, page: DonationPage) -> dict:
    """The refcode and ``refcode_*`` values a visitor arrived with (kept through the form)."""
    clean = params_clean(params)
    refcode = " ".join(clean.get("refcode", "").split())[:100] or page.default_refcode
    refcodes = {}
    for name in list(clean.keys()):
        if _REFCODE_PARAM.match(name) and len(refcodes) < MAX_REFCODES:
            refcodes[name] = " ".join(clean.get(name, "").split())[:100]
    ref = " ".join(clean.get("ref", "").split())[:16]
    if ref and re.fullmatch(r"[A-Za-z0-9]+", ref):
        refcodes["ref"] = ref
    return {"refcode": refcode, "refcodes": {k: v for k, v in refcodes.items() if v}}


def parse_dollars(text: str) -> int | None:
    """Dollars as typed ("$25", "25.50", "1,000") in cents; None when not an amount."""
    match = _DOLLARS.match((text or "").replace(",", "").strip())
    if not match:
        return None
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def _donor_fields(values, errors: dict[str, str]) -> list[dict]:
    fields = []
    for name, (label, kind, autocomplete, inputmode, required) in DONOR_INPUTS.items():
        fields.append(
            {
                "name": name,
                "id": f"f-{name}",
                "label": label,
                "kind": "input",
                "type": kind,
                "autocomplete": autocomplete,
                "inputmode": inputmode,
                "required": required,
                "law": name in LAW_FIELDS,
                "value": values.get(name, ""),
                "error": errors.get(name, ""),
                "maxlength": 200,
            }
        )
    return fields


def _donor_errors(donor: dict) -> dict[str, str]:
    """Each donor field's problem, in words a donor understands (people.intake's checks)."""
    errors = {}
    for name, (label, _, _, _, required) in DONOR_INPUTS.items():
        if required and not donor.get(name, "").strip():
            errors[name] = f"Enter your {label.lower()}."
    _, problems = person_input_clean(donor)
    for problem in problems:
        if problem.field in DONOR_INPUTS and problem.field not in errors:
            label = DONOR_INPUTS[problem.field][0]
            reason = problem.reason.rstrip(".")
            errors[problem.field] = f"{label}: {reason[:1].lower()}{reason[1:]}."
    return errors


def _context(request, page: DonationPage, *, values, hidden: dict, errors: dict[str, str]):
    highest = ask_token_read(hidden.get("ask", ""))
    ladder = ask_ladder(page=page, highest_cents=highest)
    chosen = values.get("amount", "")
    if not chosen and not values.get("custom_amount"):
        # The personalised ask preselects the donor's own previous gift; otherwise the middle.
        chosen = str(ladder[0] if highest else ladder[len(ladder) // 2])
    recurring_options = [("", "One-time")]
    if page.allow_monthly:
        recurring_options.append((RecurringPeriod.MONTHLY, "Monthly"))
    if page.allow_weekly:
        recurring_options.append((RecurringPeriod.WEEKLY, "Weekly"))
    recurring = values.get("recurring", page.default_recurring or "")
    fields = _donor_fields(values, errors)
    summary = []
    if "form" in errors:
        summary.append(("", errors["form"]))
    for key, anchor in (("amount", "f-amount-0"), ("recurring", "f-recurring-0")):
        if key in errors:
            summary.append((anchor, errors[key]))
    summary += [(f["id"], f["error"]) for f in fields if f["error"]]
    deadline = page.deadline if page.deadline and page.deadline > timezone.now() else None
    progress = page_progress(page=page)
    return {
        "page": page,
        "ladder": [
            {
                "cents": c,
                "label": _short_dollars(c),
                "id": f"f-amount-{i}",
                "checked": str(c) == chosen,
            }
            for i, c in enumerate(ladder)
        ],
        "personalised": bool(highest),
        "custom_amount": values.get("custom_amount", ""),
        "custom_checked": chosen == "other",
        "recurring_options": [
            {"value": v, "label": label, "id": f"f-recurring-{i}", "checked": v == recurring}
            for i, (v, label) in enumerate(recurring_options)
        ],
        "fields": fields,
        "hidden": hidden,
        "honeypot": HONEYPOT,
        "errors": summary,
        "amount_error": errors.get("amount", ""),
        "recurring_error": errors.get("recurring", ""),
        "progress": progress,
        "raised_display": f"${progress.raised_cents // 100:,}",
        "goal_display": f"${(progress.goal_cents or 0) // 100:,}",
        "deadline": deadline,
        "law_note": LAW_NOTE,
        "stripe_ready": stripe_ready(),
        "stripe_js_url": settings.STRIPE_JS_URL,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "min_display": cents_display(page.min_cents),
        "max_display": cents_display(page.max_cents),
    }


def _short_dollars(cents: int) -> str:
    return f"${cents // 100:,}" if cents % 100 == 0 else cents_display(cents)


@require_http_methods(["GET", "HEAD"])
def donate_index(request):
    """``/donate/`` as a supporter would type it: the site's default donation page, with the
    link's refcode and other parameters kept; the campaign's own "not found" without one."""
    page = donate_page_default(site_get())
    if page is None:
        return page_not_found(request, "There is no donation page here yet.")
    query = request.META.get("QUERY_STRING", "")
    return redirect(page.url + (f"?{query}" if query else ""))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def donate_page(request, slug: str):
    page = _page_for(request, slug)
    if page is None:
        return page_not_found(request, "This donation page does not exist, or is no longer open.")
    if request.method == "POST":
        return _submit(request, page)
    hidden = {
        **_hidden_tracking(_tracking(request.GET, page)),
        "ask": param_clean(request.GET.get("ask", ""))[:200],
        # One key per rendered form: a double-click sends it twice and starts one payment.
        "key": secrets.token_urlsafe(24),
    }
    context = _context(
        request, page, values=_preselected(request, page, hidden), hidden=hidden, errors={}
    )
    response = page_render(request, "donations/donate/page.html", context)
    # The donor opened their own signed link from our mail: this browser may now prove it.
    return _ask_cookie_keep(request, response, cents=ask_token_read(hidden["ask"]))


def _ask_cookie_keep(request, response, *, cents: int | None):
    """Let this browser prove a past gift to the "chip in" ask after an action (read by
    ``donate.thanks_ask_build``): the signed larger of ``cents`` and any highest gift its valid
    cookie already proves. Nothing is set without a gift to prove.

    HttpOnly (no script needs it), SameSite=Lax (so the cross-site pop-up never receives it, and
    stays unpersonalised), as long-lived as a mailed ``ask`` link.
    """
    known = [c for c in (cents, ask_token_read(request.COOKIES.get(ASK_COOKIE, ""))) if c]
    if known:
        response.set_cookie(
            ASK_COOKIE,
            ask_token_make(highest_cents=max(known)),
            max_age=ASK_MAX_AGE,
            path="/",
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


def _preselected(request, page: DonationPage, hidden: dict) -> dict:
    """The amount a link asks to preselect (a mailing's ladder button), if the page offers it."""
    amount = whole_number(param_clean(request.GET.get(AMOUNT_PARAM, "")), max_digits=9)
    offered = ask_ladder(page=page, highest_cents=ask_token_read(hidden["ask"]))
    return {"amount": str(amount)} if amount is not None and amount in offered else {}


def _hidden_tracking(tracking: dict) -> dict:
    return {"refcode": tracking["refcode"], **tracking["refcodes"]}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _submit(request, page: DonationPage):
    data = params_clean(request.POST)
    tracking = _tracking(data, page)
    hidden = {
        **_hidden_tracking(tracking),
        "ask": data.get("ask", "")[:200],
        "key": data.get("key", "")[:64],
    }
    if honeypot_filled(data):
        # A bot filled the field people cannot see: it is thanked, and nothing is charged.
        thanks = reverse("donate:thanks_plain", args=[page.slug])
        if _wants_json(request):
            return JsonResponse({"redirect": thanks})
        return redirect(thanks)
    errors: dict[str, str] = {}
    amount_cents = _amount_from(data, page, errors)
    recurring = data.get("recurring", "")
    if recurring not in RecurringPeriod.values:
        errors["recurring"] = "Choose one-time, monthly or weekly."
    donor = {name: " ".join(data.get(name, "").split())[:200] for name in DONOR_INPUTS}
    errors.update(_donor_errors(donor))
    if not stripe_ready():
        errors["form"] = "Card payments are not set up on this site yet, so no gift can be made."
    elif not errors and not _wants_json(request):
        errors["form"] = (
            "The secure card field needs JavaScript. Please turn it on, or use another browser."
        )
    if not errors:
        try:
            submission_rate_check(ip_address=client_ip(request), email=donor["email"].lower())
        except RateLimited as exc:
            return _rate_limited(request, page, exc)
        try:
            attempt = payment_attempt_start(
                key=hidden["key"],
                page=page,
                amount_cents=amount_cents,
                recurring_period=recurring,
                donor=donor,
                refcode=tracking["refcode"],
                refcodes=tracking["refcodes"],
                ip_address=client_ip(request),
            )
        except PaymentInvalid as exc:
            errors.update(exc.errors)
        except ProcessorError as exc:
            errors["form"] = exc.message
        else:
            if attempt.contribution_id:
                # The same form sent again after it was paid (the back button): no new
                # payment, just the thank-you page again.
                return JsonResponse({"redirect": _thanks_url(attempt)})
            return JsonResponse(
                {
                    "client_secret": attempt.client_secret,
                    "finish_url": reverse("donate:finish", args=[page.slug, attempt.key]),
                    "billing": {
                        "name": f"{donor['given_name']} {donor['family_name']}",
                        "email": donor["email"],
                    },
                    # After a decline the donor may change the amount: that is a new attempt.
                    "next_key": secrets.token_urlsafe(24),
                }
            )
    if _wants_json(request):
        context = _context(request, page, values=data, hidden=hidden, errors=errors)
        return JsonResponse(
            {
                "errors": [{"anchor": a, "message": m} for a, m in context["errors"]],
                "fields": errors,
            },
            status=400,
        )
    if not hidden["key"]:
        hidden["key"] = secrets.token_urlsafe(24)
    context = _context(request, page, values=data, hidden=hidden, errors=errors)
    return page_render(request, "donations/donate/page.html", context, status=400)


def _amount_from(data, page: DonationPage, errors: dict[str, str]) -> int | None:
    choice = data.get("amount", "")
    if choice == "other" or (not choice and data.get("custom_amount")):
        if not page.allow_custom_amount:
            errors["amount"] = "Choose one of the amounts."
            return None
        cents = parse_dollars(data.get("custom_amount", ""))
        if cents is None:
            errors["amount"] = "Enter an amount in dollars, such as 25 or 25.50."
            return None
    elif (number := whole_number(choice, max_digits=9)) is not None:
        cents = number
        offered = ask_ladder(page=page, highest_cents=ask_token_read(data.get("ask", "")))
        if cents not in offered and not page.allow_custom_amount:
            errors["amount"] = "Choose one of the amounts."
            return None
    else:
        errors["amount"] = "Choose an amount, or enter one."
        return None
    if cents < page.min_cents:
        errors["amount"] = f"The smallest gift on this page is {cents_display(page.min_cents)}."
    elif cents > page.max_cents:
        errors["amount"] = f"The largest gift on this page is {cents_display(page.max_cents)}."
    return cents


def _rate_limited(request, page: DonationPage, exc: RateLimited):
    if _wants_json(request):
        response = JsonResponse(
            {"errors": [{"anchor": "", "message": str(exc)}], "fields": {}}, status=429
        )
    else:
        response = page_render(
            request,
            "donations/donate/rate_limited.html",
            {"page": page, "what": exc.what, "retry_after": exc.retry_after},
            status=429,
        )
    response["Retry-After"] = str(exc.retry_after)
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def donate_finish(request, slug: str, key: str):
    """Where the browser lands after Stripe.js confirmed the card: record it, then thank."""
    attempt = (
        PaymentAttempt.objects.filter(key=key[:64], page__slug=slug).select_related("page").first()
    )
    if attempt is None:
        return page_not_found(
            request, "We cannot find this gift. If you were charged, we will write."
        )
    try:
        attempt = payment_attempt_finish(attempt=attempt)
    except ProcessorError as exc:
        logger.warning("finishing attempt %s: %s", attempt.pk, exc.message)
    if attempt.contribution_id:
        return redirect(_thanks_url(attempt))
    context = {
        "page": attempt.page,
        "attempt": attempt,
        "amount_display": cents_display(attempt.amount_cents),
    }
    return page_render(request, "donations/donate/pending.html", context, status=202)


def _thanks_url(attempt: PaymentAttempt) -> str:
    signed = thanks_id_sign(attempt.pk, salt=THANKS_SALT)
    return reverse("donate:thanks", args=[attempt.page.slug, signed])


@never_cache
@require_http_methods(["GET", "HEAD"])
def donate_thanks(request, slug: str, signed: str | None = None):
    page = DonationPage.objects.filter(slug=slug).first()
    if page is None:
        return page_not_found(request)
    paid = PaymentAttempt.objects.filter(page=page, contribution__isnull=False)
    attempt = thanks_row(paid.select_related("contribution__person"), signed, salt=THANKS_SALT)
    context = {"page": page, "attempt": attempt, **_next_rung(request, page, attempt)}
    series_id = attempt.contribution.series_id if attempt and attempt.contribution else None
    if series_id:
        context["cancel_url"] = reverse("donate:recurring_cancel", args=[cancel_token(series_id)])
    response = page_render(request, "donations/donate/thanks.html", context)
    if attempt is None or attempt.contribution is None:
        return response
    # A gift just made in this browser (the signed thank-you link lives a day): remember the
    # largest gift it proves, with a mailed link's ``ask`` if the page was opened with one.
    cents = max(attempt.contribution.amount_cents, ask_token_read(request.GET.get("ask", "")) or 0)
    return _ask_cookie_keep(request, response, cents=cents)


def cancel_token(series_id: int) -> str:
    """The signed part of a donor's link to cancel their recurring gift."""
    return signing.Signer(salt=CANCEL_SALT).sign(str(series_id))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def donor_recurring_cancel(request, signed: str):
    """The donor stops their own recurring gift from the link we gave them (confirm, then POST)."""
    try:
        value = signing.Signer(salt=CANCEL_SALT).unsign(signed[:100])
    except signing.BadSignature:
        value = ""
    series = (
        RecurringSeries.objects.filter(pk=int(value), processor=Processor.STRIPE).first()
        if value.isdigit()
        else None
    )
    if series is None:
        return page_not_found(request, "This link does not lead to a recurring gift.")
    done = series.status in (RecurringSeries.Status.CANCELLED, RecurringSeries.Status.COMPLETED)
    if request.method == "POST" and not done:
        series = series_cancel(series=series, reason="Cancelled by the donor (their own link)")
        done = True
    context = {
        "series": series,
        "done": done,
        "amount_display": cents_display(series.amount_cents),
    }
    return page_render(request, "donations/donate/cancel.html", context)


def _next_rung(request, page: DonationPage, attempt) -> dict:
    """Volunteer, or share this page with the donor's own referral link."""
    if page.next_rung == DonationPage.NextRung.VOLUNTEER:
        volunteer = None
        if page.volunteer_page_slug:
            volunteer = action_selectors.public_page_get(slug=page.volunteer_page_slug)
        volunteer = volunteer or action_selectors.participation_page()
        if volunteer is not None:
            return {"rung": "volunteer", "volunteer": volunteer}
    url = reverse("donate:page", args=[page.slug])
    person = attempt.contribution.person if attempt and attempt.contribution else None
    if person is not None:
        url += "?" + urlencode({"ref": referral_code_for(person)})
    share_url = request.build_absolute_uri(url)
    return {
        "rung": "share",
        "share_url": share_url,
        "share_links": share_links(url=share_url, text=page.title),
    }
