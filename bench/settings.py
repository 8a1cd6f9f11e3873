"""Settings for `bench/person_pages.py`: the production settings module, unchanged except for static
files, which the benchmark never requests: plain StaticFilesStorage (as the test settings use) instead
of the hashed manifest, so that no `collectstatic` is needed before a run."""

from __future__ import annotations

from opencsc.config.settings import *  # noqa: F403
from opencsc.config.settings import STORAGES

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
