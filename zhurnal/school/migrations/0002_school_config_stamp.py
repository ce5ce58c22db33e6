import uuid

from django.db import migrations, models

import zhurnal.core.stamps


def stamp_schools(apps, schema_editor):
    School = apps.get_model("school", "School")
    for school in School.objects.all():
        school.config_stamp = uuid.uuid4().hex
        school.save(update_fields=["config_stamp"])


class Migration(migrations.Migration):
    dependencies = [("school", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="school",
            name="config_stamp",
            field=models.CharField(default=zhurnal.core.stamps.new_stamp, editable=False, max_length=32),
        ),
        migrations.RunPython(stamp_schools, migrations.RunPython.noop),
    ]
