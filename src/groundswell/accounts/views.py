"""Staff pages for admins: the audit log and staff accounts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from groundswell.accounts import services
from groundswell.accounts.forms import AuditFilterForm, UserCreateForm, UserRoleForm
from groundswell.accounts.models import AuditEvent, User
from groundswell.accounts.permissions import capability_required, client_ip
from groundswell.accounts.roles import AUDIT_VIEW, USERS_MANAGE, Role
from groundswell.core.pagination import paginate


@capability_required(AUDIT_VIEW)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor").order_by("-occurred_at", "-id")
    if form.is_bound and form.is_valid() and form.cleaned_data["action"]:
        events = events.filter(action=form.cleaned_data["action"])
    page = paginate(events, request.GET.get("page"), per_page=50)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "accounts/audit_list.html",
        {"form": form, "page": page, "querystring": params.urlencode()},
    )


@capability_required(USERS_MANAGE)
def user_list(request):
    users = User.objects.order_by("-is_active", "role", "username")
    page = paginate(users, request.GET.get("page"), per_page=100)
    rows = [
        (user, UserRoleForm(initial={"role": user.role}, prefix=f"u{user.pk}"))
        for user in page.items
    ]
    return render(request, "accounts/user_list.html", {"page": page, "rows": rows})


@capability_required(USERS_MANAGE)
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_create(
            actor=request.user,
            username=data["username"],
            email=data["email"],
            role=data["role"],
            password=data["password"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        messages.success(request, f"Created {user.username} as {user.get_role_display()}.")
        return redirect("accounts:users")
    return render(
        request,
        "accounts/user_create.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@capability_required(USERS_MANAGE)
@require_POST
def user_role(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    form = UserRoleForm(request.POST, prefix=f"u{user.pk}")
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return redirect("accounts:users")
    role = form.cleaned_data["role"]
    try:
        services.user_set_role(
            actor=request.user, user=user, role=role, ip_address=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:users")
    messages.success(request, f"{user.username} is now {Role(role).label}.")
    return redirect("accounts:users")


@capability_required(USERS_MANAGE)
@require_POST
def user_active(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(
            actor=request.user, user=user, active=active, ip_address=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:users")
    messages.success(
        request, f"{user.username} {'can log in again' if active else 'can no longer log in'}."
    )
    return redirect("accounts:users")
