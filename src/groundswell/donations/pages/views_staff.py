"""The donation-page builder for finance staff: list, create, edit, publish, personalised asks."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.core.pagination import paginate
from groundswell.core.untrusted import whole_number
from groundswell.donations.models import DonationPage, RecurringPeriod, cents_display
from groundswell.donations.pages.donate import (
    ask_ladder,
    ask_token_make,
    page_donor_goal,
    page_progress,
    pages_with_totals,
    person_highest_gift,
)
from groundswell.donations.pages.views_public import parse_dollars, stripe_ready
from groundswell.people.models import Person

MAX_AMOUNTS = 8
# A page's own ceiling; the per-election limit is enforced by compliance whatever this says.
MAX_PAGE_CENTS = 100_000_000


def _dollars_text(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents // 100}.{cents % 100:02d}"


class DonationPageForm(forms.ModelForm):
    amounts_text = forms.CharField(
        label="Ask amounts (dollars)",
        max_length=200,
        help_text="Comma separated, e.g. 5, 10, 27, 50, 100. Personalised links rebuild these "
        "around each donor's highest gift.",
    )
    min_dollars = forms.CharField(label="Smallest gift (dollars)", max_length=12, initial="1")
    max_dollars = forms.CharField(label="Largest gift (dollars)", max_length=12, initial="3500")
    goal_dollars = forms.CharField(label="Goal (dollars)", max_length=12, required=False)
    deadline = forms.DateTimeField(
        required=False,
        label="Deadline",
        help_text="Shown as a countdown; in the campaign's time zone",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )

    class Meta:
        model = DonationPage
        fields = [
            "slug",
            "title",
            "intro",
            "allow_custom_amount",
            "allow_monthly",
            "allow_weekly",
            "default_recurring",
            "deadline",
            "goal_kind",
            "goal_donors",
            "show_donors_to_go",
            "default_refcode",
            "thank_you_message",
            "next_rung",
            "volunteer_page_slug",
            "is_published",
        ]
        labels = {
            "slug": "Address (slug)",
            "intro": "Introduction",
            "allow_custom_amount": "Let donors type another amount",
            "allow_monthly": "Offer monthly gifts",
            "allow_weekly": "Offer weekly gifts",
            "default_recurring": "Chosen at first",
            "goal_kind": "Thermometer",
            "goal_donors": "Donor goal",
            "show_donors_to_go": "Show “N donors to go”: toward the campaign's active donor "
            "goal once its donors are counted, else toward this page's donor goal",
            "default_refcode": "Refcode when the link has none",
            "thank_you_message": "Thank-you message",
            "next_rung": "After giving, ask them to",
            "volunteer_page_slug": "Volunteer page (slug of an action page)",
            "is_published": "Published (open to the public)",
        }
        help_texts = {
            "slug": "Letters, digits and hyphens: the page is at /donate/<slug>/",
            "volunteer_page_slug": "Blank: the site's participation form",
        }
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 4}),
            "thank_you_message": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        if page.pk:
            self.fields["amounts_text"].initial = ", ".join(
                _dollars_text(c) for c in page.amounts_cents or []
            )
            self.fields["min_dollars"].initial = _dollars_text(page.min_cents)
            self.fields["max_dollars"].initial = _dollars_text(page.max_cents)
            self.fields["goal_dollars"].initial = _dollars_text(page.goal_cents)
        else:
            self.fields["amounts_text"].initial = "5, 10, 27, 50, 100, 250"

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"].lower()

    def _cents(self, name: str, *, required: bool = True) -> int | None:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            if required:
                self.add_error(name, "Enter an amount in dollars.")
            return None
        cents = parse_dollars(text)
        if cents is None:
            self.add_error(name, f"“{text[:20]}” is not an amount in dollars (e.g. 25 or 25.50).")
        elif cents < 100:
            self.add_error(name, "At least $1.")
            return None
        elif cents > MAX_PAGE_CENTS:
            self.add_error(name, f"At most {cents_display(MAX_PAGE_CENTS)}.")
            return None
        return cents

    def clean(self):
        data = super().clean()
        low = self._cents("min_dollars")
        high = self._cents("max_dollars")
        if low and high and high < low:
            self.add_error("max_dollars", "The largest gift must be at least the smallest.")
        amounts = []
        for part in (data.get("amounts_text") or "").replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            cents = parse_dollars(part)
            if cents is None:
                self.add_error("amounts_text", f"“{part[:20]}” is not an amount in dollars.")
                break
            if cents < 100:
                self.add_error("amounts_text", f"{cents_display(cents)} is below the $1 minimum.")
                break
            if (low and cents < low) or (high and cents > high):
                self.add_error(
                    "amounts_text",
                    f"{cents_display(cents)} is outside the smallest and largest gift.",
                )
                break
            amounts.append(cents)
        amounts = sorted(set(amounts))
        if not amounts and "amounts_text" not in self.errors:
            self.add_error("amounts_text", "Give at least one amount.")
        if len(amounts) > MAX_AMOUNTS:
            self.add_error("amounts_text", f"Use at most {MAX_AMOUNTS} amounts.")
        data["amounts_cents"], data["min_cents"], data["max_cents"] = amounts, low, high

        goal_cents = self._cents("goal_dollars", required=False)
        data["goal_cents"] = goal_cents
        kind = data.get("goal_kind")
        if kind == DonationPage.GoalKind.DOLLARS and not goal_cents:
            self.add_error("goal_dollars", "Give the goal in dollars, or show no thermometer.")
        if kind == DonationPage.GoalKind.DONORS and not data.get("goal_donors"):
            self.add_error("goal_donors", "Give the number of donors, or show no thermometer.")
        if data.get("show_donors_to_go") and not data.get("goal_donors"):
            self.add_error("goal_donors", "“Donors to go” needs a donor goal.")
        default = data.get("default_recurring") or ""
        if default == RecurringPeriod.MONTHLY and not data.get("allow_monthly"):
            self.add_error("default_recurring", "Monthly is not offered on this page.")
        if default == RecurringPeriod.WEEKLY and not data.get("allow_weekly"):
            self.add_error("default_recurring", "Weekly is not offered on this page.")
        return data

    def save(self, commit: bool = True) -> DonationPage:
        page = super().save(commit=False)
        page.amounts_cents = self.cleaned_data["amounts_cents"]
        page.min_cents = self.cleaned_data["min_cents"]
        page.max_cents = self.cleaned_data["max_cents"]
        page.goal_cents = self.cleaned_data["goal_cents"]
        if commit:
            page.save()
        return page


@capability_required(FINANCE_VIEW)
def page_list(request):
    """Every donation page, with what each has raised."""
    pages = paginate(
        pages_with_totals(DonationPage.objects.order_by("title", "pk")), request.GET.get("page")
    )
    for p in pages.items:
        p.raised_display = cents_display(p.raised or 0)
        # What the public page's thermometer shows, beside the page's own donors: the two
        # differ when the page counts toward the campaign's goal, so both are named.
        p.public_goal = page_donor_goal(page=p, donors=p.donor_count)
    return render(
        request,
        "donations/pages/list.html",
        {"page": pages, "stripe_ready": stripe_ready()},
    )


def _audit(request, page: DonationPage, summary: str, details: dict | None = None) -> None:
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.PAGE_CHANGE,
        summary=summary,
        target=page,
        details=details or {},
        ip_address=client_ip(request),
    )


@capability_required(FINANCE_VIEW)
def page_create(request):
    form = DonationPageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        page = form.save()
        _audit(request, page, f"Created the donation page “{page.title}”", {"slug": page.slug})
        messages.success(request, f"Created “{page.title}”.")
        return redirect("donations:donation_page_detail", pk=page.pk)
    return render(request, "donations/pages/form.html", {"form": form, "donation_page": None})


@capability_required(FINANCE_VIEW)
def page_edit(request, pk: int):
    page = get_object_or_404(DonationPage, pk=pk)
    form = DonationPageForm(request.POST or None, instance=page)
    if request.method == "POST" and form.is_valid():
        page = form.save()
        _audit(
            request,
            page,
            f"Edited the donation page “{page.title}”",
            {"changed": sorted(form.changed_data)},
        )
        messages.success(request, "Saved.")
        return redirect("donations:donation_page_detail", pk=page.pk)
    return render(request, "donations/pages/form.html", {"form": form, "donation_page": page})


@capability_required(FINANCE_VIEW)
def page_detail(request, pk: int):
    """One page: its figures, addresses, recent gifts and the personalised-ask link maker."""
    page = get_object_or_404(DonationPage, pk=pk)
    public_url = request.build_absolute_uri(reverse("donate:page", args=[page.slug]))
    ask = _ask_link(request, page, public_url)
    recent = page.contributions.select_related("person").order_by("-received_at", "-id")[:10]
    context = {
        "donation_page": page,
        "progress": page_progress(page=page),
        "public_url": public_url,
        "ladder": [cents_display(c) for c in ask_ladder(page=page)],
        "recent": recent,
        "series_count": page.series.count(),
        "ask": ask,
        "stripe_ready": stripe_ready(),
    }
    context["raised_display"] = cents_display(context["progress"].raised_cents)
    return render(request, "donations/pages/detail.html", context)


def _ask_link(request, page: DonationPage, public_url: str) -> dict:
    """The personalised-ask link for the person asked about (by e-mail or number), if any."""
    query = " ".join(request.GET.get("person", "").split())[:254]
    refcode = " ".join(request.GET.get("refcode", "").split())[:100]
    out = {"query": query, "refcode": refcode}
    if not query:
        return out
    people = Person.objects.active()
    person = (
        people.filter(pk=whole_number(query)).first()
        if whole_number(query, max_digits=11) is not None
        else people.filter(primary_email__iexact=query).first()
    )
    if person is None:
        out["error"] = f"No one found for “{query}”. Give an e-mail address or a person number."
        return out
    out["person"] = person
    highest = person_highest_gift(person_id=person.pk)
    if not highest:
        out["error"] = "This person has not given yet, so the page's own amounts apply."
        return out
    params = {"ask": ask_token_make(highest_cents=highest)}
    if refcode:
        params["refcode"] = refcode
    out["highest"] = cents_display(highest)
    out["ladder"] = [cents_display(c) for c in ask_ladder(page=page, highest_cents=highest)]
    out["url"] = f"{public_url}?{urlencode(params)}"
    return out


@capability_required(FINANCE_VIEW)
@require_POST
def page_publish(request, pk: int):
    """Open the page to the public, or close it."""
    page = get_object_or_404(DonationPage, pk=pk)
    publish = request.POST.get("publish") == "1"
    if page.is_published != publish:
        page.is_published = publish
        page.save(update_fields=["is_published", "modified_at"])
        verb = "Published" if publish else "Unpublished"
        _audit(request, page, f"{verb} the donation page “{page.title}”")
        messages.success(request, f"{verb} “{page.title}”.")
    return redirect("donations:donation_page_detail", pk=page.pk)
