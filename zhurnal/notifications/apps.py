from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "zhurnal.notifications"
    verbose_name = "Уведомления"

    def ready(self) -> None:
        from zhurnal.core import events
        from zhurnal.core.header import HeaderItem, register_header_item
        from zhurnal.core.navigation import ADMINISTRATION, MenuEntry, register_menu

        from . import jobs, permissions, views

        for kind in jobs.EVENTS:
            events.subscribe(kind, jobs.on_event)
        register_header_item(HeaderItem(order=20, render=views.bell))
        register_menu(
            MenuEntry(245, "Уведомления школы", "notifications:school_settings",
                      permissions.can_read_school_settings, group=ADMINISTRATION),
        )
