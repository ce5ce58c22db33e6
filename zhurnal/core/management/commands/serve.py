from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Zhurnal with waitress (a production WSGI server that needs nothing else on the computer)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")

    def handle(self, *args, host, port, threads, no_migrate, **options):
        from pathlib import Path

        from django.conf import settings
        from waitress import serve

        from zhurnal.core.runtime import settle

        # Static files collected with their compressed forms (.gz, .br: WhiteNoise's compressed storage), and served
        # from there rather than from the apps, whose files have no compressed forms beside them.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        call_command("collectstatic", interactive=False, verbosity=0)
        settings.WHITENOISE_USE_FINDERS = False
        from config.wsgi import application

        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
            settle()  # again: the migrations' objects are garbage now
        self.stdout.write(f"Журнал работает: http://{host}:{port}/  (остановить — Ctrl+C)")
        serve(application, host=host, port=port, threads=threads, ident="zhurnal")
