from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "opencsc.returns"
    label = "returns"

    def ready(self) -> None:
        from opencsc.returns.build import events

        events.register_all()
