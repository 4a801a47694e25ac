"""Pluvial flood model: design storms, SCS-CN losses, a local-inertial 2-D solver, hazard.

>>> from jumeau.flood import simulate, storms
>>> storm = storms.design_storm(return_period=100, duration_minutes=60)  # doctest: +SKIP
>>> result = simulate(site.grid["elevation"], duration=7200, rain=storm)  # doctest: +SKIP
"""

from jumeau.flood.losses import Losses, runoff_depth
from jumeau.flood.solver import Inflow, Level, simulate

__all__ = ["Inflow", "Level", "Losses", "runoff_depth", "simulate"]
