from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "opencsc.people"
    label = "people"

    def ready(self) -> None:
        from opencsc.people.matching import events

        events.register_all()
