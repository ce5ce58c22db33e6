from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from zhurnal.accounts.middleware import SESSION_SCHOOL_KEY, client_address
from zhurnal.audit.services import current_address

from .roles import SchoolRoles, cached_roles_in, schools_of


class ActiveSchoolMiddleware:
    """Sets ``request.schools``, ``request.school`` (the one the user works in now) and ``request.roles``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.schools = SimpleLazyObject(lambda: schools_of(request.user))
        request.school = SimpleLazyObject(lambda: _active_school(request))
        request.roles = SimpleLazyObject(lambda: _roles(request))
        token = current_address.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            current_address.reset(token)


def _active_school(request):
    schools = list(request.schools)
    if not schools:
        return None
    wanted = request.session.get(SESSION_SCHOOL_KEY)
    for school in schools:
        if school.pk == wanted:
            return school
    return schools[0]


def _roles(request) -> SchoolRoles:
    school = request.school
    return cached_roles_in(request.user, school if school else None)
