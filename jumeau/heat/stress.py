"""Heat stress people feel: the UTCI and its stress classes.

The Universal Thermal Climate Index (Bröde et al. 2012, *Int. J. Biometeorology* 56:
481–494) from air temperature, humidity, wind and the mean radiant temperature Tmrt
(:mod:`jumeau.heat.radiation`), computed with ``pythermalcomfort`` (MIT licence; valid
for Ta −50…50 °C, Tmrt − Ta −30…70 °C, wind 0.5–17 m/s at 10 m).

UTCI stress classes (°C): 26–32 moderate, 32–38 strong, 38–46 very strong, above 46
extreme heat stress.
"""

from __future__ import annotations

import numpy as np
from pythermalcomfort.models import utci as _utci

BOUNDS = (26.0, 32.0, 38.0, 46.0)  # UTCI class limits (°C)
STRONG, VERY_STRONG = BOUNDS[1], BOUNDS[2]  # UTCI (°C) from which heat stress is strong, very strong


def utci(t_air: np.ndarray, t_mrt: np.ndarray, relative_humidity: float, wind: float = 1.0) -> np.ndarray:
    """UTCI (°C) on grids (wind at 10 m, m/s)."""
    t_air = np.broadcast_to(np.asarray(t_air, dtype="float64"), np.shape(t_mrt))
    result = _utci(tdb=t_air.ravel(), tr=np.asarray(t_mrt, dtype="float64").ravel(),
                   v=np.full(t_air.size, max(wind, 0.5)), rh=np.full(t_air.size, relative_humidity),
                   limit_inputs=False)
    return np.asarray(result.utci, dtype="float64").reshape(t_air.shape)


def stress_class(utci_values: np.ndarray) -> np.ndarray:
    """0 no heat stress (UTCI < 26 °C) … 4 extreme (> 46 °C)."""
    return np.digitize(utci_values, BOUNDS).astype("int8")
