"""SCS Curve Number losses, distributed in time, and the storm-sewer sink.

USDA-NRCS (1986), *Urban Hydrology for Small Watersheds*, Technical Release 55, ch. 2:
cumulative runoff ``Q = (P − Ia)² / (P − Ia + S)`` for ``P > Ia``, else 0, with
``S = 25400 / CN − 254`` (mm) and ``Ia = λ·S`` (λ = 0.2 in TR-55; 0.05 as proposed by
Hawkins et al., 2002). Applied to the cumulative rain of each time step, the
effective rain of the step is ``Q(P(t + Δt)) − Q(P(t))``: losses are front-loaded, as
the method intends, instead of a constant rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jumeau.errors import ModelError


def retention(curve_number: np.ndarray) -> np.ndarray:
    """Potential maximum retention S (mm) from curve numbers (CN 100 → 0)."""
    cn = np.asarray(curve_number, dtype="float64")
    if np.any((cn <= 0) | (cn > 100)):
        bad = cn[(cn <= 0) | (cn > 100)][0]
        raise ModelError(f"losses: curve number {bad:g} is outside (0, 100]. Check the class table's CN columns.")
    return 25400.0 / cn - 254.0


def runoff_depth(rain: np.ndarray | float, curve_number: np.ndarray | float, initial_abstraction: float = 0.2) -> np.ndarray:
    """Cumulative runoff Q (mm) for cumulative rain P (mm) (TR-55 eq. 2-3, with Ia = λS).

    >>> float(runoff_depth(100.0, 80.0).round(2))   # S = 63.5 mm, Ia = 12.7 mm
    50.54
    """
    s = retention(np.asarray(curve_number, dtype="float64"))
    return _runoff(np.asarray(rain, dtype="float64"), s, initial_abstraction)


def _runoff(p: np.ndarray, s: np.ndarray, lam: float) -> np.ndarray:
    excess = np.maximum(p - lam * s, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(excess > 0.0, excess * excess / (excess + s), 0.0)


@dataclass(frozen=True)
class Losses:
    """Per-cell SCS-CN losses: ``curve_number`` (grid) and ``initial_abstraction`` λ (0.2 or 0.05)."""

    curve_number: np.ndarray
    initial_abstraction: float = 0.2

    def __post_init__(self):
        if not 0.0 <= self.initial_abstraction <= 0.3:
            raise ModelError(f"losses: initial abstraction ratio λ = {self.initial_abstraction:g}; use 0.2 (TR-55) or 0.05.")
