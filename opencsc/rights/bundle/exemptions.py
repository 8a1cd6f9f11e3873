"""Exemption codes shown on redaction boxes, the schedule and the covering letter, with their plain
meaning and the provision of the Data Protection Act 2018 each rests on."""

from __future__ import annotations

from django.db import models


class Exemption(models.TextChoices):
    TP = "TP", "Information about or from someone else (third party), DPA 2018 Sch 2 para 16"
    SH = "SH", "Likely to cause serious harm, in a social work or health professional's opinion, DPA 2018 Sch 3"
    LP = "LP", "Legal professional privilege, DPA 2018 Sch 2 para 19"
    CR = "CR", "Would prejudice preventing or detecting crime, DPA 2018 Sch 2 para 2"


def meaning(code: str) -> str:
    try:
        return Exemption(code).label
    except ValueError:
        return code
