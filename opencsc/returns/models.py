"""The Ofsted provider register: the children's homes and social care providers Ofsted registers.

Loaded from Ofsted's published lists by `manage.py import_ofsted_providers FILE` (see
`opencsc.returns.providers`) and read by the SSDA903 rules that check an episode's URN (1008, 219,
221, 224, 227, 228, 229). Registered settings and organisations, not people: nothing here is personal
data.
"""

from __future__ import annotations

from django.db import models


class OfstedProvider(models.Model):
    """One Ofsted-registered setting or agency, keyed by its URN, as the latest list loaded says."""

    urn = models.CharField("URN", max_length=10, unique=True)
    name = models.CharField(max_length=200, blank=True)
    provider_type = models.CharField(max_length=100, blank=True)
    local_authority = models.CharField(max_length=100, blank=True, help_text="As named in Ofsted's list")
    placement_codes = models.CharField(
        max_length=200, blank=True, help_text="903 placement types (PLACE) Ofsted registers it for, comma-separated"
    )
    provider_codes = models.CharField(
        max_length=100, blank=True, help_text="903 placement providers (PLACE_PROVIDER), comma-separated"
    )
    postcode = models.CharField(max_length=9, blank=True)
    registered_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True, help_text="Deregistration or closure date")
    places = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="The file it was last loaded from")
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["urn"]
        verbose_name = "Ofsted provider"

    def __str__(self) -> str:
        return f"{self.urn} {self.name}".strip()
