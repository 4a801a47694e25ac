"""Heat stress people feel at the hottest hour, in the sun and in the shade: UTCI.

The Universal Thermal Climate Index (Bröde et al. 2012, *Int. J. Biometeorology* 56:
481–494) from air temperature, humidity, wind and the mean radiant temperature Tmrt,
computed with ``pythermalcomfort`` (MIT licence; valid for Ta −50…50 °C,
Tmrt − Ta −30…70 °C, wind 0.5–17 m/s at 10 m). Tmrt:

* in the shade, ``Tmrt = T_air`` (no direct sun; the usual first approximation);
* in the sun, ``Tmrt⁴ = T_air⁴ + f_p·α_k·I / (ε_p·σ)`` (kelvins; Thorsson et al. 2007,
  *Int. J. Climatology* 27: 1983–1993, their eq. 1 without the diffuse terms), with the
  clear-sky direct normal irradiance ``I`` (pvlib, Ineichen–Perez), the projected-area
  factor of a standing person ``f_p = 0.308·cos(γ·(1 − γ²/48402))`` for a sun elevation
  γ in degrees (Fanger 1970), absorptivity α_k = 0.7 and emissivity ε_p = 0.97.

UTCI stress classes (°C): 26–32 moderate, 32–38 strong, 38–46 very strong, above 46
extreme heat stress.
"""

from __future__ import annotations

import numpy as np
from pythermalcomfort.models import utci as _utci

STEFAN_BOLTZMANN = 5.67e-8
BOUNDS = (26.0, 32.0, 38.0, 46.0)  # UTCI class limits (°C)
STRONG = 2  # the class from which heat stress is "strong" (UTCI above 32 °C)


def mean_radiant_temperature(t_air: np.ndarray, sunlit: np.ndarray, elevation: float, direct_normal: float) -> np.ndarray:
    """Tmrt (°C): T_air in the shade, raised by the direct sun where ``sunlit``."""
    if elevation <= 0 or direct_normal <= 0:
        return np.asarray(t_air, dtype="float64")
    projected = 0.308 * np.cos(np.radians(elevation * (1 - elevation**2 / 48402.0)))
    gain = projected * 0.7 * direct_normal / (0.97 * STEFAN_BOLTZMANN)
    kelvin = np.asarray(t_air, dtype="float64") + 273.15
    sun = (kelvin**4 + gain) ** 0.25 - 273.15
    return np.where(sunlit, sun, kelvin - 273.15)


def utci(t_air: np.ndarray, t_mrt: np.ndarray, relative_humidity: float, wind: float = 1.0) -> np.ndarray:
    """UTCI (°C) on grids (wind at 10 m, m/s)."""
    t_air = np.asarray(t_air, dtype="float64")
    result = _utci(tdb=t_air.ravel(), tr=np.asarray(t_mrt, dtype="float64").ravel(),
                   v=np.full(t_air.size, max(wind, 0.5)), rh=np.full(t_air.size, relative_humidity),
                   limit_inputs=False)
    return np.asarray(result.utci, dtype="float64").reshape(t_air.shape)


def stress_class(utci_values: np.ndarray) -> np.ndarray:
    """0 no heat stress (UTCI < 26 °C) … 4 extreme (> 46 °C)."""
    return np.digitize(utci_values, BOUNDS).astype("int8")
