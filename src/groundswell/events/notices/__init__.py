"""What attendees receive: the confirmation (with an .ics and add-to-calendar links), the
waitlist and "you're in" messages, and the reminders before each shift (by e-mail, and by text
to a consenting mobile when an SMS provider is configured: ``sms.py``).

``confirmation_enqueue`` is what registration calls; ``reminders_due`` is the periodic job's
work (its task is ``tasks.reminders_due``).
"""

from groundswell.events.notices.messages import confirmation_enqueue
from groundswell.events.notices.reminders import reminders_due

__all__ = ["confirmation_enqueue", "reminders_due"]
