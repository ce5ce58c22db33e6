from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhurnal.accounts"
    verbose_name = "Пользователи"

    def ready(self) -> None:
        from zhurnal.core.navigation import MenuEntry, register_menu

        from . import permissions, signals  # noqa: F401 - signals connects the login history receivers

        register_menu(MenuEntry(250, "Безопасность", "accounts:security", permissions.can_manage_own_security))
