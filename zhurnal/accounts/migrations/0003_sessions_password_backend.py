"""Sessions signed in through Django's ``ModelBackend`` name it; the password backend is now
``zhurnal.accounts.backends.PasswordBackend`` (the same backend, its per-request user read in plain SQL). Django
treats a session whose backend is no longer configured as signed out, so the stored name is rewritten: nobody is
logged out by the upgrade, not even half-way through a two-factor login (the pending login names it too)."""

from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "zhurnal.accounts.backends.PasswordBackend"
BACKEND_KEY = "_auth_user_backend"  # django.contrib.auth.BACKEND_SESSION_KEY
PENDING_KEY = "zhurnal_2fa_pending"  # zhurnal.accounts.views.auth.PENDING_KEY


def rename(old: str, new: str):
    def run(apps, schema_editor):
        from django.contrib.sessions.backends.db import SessionStore

        session_model = apps.get_model("sessions", "Session")
        store = SessionStore()
        for session in session_model.objects.using(schema_editor.connection.alias).iterator():
            data = store.decode(session.session_data)  # an unreadable session decodes to {} and is left alone
            pending = data.get(PENDING_KEY)
            changed = False
            if data.get(BACKEND_KEY) == old:
                data[BACKEND_KEY] = new
                changed = True
            if isinstance(pending, dict) and pending.get("backend") == old:
                pending["backend"] = new
                changed = True
            if changed:
                session.session_data = store.encode(data)
                session.save(update_fields=["session_data"])
    return run


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_activation_codes_login_history_security"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(rename(OLD, NEW), rename(NEW, OLD))]
