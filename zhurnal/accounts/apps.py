from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zhurnal.accounts"
    verbose_name = "Пользователи"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the login history receivers
