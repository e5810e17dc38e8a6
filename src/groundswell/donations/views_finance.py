"""Finance pages: the overview, contributions, donors and exports."""

from __future__ import annotations

from django.shortcuts import render

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import FINANCE_VIEW


@capability_required(FINANCE_VIEW)
def finance_home(request):
    """The finance overview."""
    return render(request, "donations/finance/home.html", {})
