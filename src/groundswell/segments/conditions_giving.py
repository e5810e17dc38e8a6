"""Conditions over giving (finance data: every kind needs FINANCE_VIEW).

A gift here is what the person page counts (``donations.selectors_person``): a contribution
linked to the person, not a memo row, not voided or charged back. Counts and sums are one
grouped subquery over the (person, received_at) index: donations keeps per-election totals
by donor key (for contribution limits), not the per-person count, first and last gift a
segment asks about, so reading the gifts is both exact and, measured in bench/segments.py,
fast enough. The unique-donor cluster conditions read identity's memberships.
"""

from __future__ import annotations

from django.db.models import Count, F, Min, Q, Sum

from groundswell.accounts.roles import FINANCE_VIEW
from groundswell.donations.compliance.limits import NOT_COUNTED
from groundswell.donations.models import Contribution, RecurringSeries
from groundswell.donations.selectors import COUNTED_STATUSES, DateRange
from groundswell.identity.models import ClusterMembership, RecordKind
from groundswell.identity.thresholds import active_rule_set
from groundswell.segments import params as p
from groundswell.segments.conditions import ConditionKind, Param, condition_register
from groundswell.segments.conditions_person import date_range_clean, date_range_q, days_ago
from groundswell.segments.errors import DefinitionError

_REFUND_TYPE = "22Y"  # an FEC refund row (identity counts donors without them too)


def gifts():
    """The gifts the giving conditions count."""
    return Contribution.objects.filter(person__isnull=False, is_memo=False).exclude(
        status__in=NOT_COUNTED
    )


def _in(queryset) -> Q:
    return Q(pk__in=queryset.values("person_id"))


def _recent(params: dict):
    queryset = gifts()
    if params.get("days"):
        queryset = queryset.filter(received_at__gte=days_ago(params["days"]))
    return queryset


def _between(params: dict, aggregate, *, scale: int = 1) -> Q:
    """People whose aggregate over their (recent) gifts lies between min and max.

    "At most" includes people with no gift at all (a total of $0 is at most $50).
    """
    grouped = _recent(params).values("person_id").annotate(v=aggregate)
    q = Q()
    if params.get("min") == 1 and scale == 1:
        # "At least one gift" is a plain semi-join: no grouping of every gift (measured at a
        # million people: 700,000 gifts grouped cost 0.6 s, the semi-join a tenth of that).
        q &= _in(_recent(params))
    elif params.get("min"):
        q &= Q(pk__in=grouped.filter(v__gte=params["min"] * scale).values("person_id"))
    if params.get("max") is not None:
        q &= ~Q(pk__in=grouped.filter(v__gt=params["max"] * scale).values("person_id"))
    return q


def _range_clean(label: str, *, money: bool):
    def clean(params: dict) -> dict:
        low = params.get("min") not in (None, "")
        high = params.get("max") not in (None, "")
        if not low and not high:
            raise DefinitionError(f"Give an at-least or an at-most {label}, or both.")
        limit = 100_000_000 if money else 1_000_000
        out = {
            "min": p.integer(params, "min", f"the least {label}", high=limit) if low else None,
            "max": p.integer(params, "max", f"the most {label}", high=limit) if high else None,
            "days": p.within_days(params),
        }
        if low and high and out["min"] > out["max"]:
            raise DefinitionError(f"The least {label} must not be more than the most.")
        return out

    return clean


def _first_q(params: dict) -> Q:
    first = gifts().values("person_id").annotate(first=Min("received_at"))
    return Q(pk__in=first.filter(date_range_q("first", params)).values("person_id"))


def _last_clean(params: dict) -> dict:
    return {
        "when": p.choice(params, "when", "gave or did not give", {"within", "not_within"}),
        "days": p.within_days(params, required=True),
    }


def _last_q(params: dict) -> Q:
    recent = _in(gifts().filter(received_at__gte=days_ago(params["days"])))
    return recent if params["when"] == "within" else ~recent


def _highest_clean(params: dict) -> dict:
    out = _range_clean("highest gift in dollars", money=True)(params)
    out.pop("days")
    return out


def _highest_q(params: dict) -> Q:
    q = Q()
    if params.get("min"):
        q &= _in(gifts().filter(amount_cents__gte=params["min"] * 100))
    if params.get("max") is not None:
        q &= _in(gifts()) & ~_in(gifts().filter(amount_cents__gt=params["max"] * 100))
    return q


RECURRING = [
    ("active", "has an active recurring gift"),
    ("ever", "has ever given a recurring gift"),
    ("never", "has never given a recurring gift"),
]


def _recurring_clean(params: dict) -> dict:
    return {"which": p.choice(params, "which", "which recurring givers", dict(RECURRING))}


