"""Recovery codes: keep only a keyed hash of each (``codes.hash_recovery_code``). Codes people already hold keep
working: the second login step hashes what is typed."""

from django.db import migrations

from zhurnal.accounts.codes import hash_recovery_code

HASH_LENGTH = 16  # django-otp's static token column; a code as issued is 8 characters


def hash_recovery_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all().only("pk", "token"):
        if len(token.token) != HASH_LENGTH:
            StaticToken.objects.filter(pk=token.pk).update(token=hash_recovery_code(token.token))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_sessions_password_backend"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(hash_recovery_codes, migrations.RunPython.noop),
    ]
