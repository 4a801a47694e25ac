"""Flood hazard rating of Defra/Environment Agency FD2320 (HR Wallingford, 2005/2006).

``HR = d · (v + 0.5) + DF`` with depth d (m), speed v (m/s) and the debris factor DF of
urban areas (FD2320/TR2 table 3.1: 0 for d ≤ 0.25 m, 1 above). Classes: below 0.75
"low" (caution), 0.75–1.25 "moderate" (danger for some: children, the elderly),
1.25–2.0 "significant" (danger for most), above 2.0 "extreme" (danger for all).
"""

from __future__ import annotations

import numpy as np

BOUNDS = (0.75, 1.25, 2.0)
CLASSES = {0: ("low", "faible"), 1: ("moderate", "modéré : danger pour certains"),
           2: ("significant", "important : danger pour la plupart"), 3: ("extreme", "extrême : danger pour tous")}
RATING_ATTRS = {"units": "1", "long_name": "flood hazard rating (FD2320, urban debris factor), maximum over time"}
CLASS_ATTRS = {"units": "1", "long_name": "flood hazard class (FD2320)", "flag_values": np.arange(4, dtype="int8"),
               "flag_meanings": "low moderate significant extreme"}


def classify(rating: np.ndarray) -> np.ndarray:
    """FD2320 class (0 low … 3 extreme) of hazard ratings."""
    return np.digitize(rating, BOUNDS).astype("int8")
