from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "opencsc.audit"
    label = "audit"
