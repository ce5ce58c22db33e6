from django.contrib import admin

from . import models

for model in (models.School, models.AcademicYear, models.Subject, models.SchoolClass, models.Group,
              models.StaffMember, models.Student, models.Guardian, models.TeachingAssignment, models.Movement):
    admin.site.register(model)
