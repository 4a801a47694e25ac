"""Flood hazard: the FD2320 rating of Defra/Environment Agency (HR Wallingford, 2005/2006), and
the depth at which water gets into buildings.

``HR = d · (v + 0.5) + DF`` with depth d (m), speed v (m/s) and the debris factor DF of
urban areas (FD2320/TR2 table 3.1: 0 for d ≤ 0.25 m, 1 above). Classes: below 0.75
"low" (caution), 0.75–1.25 "moderate" (danger for some: children, the elderly),
1.25–2.0 "significant" (danger for most), above 2.0 "extreme" (danger for all).

Water at a building's walls counts as entering it above :data:`WALL_DEPTH`, 10 cm: door
sills and air bricks of French ground floors sit a few centimetres above the pavement,
and depth–damage curves (e.g. the JRC's for Europe, Huizinga et al. 2017) start their
ground-floor damage there.
"""

from __future__ import annotations

import numpy as np

BOUNDS = (0.75, 1.25, 2.0)
DANGER_FOR_MOST = BOUNDS[1]  # the "significant" class and above
WALL_DEPTH = 0.10  # m: water at the walls above this gets into ground floors


def classify(rating: np.ndarray) -> np.ndarray:
    """FD2320 class (0 low … 3 extreme) of hazard ratings."""
    return np.digitize(rating, BOUNDS).astype("int8")
