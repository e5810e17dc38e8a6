"""Staff writes of the page builder that touch more than one row: ordering lists, the first
copy variant of a page (which brings the page's own copy along as "Original"), and keeping the
winner of a decided copy test."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.services import audit_record
from groundswell.actions.models import ActionPage, CustomQuestion, IssuePosition, PageVariant
from groundswell.actions.selectors import variant_test


def _move(model, rows_qs, obj, direction: str) -> bool:
    """Swap ``obj`` with its neighbour in ``rows_qs``; False when it is already at that end."""
    with transaction.atomic():
        # Locked and renumbered together: two staff members reordering at once must not leave
        # two rows with the same position.
        rows = list(rows_qs.select_for_update().order_by("order", "id"))
        index = next((i for i, row in enumerate(rows) if row.pk == obj.pk), None)
        if index is None:
            return False
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(rows):
            return False
        rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            row.order = position
        model.objects.bulk_update(rows, ["order"])
    return True


def question_move(*, question: CustomQuestion, direction: str) -> bool:
    """Move a custom question one place up or down on its page."""
    return _move(
        CustomQuestion, CustomQuestion.objects.filter(page_id=question.page_id), question, direction
    )


def issue_position_move(*, position: IssuePosition, direction: str) -> bool:
    """Move an issue position one place up or down on the platform page."""
    return _move(IssuePosition, IssuePosition.objects.all(), position, direction)


def next_order(queryset) -> int:
    """The order value that puts a new row last."""
    last = queryset.aggregate(m=Max("order"))["m"]
    return 0 if last is None else last + 1


def variant_create(
    *, page: ActionPage, name: str, headline: str, intro: str, button_text: str, active: bool
) -> PageVariant:
    """Add a copy variant; the first one also adds "Original" so the page's copy is tested too."""
    with transaction.atomic():
        # Locking the page makes two first variants added at once create one "Original".
        ActionPage.objects.select_for_update().filter(pk=page.pk).first()
        if not page.variants.exists():
            PageVariant.objects.create(
                page=page,
                name="Original",
                headline=page.headline,
                intro=page.intro,
                button_text=page.button_text,
            )
        return PageVariant.objects.create(
            page=page,
            name=name,
            headline=headline,
            intro=intro,
            button_text=button_text,
            active=active,
        )


def variant_keep(
    *, page: ActionPage, variant: PageVariant, actor, ip_address: str | None = None
) -> int:
    """Keep the decided winner of the page's copy test: every other variant stops being shown.

    Refused (ValidationError) unless the test's decision names this variant now; keeping it a
    second time changes nothing and is not audited again. Returns how many were deactivated.
    """
    with transaction.atomic():
        # Locked so two staff members keeping different variants at once cannot both succeed.
        ActionPage.objects.select_for_update().filter(pk=page.pk).first()
        test = variant_test(page=page)
        if test.kept is not None and test.kept.variant.pk == variant.pk:
            return 0
        winner = test.winner
        if winner is None or winner.variant.pk != variant.pk:
            raise ValidationError(
                f"“{variant.name}” is not the decided winner of this page's test, so the others "
                "stay on."
            )
        others = PageVariant.objects.filter(page=page, active=True).exclude(pk=variant.pk)
        deactivated = others.update(active=False)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.VARIANT_KEEP,
            summary=f"kept “{variant.name}” on page “{page.slug}” and stopped {deactivated} "
            f"other variant{'s' if deactivated != 1 else ''}: {test.decision.sentence}",
            target=variant,
            details={
                "page": page.pk,
                "sentence": test.decision.sentence,
                "estimates": [
                    {
                        "name": e.name,
                        "exposures": e.recipients,
                        "rate": round(e.mean, 6),
                        "low": round(e.low, 6),
                        "high": round(e.high, 6),
                        "prob_best": round(e.prob_best, 4),
                    }
                    for e in test.decision.estimates
                ],
            },
            ip_address=ip_address,
        )
        return deactivated
