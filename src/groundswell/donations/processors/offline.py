"""The offline processor: checks, cash and other gifts staff record by hand.

Federal rules refuse some of them outright (11 CFR 110.4(c)): cash from one person adding up to
more than $100 toward an election, and anonymous gifts over $50. Everything else goes through
``contribution_record`` like any other gift, so the per-election limit check applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.accounts.services import audit_record
from groundswell.donations.compliance.rules import rule_for
from groundswell.donations.intake.fields import DONOR_FIELDS
from groundswell.donations.models import (
    ComplianceRule,
    Contribution,
    PaymentMethod,
    Processor,
    cents_display,
)
from groundswell.donations.services import ContributionInput, contribution_record

METHODS = (PaymentMethod.CHECK, PaymentMethod.CASH, PaymentMethod.OTHER)
_FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_ELECTION = re.compile(r"^[PGRS]\d{4}$")
_CHECK_NUMBER = re.compile(r"^[A-Za-z0-9 -]{1,30}$")


def _received_at(day: date) -> datetime:
    """Noon on the day received, in the campaign's time zone (a check has no time of day)."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def _validate(
    *,
    amount_cents,
    received_on,
    method: str,
    check_number: str,
    donor: dict[str, str],
    is_anonymous: bool,
    election: str,
    form_key: str,
    rule,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        errors["amount"] = "Enter the amount of the gift."
    if not isinstance(received_on, date):
        errors["received_on"] = "Enter the date the gift was received."
    elif received_on > timezone.localdate():
        errors["received_on"] = "The date received cannot be in the future."
    elif received_on < timezone.localdate() - timedelta(days=3 * 366):
        errors["received_on"] = "That date is more than three years ago; check it."
    if method not in METHODS:
        errors["method"] = "Choose check, cash or other."
    if method == PaymentMethod.CHECK and not check_number:
        errors["check_number"] = "Enter the check number."
    elif check_number and not _CHECK_NUMBER.match(check_number):
        errors["check_number"] = "A check number is up to 30 letters, digits or dashes."
    if election and not _ELECTION.match(election):
        errors["election"] = "An election is P, G, R or S and a year, such as P2026."
    if not _FORM_KEY.match(form_key or ""):
        errors["__all__"] = "The form expired; reload the page and enter the gift again."
    if errors.get("amount"):
        return errors
    if is_anonymous and amount_cents > rule.anonymous_limit_cents:
        errors["amount"] = (
            f"An anonymous gift over {cents_display(rule.anonymous_limit_cents)} cannot be "
            "accepted: return it, or record who gave it."
        )
    if method == PaymentMethod.CASH and amount_cents > rule.cash_limit_cents:
        errors["amount"] = (
            f"Cash over {cents_display(rule.cash_limit_cents)} from one person cannot be "
            "accepted: return it and ask for a check."
        )
    if not is_anonymous and not (donor.get("given_name") and donor.get("family_name")):
        errors["given_name"] = "Enter the donor's first and last name (or mark it anonymous)."
    return errors


def _rule_checked(*, received_on, **entered) -> ComplianceRule | None:
    """The rule set for the day received, after checking the gift against it (or raising)."""
    rule = (
        rule_for(received_at=_received_at(received_on)) if isinstance(received_on, date) else None
    )
    errors = _validate(received_on=received_on, rule=rule, **entered)
    if errors:
        raise ValidationError(errors)
    return rule


def _cash_limit_check(contribution: Contribution, rule) -> None:
    """Refuse a cash gift that takes its donor's cash toward the election over the cash limit."""
    # Cash adds up per donor and election; the donor's total row is locked by now
    # (contribution_record counted the gift), so two cash gifts cannot both pass.
    cash = Contribution.objects.filter(
        donor_key=contribution.donor_key,
        election=contribution.election,
        payment_method=PaymentMethod.CASH,
        is_memo=False,
    ).aggregate(total=Sum(F("amount_cents") - F("refunded_cents")))["total"]
    if (cash or 0) > rule.cash_limit_cents:
        raise ValidationError(
            {
                "amount": f"With this gift the donor's cash toward "
                f"{contribution.election} would be {cents_display(cash)}, over the "
                f"{cents_display(rule.cash_limit_cents)} cash limit: return it and ask "
                "for a check."
            }
        )


