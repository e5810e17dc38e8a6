"""Compliance pages: held gifts, best efforts, offline gifts, rule sets (finance and admin), and
the public page where a donor answers a best-efforts request."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.actions.site import honeypot_filled, page_render
from groundswell.core.pagination import paginate
from groundswell.core.untrusted import whole_number
from groundswell.donations.compliance import best_efforts as efforts
from groundswell.donations.compliance import holds as hold_services
from groundswell.donations.compliance.forms import (
    BestEffortsAnswerForm,
    ComplianceRuleForm,
    OfflineGiftForm,
    ReattributeForm,
    RedesignateForm,
    RefundForm,
    ReleaseForm,
    new_form_key,
)
from groundswell.donations.compliance.limits import (
    donor_totals_rebuild,
    hold_excess_cents,
    rule_for_election,
)
from groundswell.donations.compliance.rules import cycle_for, next_election
from groundswell.donations.models import (
    BestEffortsRequest,
    ComplianceRule,
    Contribution,
    DonorElectionTotal,
    cents_display,
)
from groundswell.donations.processors.offline import offline_contribution_record
from groundswell.people.models import Person

PER_PAGE = 50


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where it names one, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _contribution_url(contribution: Contribution) -> str:
    try:
        return reverse("donations:contribution_detail", args=[contribution.pk])
    except NoReverseMatch:
        return reverse("donations:hold_detail", args=[contribution.pk])


# ---------------------------------------------------------------- held gifts


class _Rules(dict):
    """The rule set of each election, read once per page."""

    def __missing__(self, election: str) -> ComplianceRule:
        self[election] = rule_for_election(election)
        return self[election]


def _totals_by_donor(keys: set[str], rules: _Rules | None = None) -> dict[str, list[dict]]:
    """Each donor's totals per election, with the limit and how far over it they are."""
    rules = rules if rules is not None else _Rules()
    rows: dict[str, list[dict]] = {}
    for total in DonorElectionTotal.objects.filter(donor_key__in=keys).exclude(total_cents=0):
        limit = rules[total.election].per_election_limit_cents
        rows.setdefault(total.donor_key, []).append(
            {
                "election": total.election,
                "total_cents": total.total_cents,
                "total": cents_display(total.total_cents),
                "limit": cents_display(limit),
                "over": cents_display(total.total_cents - limit)
                if total.total_cents > limit
                else "",
                "sort": (total.election[1:], total.election[:1] != "P"),
            }
        )
    for values in rows.values():
        values.sort(key=lambda r: r["sort"])
    return rows


NOT_OVER = "Not over now"


@capability_required(FINANCE_VIEW)
def holds(request):
    """Gifts held over the per-election limit, oldest first, with the window left on each."""
    show = "resolved" if request.GET.get("show") == "resolved" else "pending"
    if show == "resolved":
        queryset = (
            Contribution.objects.filter(held_at__isnull=False)
            .exclude(hold_resolution="")
            .select_related("hold_resolved_by")
            .order_by("-hold_resolved_at", "-id")
        )
    else:
        queryset = hold_services.holds_pending()
    page = paginate(queryset, request.GET.get("page"), per_page=PER_PAGE)
    rules = _Rules()
    totals = _totals_by_donor({c.donor_key for c in page.items if c.donor_key}, rules)
    rows = []
    for contribution in page.items:
        donor_rows = totals.get(contribution.donor_key, [])
        current = next((r for r in donor_rows if r["election"] == contribution.election), None)
        rule = rules[contribution.election] if contribution.election else None
        excess = ""
        if show == "pending" and rule is not None:
            excess_cents = hold_excess_cents(
                contribution=contribution,
                total_cents=current["total_cents"] if current else 0,
                rule=rule,
            )
            # A hold the totals no longer support (rebuilt after a merge or a refund elsewhere)
            # says so, rather than "over by $0.00".
            excess = cents_display(excess_cents) if excess_cents else NOT_OVER
        rows.append(
            {
                "c": contribution,
                "window": hold_services.hold_window(contribution, rule=rule),
                "excess": excess,
                "totals": donor_rows,
            }
        )
    context = {
        "page": page,
        "rows": rows,
        "show": show,
        "querystring": f"show={show}" if show == "resolved" else "",
    }
    return render(request, "donations/compliance/holds.html", context)


