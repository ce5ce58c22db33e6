"""Calendar links: keep only each token's SHA-256. Links already handed out keep working (the feed looks the token
of its address up by its digest); the page can no longer show them and offers a new one."""

import hashlib
import re

from django.db import migrations, models

DIGEST = re.compile(r"[0-9a-f]{64}")


def digest_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("diary", "CalendarFeed")
    for feed in CalendarFeed.objects.all().only("pk", "token"):
        if not DIGEST.fullmatch(feed.token):
            CalendarFeed.objects.filter(pk=feed.pk).update(token=hashlib.sha256(feed.token.encode()).hexdigest())


class Migration(migrations.Migration):

    dependencies = [
        ("diary", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(digest_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="calendarfeed", name="token",
            field=models.CharField(max_length=64, unique=True, verbose_name="отпечаток ключа"),
        ),
    ]
