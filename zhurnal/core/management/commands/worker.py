import logging

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Work off the task queue (e-mails, notifications, periodic jobs). On one computer `zhurnal serve` "
            "starts it by itself; in a region run it on as many machines as needed.")

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=settings.ZHURNAL_QUEUE_WORKERS,
                            help="threads working off the queue (default: ZHURNAL_QUEUE_WORKERS)")
        parser.add_argument("--no-periodic", action="store_true",
                            help="do not queue periodic jobs from this worker (another one does)")
        parser.add_argument("--parent-pid", type=int, default=None,
                            help="stop when the process with this id (the server that started it) is gone")

    def handle(self, *args, workers, no_periodic, parent_pid, **options):
        from zhurnal.core import tasks

        if tasks.queue.immediate:
            self.stderr.write("ZHURNAL_QUEUE_URL=immediate: jobs run where they are queued, no worker is needed.")
            return
        logging.getLogger("huey").setLevel(logging.WARNING)
        if parent_pid is not None:
            tasks.watch_parent(parent_pid)
        where = tasks.queue.storage.__class__.__name__.replace("Storage", "")
        self.stdout.write(f"Очередь заданий ({where}): обработчик запущен, потоков: {workers}.")
        self.stdout.flush()
        tasks.make_consumer(workers=workers, periodic=not no_periodic).run()
