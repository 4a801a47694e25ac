"""Pluvial flood model: design storms, SCS-CN losses, a local-inertial 2-D solver, hazard.

>>> from jumeau.flood import simulate, storms
>>> storm = storms.design_storm(return_period=100, duration_minutes=60)  # doctest: +SKIP
>>> result = simulate(site.grid["elevation"], duration=7200, rain=storm)  # doctest: +SKIP

The solver's names are imported on first use: reading a scenario's storm
(:mod:`jumeau.flood.forcing`) should not load the compiled kernels.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {"Losses": "jumeau.flood.losses", "runoff_depth": "jumeau.flood.losses", "Inflow": "jumeau.flood.solver",
         "Level": "jumeau.flood.solver", "simulate": "jumeau.flood.solver"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'jumeau.flood' has no attribute {name!r}")


__all__ = ["Inflow", "Level", "Losses", "runoff_depth", "simulate"]
