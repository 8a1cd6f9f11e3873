from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "opencsc.insight"
    label = "insight"
    verbose_name = "Insight: indicators and outcomes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from opencsc.insight import events
        from opencsc.ops.jobs import command, daily, register

        events.register_all()
        register(
            daily(
                "compute_indicators",
                "Compute the performance indicators for the last 24 months",
                command("compute_indicators", "--no-progress"),
                at="01:30",
            )
        )
