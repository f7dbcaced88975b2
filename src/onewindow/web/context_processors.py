from django.conf import settings


def navigation(request):
    from .navigation import portal_items, workbench_items

    user = getattr(request, "user", None)
    is_staff_user = bool(user and user.is_authenticated and user.kind == "STAFF")
    return {
        "portal_nav": portal_items(user) if user is not None else [],
        "workbench_nav": workbench_items(user) if is_staff_user else [],
        "is_staff_user": is_staff_user,
        "request_id": getattr(request, "request_id", ""),
        "LANGUAGES": settings.LANGUAGES,
    }
