"""Staff account services: every permission change is audited and an admin always remains."""

import pytest
from django.core.exceptions import ValidationError

from groundswell.accounts.models import AuditEvent
from groundswell.accounts.services import user_set_active, user_set_role

pytestmark = pytest.mark.django_db


def test_the_last_admin_cannot_be_demoted(admin_user):
    with pytest.raises(ValidationError, match="last active admin"):
        user_set_role(actor=admin_user, user=admin_user, role="organizer")
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"
    assert not AuditEvent.objects.filter(action="role_change").exists()


def test_the_last_admin_cannot_be_deactivated(admin_user):
    with pytest.raises(ValidationError, match="last active admin"):
        user_set_active(actor=admin_user, user=admin_user, active=False)


def test_an_admin_can_step_down_when_another_remains(admin_user, make_user):
    other = make_user("admin", username="second-admin")
    user_set_role(actor=other, user=admin_user, role="finance")
    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_staff) == ("finance", False)
    event = AuditEvent.objects.get(action="role_change")
    assert event.details == {"from": "admin", "to": "finance"}
    assert event.actor == other


def test_reactivation_is_recorded_as_such(admin_user, volunteer_user):
    user_set_active(actor=admin_user, user=volunteer_user, active=False)
    user_set_active(actor=admin_user, user=volunteer_user, active=True)
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "user_deactivate",
        "user_reactivate",
    ]