def _recurring_q(params: dict) -> Q:
    if params["which"] == "active":
        live = RecurringSeries.objects.filter(
            person__isnull=False,
            status__in=[RecurringSeries.Status.ACTIVE, RecurringSeries.Status.FAILING],
        )
        return Q(pk__in=live.values("person_id"))
    ever = _in(gifts().filter(is_recurring=True))
    return ever if params["which"] == "ever" else ~ever


def _goal_clean(params: dict) -> dict:
    return {"in_goal": p.choice(params, "in_goal", "yes or no", {"yes", "no"})}


def _goal_q(params: dict) -> Q:
    """People counted among the active donor goal's unique donors: their identity cluster
    (or, before any resolution run, they themselves) gave a counted gift in its window."""
    goal = active_rule_set()
    if goal is None:
        member = Q(pk__in=[])
    else:
        window = DateRange(goal.window_start, goal.window_end)
        counted = Contribution.objects.filter(
            is_memo=False,
            status__in=COUNTED_STATUSES,
            received_at__gte=window.start_at,
            received_at__lt=window.end_before,
        ).exclude(transaction_type=_REFUND_TYPE)
        clusters = ClusterMembership.objects.filter(
            record_kind=RecordKind.CONTRIBUTION, record_id__in=counted.values("pk")
        ).values("cluster_key")
        people = ClusterMembership.objects.filter(
            record_kind=RecordKind.PERSON, cluster_key__in=clusters
        ).values("record_id")
        member = Q(pk__in=people) | Q(
            pk__in=counted.filter(person__isnull=False).values("person_id")
        )
    return member if params["in_goal"] == "yes" else ~member


def _cluster_clean(params: dict) -> dict:
    return {"min": p.integer(params, "min", "the number of gifts", low=1, high=1_000_000)}


def _cluster_q(params: dict) -> Q:
    """The person's unique-donor cluster (all records identity resolved as one donor) holds
    at least N gifts; people no run has placed yet count their own gifts."""
    big = (
        ClusterMembership.objects.filter(record_kind=RecordKind.CONTRIBUTION)
        .values("cluster_key")
        .annotate(n=Count("id"))
        .filter(n__gte=params["min"])
        .values("cluster_key")
    )
    people = ClusterMembership.objects.filter(
        record_kind=RecordKind.PERSON, cluster_key__in=big
    ).values("record_id")
    own = gifts().values("person_id").annotate(n=Count("id")).filter(n__gte=params["min"])
    return Q(pk__in=people) | Q(pk__in=own.values("person_id"))


def _kind(kind, label, clean, q, *params_) -> ConditionKind:
    return ConditionKind(
        kind=kind,
        label=label,
        group="Giving",
        clean=clean,
        q=q,
        capability=FINANCE_VIEW,
        params=tuple(params_),
    )


DAYS = Param("days", "in the last … days (blank: ever)", "number", required=False)


def register() -> None:
    for kind in (
        _kind(
            "gift_count",
            "Number of gifts",
            _range_clean("number of gifts", money=False),
            lambda prm: _between(prm, Count("id")),
            Param("min", "At least", "number", required=False),
            Param("max", "At most", "number", required=False),
            DAYS,
        ),
        _kind(
            "gift_total",
            "Total given (dollars)",
            _range_clean("total in dollars", money=True),
            lambda prm: _between(prm, Sum(F("amount_cents") - F("refunded_cents")), scale=100),
            Param("min", "At least $", "number", required=False),
            Param("max", "At most $", "number", required=False),
            DAYS,
        ),
        _kind(
            "first_gift",
            "First gift between",
            date_range_clean,
            _first_q,
            Param("start", "From", "date", required=False),
            Param("end", "To", "date", required=False),
        ),
        _kind(
            "last_gift",
            "Gave recently",
            _last_clean,
            _last_q,
            Param(
                "when",
                "",
                "select",
                choices=lambda: [("within", "gave"), ("not_within", "did not give")],
            ),
            Param("days", "in the last … days", "number"),
        ),
        _kind(
            "highest_gift",
            "Highest previous gift (dollars)",
            _highest_clean,
            _highest_q,
            Param("min", "At least $", "number", required=False),
            Param("max", "At most $", "number", required=False),
        ),
        _kind(
            "recurring",
            "Recurring giving",
            _recurring_clean,
            _recurring_q,
            Param("which", "", "select", choices=lambda: RECURRING),
        ),
        _kind(
            "goal_donor",
            "Counted in the active donor goal",
            _goal_clean,
            _goal_q,
            Param(
                "in_goal",
                "",
                "select",
                choices=lambda: [("yes", "is counted"), ("no", "is not counted")],
            ),
        ),
        _kind(
            "cluster_gifts",
            "Unique donor (all their records) has given at least",
            _cluster_clean,
            _cluster_q,
            Param("min", "gifts", "number"),
        ),
    ):
        condition_register(kind)
