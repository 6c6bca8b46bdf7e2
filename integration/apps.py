from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = "Procore ⇄ Xero"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # A link's schedule rows follow its settings (issue 6: payments, job costs, pull).
        from integration import checks  # noqa: F401  (registers the system checks)
        from integration.services.imports.schedules import connect_signals

        connect_signals()