@capability_required(FINANCE_VIEW)
@require_POST
def totals_rebuild(request):
    """Recompute every donor's election totals from the contributions (after merges)."""
    changed = donor_totals_rebuild()
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.HOLD_RESOLVE,
        summary=f"Donor election totals recomputed from the contributions ({changed} changed)",
        details={"changed": changed, "resolution": "totals_rebuild"},
    )
    messages.success(
        request,
        f"Totals recomputed: {changed} donor total{'s' if changed != 1 else ''} changed.",
    )
    return redirect("donations:holds")


HOLD_ACTIONS = ("refund", "redesignate", "reattribute", "release")


def _hold_forms(contribution: Contribution, data=None, action: str = "") -> dict:
    def bound(name, form_class, **kw):
        return form_class(data if action == name else None, prefix=name, **kw)

    refund = bound("refund", RefundForm, initial={"form_key": new_form_key()})
    return {
        "refund": refund,
        "redesignate": bound("redesignate", RedesignateForm),
        "reattribute": bound("reattribute", ReattributeForm),
        "release": bound("release", ReleaseForm),
    }


def _hold_resolve(request, contribution: Contribution, action: str, form) -> str:
    """Run one resolution from its validated form; returns the success message."""
    user = request.user
    data = form.cleaned_data
    if action == "refund":
        amount = {
            "excess": None,
            "all": contribution.amount_cents - contribution.refunded_cents,
            "other": data.get("amount"),
        }[data["how_much"]]
        held = hold_services.hold_refund(
            contribution=contribution,
            user=user,
            amount_cents=amount,
            reason=data["reason"],
            key=data["form_key"],
        )
        return f"Refund recorded. {held.note.splitlines()[-1] if held.note else ''}".strip()
    if action == "redesignate":
        moved = hold_services.hold_redesignate(
            contribution=contribution, user=user, reason=data["reason"]
        )
        return f"{moved.amount_display} redesignated to {moved.election}."
    if action == "reattribute":
        person = None
        if data.get("person_id"):
            person = Person.objects.active().filter(pk=data["person_id"]).first()
            if person is None:
                raise ValidationError({"person_id": "No person has that id."})
        part = hold_services.hold_reattribute(
            contribution=contribution,
            user=user,
            amount_cents=data["amount"],
            person=person,
            donor=None if person else form.donor(),
            reason=data["reason"],
        )
        return (
            f"{part.amount_display} reattributed to {part.donor_given_name} "
            f"{part.donor_family_name}."
        )
    hold_services.hold_release(contribution=contribution, user=user, reason=data["reason"])
    return "Hold released."


@capability_required(FINANCE_VIEW)
@require_http_methods(["GET", "POST"])
def hold_detail(request, pk: int):
    """One held gift: the donor's totals, the window, and the four ways to resolve it."""
    contribution = get_object_or_404(
        Contribution.objects.select_related("person", "hold_resolved_by"), pk=pk
    )
    if not contribution.held_at:
        raise Http404("That contribution was never held.")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and action not in HOLD_ACTIONS:
        messages.error(request, "Choose how to resolve the hold.")
        return redirect("donations:hold_detail", pk=pk)
    forms = _hold_forms(contribution, request.POST if action else None, action)
    status = 200
    if action:
        form = forms[action]
        if form.is_valid():
            try:
                message = _hold_resolve(request, contribution, action, form)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("donations:holds")
        status = 400
    window = hold_services.hold_window(contribution)
    excess = hold_excess_cents(contribution=contribution)
    context = {
        "c": contribution,
        "forms": forms,
        "action": action,
        "window": window,
        "excess": cents_display(excess) if excess else NOT_OVER,
        "excess_cents": excess,
        "left": cents_display(contribution.amount_cents - contribution.refunded_cents),
        "next_election": next_election(contribution.election) if contribution.election else "",
        "totals": _totals_by_donor({contribution.donor_key}).get(contribution.donor_key, []),
        "limit": cents_display(rule_for_election(contribution.election).per_election_limit_cents)
        if contribution.election
        else "",
        "contribution_url": _contribution_url(contribution),
    }
    return render(request, "donations/compliance/hold_detail.html", context, status=status)


# ---------------------------------------------------------------- best efforts


