"""What mailings removes when a person is erased: the address each mailing went to, and the
tracking of what they opened and clicked."""

from __future__ import annotations

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from groundswell.mailings.models import Delivery, Engagement


def person_erase(*, person, actor) -> list[str]:
    """Replace the delivered-to addresses and delete the opens and clicks of a person."""
    done = []
    opened, _ = Engagement.objects.filter(person=person).delete()
    if opened:
        done.append(f"{opened} tracked open(s) and click(s) deleted")
    # The send ledger keeps one row per delivery (the mailing's counts stay true); the address
    # becomes a placeholder unique per row, as the ledger's (mailing, address) rule needs.
    sent = (
        Delivery.objects.filter(person=person)
        .exclude(address__startswith="erased:")
        .update(address=Concat(Value("erased:"), Cast("id", output_field=CharField())))
    )
    if sent:
        done.append(f"address removed from {sent} delivery record(s)")
    return done
