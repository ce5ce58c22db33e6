from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "zhurnal.diary"
    verbose_name = "Дневник"

    def ready(self) -> None:
        from zhurnal.core.navigation import MenuEntry, StartPage, register_menu, register_start
        from zhurnal.school.permissions import leads_a_class

        from . import permissions

        register_menu(
            MenuEntry(50, "Дневники класса", "diary:class_overview", leads_a_class, led_class=True),
            MenuEntry(160, "Дневники", "diary:school_activity", permissions.oversees_diaries),
            MenuEntry(210, "Дневник", "diary:home", permissions.has_diary),
        )
        register_start(StartPage(50, "diary:home", permissions.has_diary))