@capability_required(FINANCE_VIEW)
@require_http_methods(["GET", "POST"])
def best_efforts(request):
    """Itemized donors missing employer or occupation: not yet asked, asked, answered."""
    state = request.GET.get("state", "not_asked")
    if state not in efforts.STATES:
        state = "not_asked"
    if request.method == "POST":
        ids = []
        for value in request.POST.getlist("contribution"):
            if (number := whole_number(value)) is not None:
                ids.append(number)
        if not ids:
            messages.error(request, "Choose the contributions to follow up.")
        else:
            result = efforts.best_efforts_send(
                contribution_ids=ids[:500],
                user=request.user,
                base_url=request.build_absolute_uri("/"),
            )
            text = f"{result.queued} follow-up e-mail{'s' if result.queued != 1 else ''} queued."
            if result.skipped:
                text += " Skipped: " + "; ".join(
                    f"{count} {reason}" for reason, count in result.skipped.items()
                )
                text += "."
            messages.success(request, text)
        return redirect(f"{reverse('donations:best_efforts')}?state={state}")
    page = paginate(
        efforts.best_efforts_queue(state=state), request.GET.get("page"), per_page=PER_PAGE
    )
    rows = []
    for contribution in page.items:
        deadline = efforts.ask_deadline(contribution)
        rows.append(
            {
                "c": contribution,
                "deadline": deadline,
                "request": getattr(contribution, "best_efforts_request", None),
                "can_ask": bool(contribution.donor_email),
            }
        )
    context = {
        "state": state,
        "states": efforts.STATES,
        "page": page,
        "rows": rows,
        "querystring": f"state={state}",
        "ask_days": efforts.ASK_WITHIN_DAYS,
        "cycle": cycle_for(timezone.localdate()),
        "today": timezone.localdate(),
    }
    return render(request, "donations/compliance/best_efforts.html", context)


