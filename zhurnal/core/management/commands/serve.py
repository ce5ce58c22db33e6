from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Zhurnal with waitress (a production WSGI server that needs nothing else on the computer)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
        parser.add_argument("--worker", choices=["auto", "yes", "no"], default=None,
                            help="start the task queue's worker as a child process (auto: when the queue is the "
                                 "local file; default: ZHURNAL_SERVE_WORKER or auto)")

    def handle(self, *args, host, port, threads, no_migrate, worker=None, **options):
        import signal
        from pathlib import Path

        from django.conf import settings
        from waitress import serve

        from zhurnal.core import tasks
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
        child = tasks.spawn_worker_process() if self._wants_worker(worker) else None
        if child is not None:
            self.stdout.write(f"Очередь заданий: обработчик запущен (процесс {child.pid}).")
        elif not tasks.queue.immediate:
            self.stdout.write("Очередь заданий: обработчик здесь не запущен — запустите zhurnal worker.")
        self.stdout.write(f"Журнал работает: http://{host}:{port}/  (остановить — Ctrl+C)")

        def stop(signum, frame):
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, stop)  # a service manager's stop: the worker goes with us
        try:
            serve(application, host=host, port=port, threads=threads, ident="zhurnal")
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            if child is not None:
                tasks.stop_worker_process(child)

    @staticmethod
    def _wants_worker(option: str | None) -> bool:
        from django.conf import settings

        from zhurnal.core import tasks

        choice = option or {"1": "yes", "0": "no"}.get(settings.ZHURNAL_SERVE_WORKER, "auto")
        if tasks.queue.immediate or choice == "no":
            return False
        return choice == "yes" or tasks.is_local_queue()
