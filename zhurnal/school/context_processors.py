from zhurnal.core.header import header_items
from zhurnal.core.navigation import nav_for, outside_school


def roles(request):
    if not hasattr(request, "roles"):
        return {}
    return {
        "roles": request.roles,
        "active_school": request.roles.school,
        "my_schools": request.schools,
        "nav": _nav(request),
        "header_items": header_items(request),
    }


def _nav(request):
    if not request.user.is_authenticated:
        return []
    if request.roles.is_member:
        return nav_for(request.roles)
    outside = outside_school(request.user)
    return outside[0] if outside is not None else []
