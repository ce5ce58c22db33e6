"""The idempotency keys' model, taken over from the journal: its table (renamed to core_writekey by the journal's
0004) and rows stay as they are; this migration only records the model in core's state."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("core", "0001_initial"),
        ("journal", "0004_writekey_to_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(settings.ZHURNAL_SCHOOL_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WriteKey",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("key", models.UUIDField(unique=True)),
                        ("verb", models.CharField(max_length=40)),
                        ("result", models.JSONField(default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("actor", models.ForeignKey(blank=True, null=True,
                                                    on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                                    to=settings.AUTH_USER_MODEL)),
                        ("school", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                     to=settings.ZHURNAL_SCHOOL_MODEL)),
                    ],
                    options={
                        "verbose_name": "ключ повтора запроса",
                        "verbose_name_plural": "ключи повтора запросов",
                        "indexes": [models.Index(fields=["school", "created_at"],
                                                 name="journal_wri_school__5ac3bf_idx")],
                    },
                ),
            ],
        ),
    ]
