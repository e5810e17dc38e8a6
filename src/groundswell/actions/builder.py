"""Staff writes of the page builder that touch more than one row: ordering lists, and the
first copy variant of a page (which brings the page's own copy along as "Original")."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from groundswell.actions.models import ActionPage, CustomQuestion, IssuePosition, PageVariant


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
