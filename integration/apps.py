from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "integration"
    verbose_name = "Procore ⇄ Xero"
    default_auto_field = "django.db.models.BigAutoField"
