"""Set-up screens for the journal administrator. (Being built: see issue 2.)"""

from django.shortcuts import render
from django.urls import path

from .. import permissions
from .common import require, school_view


@school_view
def setup(request):
    require(permissions.can_view_setup(request.roles))
    return render(request, "school/setup/dashboard.html", {})


@school_view
def class_edit(request, pk: int):
    raise NotImplementedError


@school_view
def student_edit(request, pk: int):
    raise NotImplementedError


@school_view
def movement_new(request):
    raise NotImplementedError


urlpatterns = [
    path("setup/", setup, name="setup"),
    path("classes/<int:pk>/edit/", class_edit, name="class_edit"),
    path("students/<int:pk>/edit/", student_edit, name="student_edit"),
    path("movement/new/", movement_new, name="movement_new"),
]
