from groundswell.accounts import roles


def capabilities(request):
    user = getattr(request, "user", None)
    granted = set()
    if user is not None and user.is_authenticated:
        granted = {cap for cap in roles.CAPABILITIES.get(user.role, ()) if user.is_active}
    return {"can": {cap.replace(".", "_"): True for cap in granted}}