@dataclass(frozen=True)
class _OfflineGift:
    """The gift as staff entered it, cleaned: what the audit entry says of it."""

    amount_cents: int
    received_on: date
    method: str
    label: str
    donor: dict[str, str]
    check_number: str
    is_anonymous: bool


def _offline_audit(*, user, gift: _OfflineGift, contribution: Contribution) -> None:
    """The audit entry of a gift staff recorded by hand."""
    who = (
        " (anonymous)"
        if gift.is_anonymous
        else f" from {gift.donor['given_name']} {gift.donor['family_name']}"
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.CONTRIBUTION_CREATE,
        summary=f"Recorded a {gift.label} gift of {cents_display(gift.amount_cents)}"
        + who
        + (f", check #{gift.check_number}" if gift.check_number else "")
        + (" — held over the limit" if contribution.held_at else ""),
        target=contribution,
        details={
            "amount_cents": gift.amount_cents,
            "method": gift.method,
            "received_on": gift.received_on.isoformat(),
            "election": contribution.election,
            "held": bool(contribution.held_at),
        },
    )


def offline_contribution_record(
    *,
    amount_cents: int,
    received_on: date,
    method: str,
    donor: dict[str, str],
    form_key: str,
    user,
    check_number: str = "",
    is_anonymous: bool = False,
    election: str = "",
    note: str = "",
) -> tuple[Contribution, bool]:
    """Record a check, cash or other gift entered by staff; once per form key, audited.

    Raises ValidationError (keyed by form field) for a gift the rules refuse: cash from one
    donor adding up to more than the cash limit toward the election, anonymous over the
    anonymous limit. Returns the contribution and whether this call recorded it.
    """
    if user is None or not user.can(FINANCE_VIEW):
        raise ValidationError("Your role does not allow recording gifts.")
    donor = {k: " ".join(str(donor.get(k) or "").split()) for k in DONOR_FIELDS}
    check_number = " ".join(str(check_number or "").split())
    election = str(election or "").strip().upper()
    rule = _rule_checked(
        amount_cents=amount_cents,
        received_on=received_on,
        method=method,
        check_number=check_number,
        donor=donor,
        is_anonymous=is_anonymous,
        election=election,
        form_key=form_key,
    )
    processor_id = f"offline:{form_key}"
    existing = Contribution.objects.filter(
        processor=Processor.OFFLINE, processor_id=processor_id
    ).first()
    if existing is not None:
        return existing, False
    if is_anonymous:
        # Nothing identifies an anonymous donor; what staff typed is not kept as a donor.
        donor = {}
    label = PaymentMethod(method).label.lower()
    lines = [f"Check #{check_number}" if check_number else "", note.strip()]
    with transaction.atomic():
        contribution, created = contribution_record(
            data=ContributionInput(
                processor=Processor.OFFLINE,
                processor_id=processor_id,
                amount_cents=amount_cents,
                received_at=_received_at(received_on),
                donor={k: v for k, v in donor.items() if v},
                election=election,
                payment_method=method,
                is_anonymous=is_anonymous,
                order_number=check_number[:100],
                note="\n".join(line for line in lines if line),
            ),
            source=f"{label} gift recorded by staff",
        )
        if not created:
            return contribution, False
        if method == PaymentMethod.CASH and contribution.donor_key:
            _cash_limit_check(contribution, rule)
        gift = _OfflineGift(
            amount_cents=amount_cents,
            received_on=received_on,
            method=method,
            label=label,
            donor=donor,
            check_number=check_number,
            is_anonymous=is_anonymous,
        )
        _offline_audit(user=user, gift=gift, contribution=contribution)
    return contribution, True
