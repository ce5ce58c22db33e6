from zhurnal.core.navigation import nav_for


def roles(request):
    if not hasattr(request, "roles"):
        return {}
    return {
        "roles": request.roles,
        "active_school": request.roles.school,
        "my_schools": request.schools,
        "nav": nav_for(request.roles) if request.user.is_authenticated else [],
    }
