from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhurnal.accounts"
    verbose_name = "Пользователи"

    def ready(self) -> None:
        # The «Безопасность» page (password, second factor, sessions) is reached from the person's name in the
        # page header, not from the menu.
        from . import signals  # noqa: F401 - signals connects the login history receivers
