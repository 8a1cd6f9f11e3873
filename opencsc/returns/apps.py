from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "opencsc.returns"
    label = "returns"
