"""The donations app's choices: kept apart from the models so a module can name a processor or
a status without loading the models (re-exported by ``donations.models``)."""

from __future__ import annotations

from django.db import models


class Processor(models.TextChoices):
    ACTBLUE = "actblue", "ActBlue"
    STRIPE = "stripe", "Stripe"
    OFFLINE = "offline", "Offline (check, cash)"
    FEC = "fec", "FEC filing"


class ContributionStatus(models.TextChoices):
    PAID = "paid", "Paid"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    CHARGED_BACK = "charged_back", "Charged back"
    VOIDED = "voided", "Voided"


class RecurringPeriod(models.TextChoices):
    ONCE = "", "One-time"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    CHECK = "check", "Check"
    CASH = "cash", "Cash"
    OTHER = "other", "Other"


class HoldResolution(models.TextChoices):
    REFUNDED = "refunded", "Refunded"
    REDESIGNATED = "redesignated", "Redesignated"
    REATTRIBUTED = "reattributed", "Reattributed"
    RELEASED = "released", "Released (within the limit)"


class MemoHalf(models.TextChoices):
    """Where one half of a reattribution/redesignation memo pair stands."""

    TAKEN = "taken", "Negative half, applied (taken from the gift)"
    GIVEN = "given", "Positive half, applied (a counted gift)"
    WAITING_TAKE = "waiting_take", "Negative half, waiting for its positive half"
    WAITING_GIVE = "waiting_give", "Positive half, waiting for its negative half"


class ElectionKind(models.TextChoices):
    PRIMARY = "P", "Primary"
    GENERAL = "G", "General"
    RUNOFF = "R", "Runoff"
    SPECIAL = "S", "Special"
