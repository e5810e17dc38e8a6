from django.http import HttpResponse

from groundswell.accounts.permissions import capability_required
from groundswell.accounts.roles import PEOPLE_VIEW


@capability_required(PEOPLE_VIEW)
def person_list(request):
    return HttpResponse("people")
