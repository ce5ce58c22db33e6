from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "zhurnal.core"
    verbose_name = "Основа"

    def ready(self) -> None:
        connection_created.connect(plan_for_memory, dispatch_uid="zhurnal.core.plan_for_memory")
        from django.urls import register_converter

        from zhurnal.core.params import IdConverter

        register_converter(IdConverter, "id")  # <id:pk>: ids in paths, bounded (core.params)
        from zhurnal.core import tasks  # noqa: F401 - the queue and the core's own periodic jobs


def plan_for_memory(sender, connection, **kwargs) -> None:
    """Each new PostgreSQL connection plans with ``settings.DB_RANDOM_PAGE_COST`` (see config/settings.py) — one
    statement per connection, which lives for many requests (``DB_CONN_MAX_AGE``)."""
    cost = getattr(settings, "DB_RANDOM_PAGE_COST", None)
    if connection.vendor != "postgresql" or cost is None:
        return
    from zhurnal.core.sql import set_random_page_cost

    set_random_page_cost(connection, cost)
