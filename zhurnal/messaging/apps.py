from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "zhurnal.messaging"
    verbose_name = "Почта, объявления, поддержка"

    def ready(self) -> None:
        from zhurnal.core.header import HeaderItem, register_header_item
        from zhurnal.core.navigation import ADMINISTRATION, MenuEntry, register_menu

        from . import header, permissions, tasks  # noqa: F401 - tasks: the queue learns the jobs

        register_menu(
            MenuEntry(196, "Обращения", "messaging:help_requests", permissions.handles_help_requests,
                      group=ADMINISTRATION),
            MenuEntry(197, "Настройки почты", "messaging:settings", permissions.manages_messaging,
                      group=ADMINISTRATION),
        )
        register_header_item(HeaderItem(10, header.mail_link))
        register_header_item(HeaderItem(15, header.announcements_link))
        register_header_item(HeaderItem(90, header.help_link))
