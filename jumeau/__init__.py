"""jumeau: a digital twin of a city district for urban heat and pluvial flood planning.

Public API::

    import jumeau
    site = jumeau.demo_site()            # or jumeau.load_site("my_city/site.yaml")
    site.grid                            # xarray.Dataset of layers (elevation, landcover, ...)
    site.buildings, site.sites           # GeoDataFrames
    report = jumeau.run(site, ["scenarios/cour_oasis.yaml"], "runs/")   # heat and flood per scenario
    comparison = jumeau.compare("runs/")                                # deltas and scorecard

``run`` and ``compare`` are imported on first use: loading a site should not pay for
the models' compiled kernels.

>>> site = demo_site()
>>> site.shape, len(site.buildings) > 500
((500, 750), True)
"""

from __future__ import annotations

import importlib.metadata
from typing import Any

from jumeau.errors import (
    InputError,
    JumeauError,
    ModelError,
    ModelWarning,
    OutputError,
    RepairWarning,
    ScenarioError,
)
from jumeau.site import Site, load_site

__version__ = importlib.metadata.version("jumeau")

_LAZY = {"run": "jumeau.study.runner", "compare": "jumeau.study.compare"}


def demo_site() -> Site:
    """The demo district, loaded like any city's data (generated once into the user's cache)."""
    from jumeau.demo import demo_site_file

    return load_site(demo_site_file())


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'jumeau' has no attribute {name!r}")


__all__ = [
    "InputError",
    "JumeauError",
    "ModelError",
    "ModelWarning",
    "OutputError",
    "RepairWarning",
    "ScenarioError",
    "Site",
    "__version__",
    "compare",
    "demo_site",
    "load_site",
    "run",
]
