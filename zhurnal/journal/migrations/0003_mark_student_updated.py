"""Marks indexed by (student, updated_at) in place of student alone — the diary's «new marks» count and feed read
the index only. Built without stopping the journal: on PostgreSQL the index is created and the old one dropped
CONCURRENTLY (marks stay writable while a region's tens of millions are indexed), and on SQLite the old index is
dropped by name rather than by rebuilding the table (which Django's AlterField would do)."""

from django.db import migrations, models

NEW = models.Index(fields=["student", "updated_at"], name="mark_student_updated")
OLD = "journal_mark_student_id_4f37b3fc"  # the student foreign key's index, as 0001_initial named it


class AddIndexOnline(migrations.AddIndex):
    """``AddIndex``, built CONCURRENTLY on PostgreSQL."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(
                schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)


def drop_old_index(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'DROP INDEX{concurrently} IF EXISTS "{OLD}"')


def create_old_index(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f'CREATE INDEX{concurrently} IF NOT EXISTS "{OLD}" ON "journal_mark" ("student_id")')


class Migration(migrations.Migration):
    atomic = False  # CREATE/DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("journal", "0002_policy_blank_lists"),
        ("school", "0002_school_config_stamp"),
    ]

    operations = [
        AddIndexOnline(model_name="mark", index=NEW),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AlterField(
                model_name="mark", name="student",
                field=models.ForeignKey(db_index=False, on_delete=models.PROTECT, related_name="marks",
                                        to="school.student"))],
            database_operations=[migrations.RunPython(drop_old_index, create_old_index)],
        ),
    ]
