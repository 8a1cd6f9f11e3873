import datetime as dt

from django.apps import AppConfig


class StandardDataConfig(AppConfig):
    name = "opencsc.standard_data"
    label = "standard_data"
    verbose_name = "Standard data: the NHS health-needs picture and the Standard Safeguarding Dataset"

    def ready(self) -> None:
        from opencsc.ops.jobs import command, daily, register
        from opencsc.standard_data import events

        events.register_all()
        register(
            daily(
                "compute_health_needs",
                "Count the health-needs picture for the analysts' page",
                command("compute_health_needs", "--no-progress"),
                at="02:15",
                timeout=dt.timedelta(minutes=30),
            )
        )
