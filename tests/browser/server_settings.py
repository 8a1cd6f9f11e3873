"""Settings for the application server the browser tests start: the test settings, DEBUG off.

The only change: WhiteNoise serves the built assets straight from STATICFILES_DIRS (build/static),
because with DEBUG off it would otherwise serve only a collected STATIC_ROOT, and collecting into the
checkout's shared `staticfiles/` would race with other runs.
"""

from __future__ import annotations

from opencsc.config.test_settings import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
