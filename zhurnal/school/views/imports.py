"""Imports and exports of class lists, staff and guardians. (Being built: see issue 2.)"""

from django.urls import path

from .common import school_view


@school_view
def import_home(request):
    raise NotImplementedError


urlpatterns = [
    path("import/", import_home, name="import"),
]
