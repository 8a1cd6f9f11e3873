"""Real postcodes for the demo borough's synthetic addresses and placements.

Only postcodes the project already ships: `opencsc.returns.ssda903.postcodes.SYNTHETIC_POSTCODES`, taken
offline from the ONS Postcode Directory that the published SSDA903 validator also uses, so the returns'
postcode rules (169, 179, 392a, 392c) and placement-location rules hold. A postcode is not personal
data; the street lines stay Faker's.
"""

from __future__ import annotations

from opencsc.returns.build.common import DEFAULT_LA_ONS_CODE
from opencsc.returns.ssda903.postcodes import OUTSIDE_ENGLAND, SYNTHETIC_POSTCODES

# In the demo borough's own area (the council the returns are built for by default).
HOME_POSTCODES: tuple[str, ...] = tuple(
    pc for pc, (la, _, _) in SYNTHETIC_POSTCODES.items() if la == DEFAULT_LA_ONS_CODE
)
# Elsewhere in England (neighbouring boroughs and Kent): out-of-area placements.
ELSEWHERE_POSTCODES: tuple[str, ...] = tuple(
    pc for pc, (la, _, _) in SYNTHETIC_POSTCODES.items() if la != DEFAULT_LA_ONS_CODE and la not in OUTSIDE_ENGLAND
)
