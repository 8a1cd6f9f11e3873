"""Reading the stored health-needs pictures (aggregates only: no personal data, so no access scope;
the page checks who may see them)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from opencsc.standard_data.models import HealthNeedsPicture, PictureStatus

# A computation with no progress for this long has died (its thread or process went away).
STALE_AFTER = dt.timedelta(minutes=15)


def latest(as_of: dt.date | None = None) -> HealthNeedsPicture | None:
    """The newest finished picture counted on `as_of`, or on any day when `as_of` is None."""
    done = HealthNeedsPicture.objects.filter(status=PictureStatus.DONE)
    if as_of is not None:
        done = done.filter(as_of=as_of)
    return done.order_by("-finished_at", "-pk").first()


def running(as_of: dt.date | None = None) -> HealthNeedsPicture | None:
    """A computation under way (for `as_of`, or any day); one silent for STALE_AFTER is marked failed."""
    found = HealthNeedsPicture.objects.filter(status=PictureStatus.RUNNING)
    if as_of is not None:
        found = found.filter(as_of=as_of)
    now = timezone.now()
    for picture in found.order_by("-started_at"):
        if now - picture.updated_at <= STALE_AFTER:
            return picture
        HealthNeedsPicture.objects.filter(pk=picture.pk).update(
            status=PictureStatus.FAILED, finished_at=now, message="Stopped without finishing"
        )
    return None
