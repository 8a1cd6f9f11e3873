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


class Postcode(models.Model):
    """One postcode of the ONS postcode directory (ONSPD or NSPL), as the 903 location rules need it:
    the upper-tier local authority (or SCO/WAL/NIR/NUK outside England) and the grid reference.
    Reference data about places, not people. Loaded whole by `manage.py import_postcodes FILE`."""

    key = models.CharField(max_length=8, primary_key=True, help_text="Upper case, no spaces")
    la = models.CharField("upper-tier LA", max_length=9, blank=True)
    easting = models.IntegerField(null=True, blank=True)
    northing = models.IntegerField(null=True, blank=True)
    terminated = models.CharField(max_length=6, blank=True, help_text="YYYYMM the postcode was retired, if it was")

    class Meta:
        verbose_name = "postcode"

    def __str__(self) -> str:
        return self.key


class PostcodeDirectoryLoad(models.Model):
    """Each load of the postcode directory: which file (by name and SHA-256) and how many postcodes.
    The newest is the directory in use; loading the same file again changes nothing."""

    loaded_at = models.DateTimeField()
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    layout = models.CharField(max_length=40, help_text="Which column names the file used")
    postcodes = models.PositiveIntegerField()

    class Meta:
        ordering = ["-loaded_at"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.postcodes} postcodes)"
