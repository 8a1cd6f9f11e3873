from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "opencsc.ops"
    label = "ops"
    verbose_name = "Operations: scheduled jobs and health"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opencsc.ops import jobs

        jobs.register_builtin()
