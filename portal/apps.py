from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import audit, checks, notifications  # noqa: F401  (signal receivers, system checks)

        autodiscover_modules("exporters")  # each app's exporters join the registry
        autodiscover_modules("reminders")  # each app's deadline sources (portal/reminders.py)
