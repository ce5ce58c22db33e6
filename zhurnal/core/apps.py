from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "zhurnal.core"
    verbose_name = "Основа"

    def ready(self) -> None:
        connection_created.connect(plan_for_memory, dispatch_uid="zhurnal.core.plan_for_memory")
        from zhurnal.core import tasks  # noqa: F401 - the queue and the core's own periodic jobs


def plan_for_memory(sender, connection, **kwargs) -> None:
    """Each new PostgreSQL connection plans with ``settings.DB_RANDOM_PAGE_COST`` (see config/settings.py) — one
    statement per connection, which lives for many requests (``DB_CONN_MAX_AGE``)."""
    cost = getattr(settings, "DB_RANDOM_PAGE_COST", None)
    if connection.vendor != "postgresql" or cost is None:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('random_page_cost', %s, false)", [str(cost)])
