from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "opencsc.insight"
    label = "insight"
    verbose_name = "Insight: indicators and outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opencsc.insight import events, jobs

        events.register_all()
        jobs.register_job()
