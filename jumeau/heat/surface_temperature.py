"""Surface temperatures of sunlit ground and walls through the day (Lindberg, Holmer & Thorsson 2008).

The warming of a sunlit surface above the air, ``Ts − Ta``, follows a wave that is zero at
sunrise, peaks at 15:00 local solar time and returns to zero at sunset; its amplitude grows
with the day's highest sun elevation: ``ΔTmax = slope·η_max + intercept`` (K, η in degrees),
fitted per material on Gothenburg measurements (Bogren et al. 2000; Lindberg et al. 2008,
2016). Under clouds it is scaled by the clearness index ``G/G_clear``; shaded ground and
walls stay at air temperature. The class table's ``tg_slope`` and ``tg_intercept`` give
each land cover's parameters; walls use Lindberg et al.'s wall values.
"""

from __future__ import annotations

import math

import numpy as np

WALL_SLOPE, WALL_INTERCEPT = 0.37, -3.41  # K per degree, K (Lindberg et al. 2008, their walls)
PEAK = 15.0  # local solar hour of the highest surface temperature


def warming_wave(solar_hour: float, sunrise: float, sunset: float) -> float:
    """Share (0–1) of the day's largest surface warming reached at ``solar_hour``."""
    if not sunrise < solar_hour < sunset:
        return 0.0
    if solar_hour <= PEAK:
        return math.sin(math.pi / 2 * (solar_hour - sunrise) / (PEAK - sunrise))
    return math.cos(math.pi / 2 * (solar_hour - PEAK) / max(sunset - PEAK, 1e-6))


def largest_warming(slope: np.ndarray | float, intercept: np.ndarray | float, max_elevation: float) -> np.ndarray:
    """``ΔTmax`` (K) of sunlit surfaces on a day whose sun rises at most to ``max_elevation`` degrees."""
    return np.maximum(np.asarray(slope) * max_elevation + np.asarray(intercept), 0.0)