@capability_required(FINANCE_VIEW)
@require_http_methods(["GET", "POST"])
def best_efforts_record(request, pk: int):
    """Record an employer and occupation a donor gave by phone or mail."""
    contribution = get_object_or_404(Contribution, pk=pk)
    form = BestEffortsAnswerForm(
        request.POST or None,
        initial={
            "employer": contribution.donor_employer,
            "occupation": contribution.donor_occupation,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            filled = efforts.best_efforts_answer(
                contribution=contribution,
                employer=form.cleaned_data["employer"],
                occupation=form.cleaned_data["occupation"],
                user=request.user,
                how="phone or mail, recorded by staff",
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                f"Saved: {filled} contribution{'s' if filled != 1 else ''} of this donor updated.",
            )
            return redirect(f"{reverse('donations:best_efforts')}?state=answered")
    context = {"c": contribution, "form": form}
    return render(request, "donations/compliance/best_efforts_record.html", context)


# ---------------------------------------------------------------- offline gifts


@capability_required(FINANCE_VIEW)
@require_http_methods(["GET", "POST"])
def offline_new(request):
    """Record a check or cash gift (cash over $100 and anonymous over $50 refused)."""
    form = OfflineGiftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contribution, created = offline_contribution_record(
                amount_cents=data["amount"],
                received_on=data["received_on"],
                method=data["method"],
                check_number=data["check_number"],
                donor=form.donor(),
                is_anonymous=data["is_anonymous"],
                election=data["election"],
                note=data["note"],
                form_key=data["form_key"],
                user=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if not created:
                messages.info(request, "That gift was already recorded (the form was sent twice).")
            elif contribution.held_at:
                messages.warning(
                    request,
                    f"Recorded {contribution.amount_display}, and held: "
                    f"{contribution.hold_reason}.",
                )
            else:
                messages.success(
                    request,
                    f"Recorded {contribution.amount_display} toward {contribution.election}.",
                )
            if contribution.held_at and not contribution.hold_resolution:
                return redirect("donations:hold_detail", pk=contribution.pk)
            return redirect("donations:offline_new")
    status = 400 if request.method == "POST" else 200
    return render(request, "donations/compliance/offline_new.html", {"form": form}, status=status)


# ---------------------------------------------------------------- rule sets


def _rule_rows() -> list[dict]:
    current = cycle_for(timezone.localdate())
    saved = {rule.cycle: rule for rule in ComplianceRule.objects.filter(committee_id="")}
    cycles = sorted(set(saved) | {current}, reverse=True)
    rows = []
    for cycle in cycles:
        rule = saved.get(cycle) or ComplianceRule(committee_id="", cycle=cycle)
        rows.append(
            {
                "rule": rule,
                "saved": cycle in saved,
                "current": cycle == current,
                "limit": cents_display(rule.per_election_limit_cents),
                "itemization": cents_display(rule.itemization_threshold_cents),
                "cash": cents_display(rule.cash_limit_cents),
                "anonymous": cents_display(rule.anonymous_limit_cents),
            }
        )
    return rows


RULE_FIELDS = (*ComplianceRuleForm.MONEY.values(), *ComplianceRuleForm.Meta.fields)


def _rule_saved(request, form: ComplianceRuleForm, *, created: bool) -> bool:
    """Save a rule set and audit the change; False (with the error on the form) on a clash."""
    before = {}
    if not created:
        old = ComplianceRule.objects.get(pk=form.instance.pk)
        before = {name: str(getattr(old, name)) for name in RULE_FIELDS}
    try:
        with transaction.atomic():
            rule = form.save()
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.RULES_CHANGE,
                summary=f"Compliance rules for {rule.cycle - 1}–{rule.cycle} "
                + ("created" if created else "changed"),
                target=rule,
                details={
                    "before": before,
                    "after": {name: str(getattr(rule, name)) for name in RULE_FIELDS},
                },
            )
    except IntegrityError:
        # Someone saved rules for the same cycle a moment ago.
        form.add_error(None, "Rules for that cycle were just saved by someone else: edit them.")
        return False
    messages.success(request, f"Rules for {rule.cycle - 1}–{rule.cycle} saved.")
    return True


@capability_required(FINANCE_VIEW)
@require_http_methods(["GET", "POST"])
def compliance_rules(request):
    """The rule set of each cycle (limits, thresholds, election dates), and a form for a new one."""
    form = ComplianceRuleForm(request.POST or None, instance=ComplianceRule(committee_id=""))
    if request.method == "POST" and form.is_valid() and _rule_saved(request, form, created=True):
        return redirect("donations:compliance_rules")
    status = 400 if request.method == "POST" else 200
    context = {"rows": _rule_rows(), "form": form}
    return render(request, "donations/compliance/rules.html", context, status=status)


@capability_required(FINANCE_VIEW)
@require_http_methods(["GET", "POST"])
def compliance_rule_edit(request, cycle: int):
    """Edit one cycle's rules (the federal defaults, saved on first edit)."""
    if cycle % 2 or not 2000 <= cycle <= 2100:
        raise Http404("No such cycle.")
    rule = ComplianceRule.objects.filter(committee_id="", cycle=cycle).first()
    created = rule is None
    rule = rule or ComplianceRule(committee_id="", cycle=cycle)
    form = ComplianceRuleForm(request.POST or None, instance=rule)
    if created:
        form.fields["cycle"].initial = cycle
        form.fields["cycle"].disabled = True
    if request.method == "POST" and form.is_valid() and _rule_saved(request, form, created=created):
        return redirect("donations:compliance_rules")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "rule": rule, "created": created}
    return render(request, "donations/compliance/rule_edit.html", context, status=status)


# ---------------------------------------------------------------- the donor's answer (public)


@never_cache
@require_http_methods(["GET", "POST"])
def donor_info_answer(request, token: str):
    """Where a donor gives the employer and occupation a best-efforts e-mail asked for."""
    request_row = (
        BestEffortsRequest.objects.select_related("contribution").filter(token=token).first()
        if 20 <= len(token) <= 64
        else None
    )
    if request_row is None:
        return page_render(request, "donations/compliance/answer_missing.html", status=404)
    contribution = request_row.contribution
    if request_row.answered_at:
        context = {"done": True, "c": contribution}
        return page_render(request, "donations/compliance/answer.html", context)
    form = BestEffortsAnswerForm(request.POST or None)
    if request.method == "POST" and not honeypot_filled(request.POST) and form.is_valid():
        try:
            efforts.best_efforts_answer(
                contribution=contribution,
                employer=form.cleaned_data["employer"],
                occupation=form.cleaned_data["occupation"],
                how="answered online",
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("donor_info:answer", token=token)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "c": contribution, "done": False}
    return page_render(request, "donations/compliance/answer.html", context, status=status)
