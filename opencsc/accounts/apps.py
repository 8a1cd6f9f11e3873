from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "opencsc.accounts"
    label = "accounts"

    def ready(self) -> None:
        from opencsc.accounts import events

        events.register_all()
