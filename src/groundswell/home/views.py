"""The staff home: what matters today, for the viewer's role."""

from __future__ import annotations

from django.shortcuts import render

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import PEOPLE_VIEW
from groundswell.home.figures import FAILED_SINCE_DAYS, home_figures


@capability_required(PEOPLE_VIEW)  # every role has it: the home is every staff member's
def home(request):
    figures = home_figures(user=request.user)
    return render(
        request, "home/index.html", {"home": figures, "failed_since_days": FAILED_SINCE_DAYS}
    )
