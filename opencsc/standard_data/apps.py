from django.apps import AppConfig


class StandardDataConfig(AppConfig):
    name = "opencsc.standard_data"
    label = "standard_data"
    verbose_name = "Standard data: the NHS health-needs picture and the Standard Safeguarding Dataset"

    def ready(self) -> None:
        from opencsc.standard_data import events, jobs

        events.register_all()
        jobs.register_job()
