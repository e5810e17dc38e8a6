"""A small list whose growth and churn were worked out by hand (the numbers are in the tests).

The campaign is in New York. People (created, local day):

  A  2026-01-10            B  2026-02-01 03:00 UTC = Jan 31, 22:00 EST
  C  2026-02-02            D  2026-02-03, merged into C (no new person)
  E  2026-02-04, erased (no new person)       F  2025-12-20 (before the range)

E-mail consent changes (local day):

  A  "" → subscribed Jan 10; subscribed → unsubscribed (unsubscribe link) Feb 5;
     unsubscribed → subscribed Feb 8 (back: a new subscriber again)
  B  unknown → subscribed 2026-02-01 04:00 UTC = Jan 31; subscribed → subscribed Feb 2 (a form
     sent again: no change, counts nothing)
  C  "" → subscribed Feb 2; → bouncing (bounce) Feb 6; bouncing → unsubscribed (staff) Feb 7;
     an SMS unsubscribe Feb 9 (not e-mail: counts nothing)
  F  subscribed → spam complaint (complaint) Jan 20
"""

from __future__ import annotations

from datetime import UTC, datetime

from groundswell.people.models import ConsentEvent, Person


def _at(month: int, day: int, hour: int = 15, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _consent(person, when, previous, status, method, channel=ConsentEvent.Channel.EMAIL):
    ConsentEvent.objects.create(
        person=person,
        channel=channel,
        address=f"p{person.pk}@example.org",
        previous_status=previous,
        status=status,
        method=method,
        occurred_at=when,
    )


def list_build() -> dict:
    people = {
        "A": Person.objects.create(given_name="Ada", created_at=_at(1, 10)),
        "B": Person.objects.create(given_name="Bo", created_at=_at(2, 1, 3)),
        "C": Person.objects.create(given_name="Cy", created_at=_at(2, 2)),
        "E": Person.objects.create(given_name="", created_at=_at(2, 4), erased_at=_at(2, 5)),
        "F": Person.objects.create(given_name="Fen", created_at=_at(12, 20, year=2025)),
    }
    people["D"] = Person.objects.create(
        given_name="Cy", created_at=_at(2, 3), merged_into=people["C"]
    )
    a, b, c, f = people["A"], people["B"], people["C"], people["F"]
    _consent(a, _at(1, 10), "", "subscribed", "form")
    _consent(a, _at(2, 5), "subscribed", "unsubscribed", "unsubscribe_link")
    _consent(a, _at(2, 8), "unsubscribed", "subscribed", "form")
    _consent(b, _at(2, 1, 4), "unknown", "subscribed", "import")
    _consent(b, _at(2, 2), "subscribed", "subscribed", "form")
    _consent(c, _at(2, 2), "", "subscribed", "form")
    _consent(c, _at(2, 6), "subscribed", "bouncing", "bounce")
    _consent(c, _at(2, 7), "bouncing", "unsubscribed", "staff")
    _consent(c, _at(2, 9), "subscribed", "unsubscribed", "staff", ConsentEvent.Channel.SMS)
    _consent(f, _at(1, 20), "subscribed", "spam_complaint", "complaint")
    return people
