"""Idempotency keys move to core (``zhurnal.core.models.WriteKey``): the table is renamed, every row kept, and the
journal stops owning the model (core's 0001 takes it over in the migration state)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("journal", "0003_mark_student_updated"),
    ]

    operations = [
        migrations.AlterModelTable(name="writekey", table="core_writekey"),
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="WriteKey")]),
    ]
