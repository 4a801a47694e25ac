"""jumeau: a digital twin of a city district for urban heat and pluvial flood planning.

Public API::

    import jumeau
    site = jumeau.demo_site()            # or jumeau.load_site("my_city/site.yaml")
    site.grid                            # xarray.Dataset of layers (elevation, landcover, ...)
    site.buildings, site.sites           # GeoDataFrames
"""

from jumeau.errors import (
    InputError,
    JumeauError,
    ModelError,
    RepairWarning,
    ScenarioError,
)
from jumeau.io.site_reader import load_site
from jumeau.site import Site

__version__ = "0.1.0"


def demo_site() -> Site:
    """The embedded demo district (``data/demo/site.yaml``), loaded like any city's data."""
    from jumeau.paths import DEMO_DIR

    return load_site(DEMO_DIR / "site.yaml")


__all__ = [
    "InputError",
    "JumeauError",
    "ModelError",
    "RepairWarning",
    "ScenarioError",
    "Site",
    "__version__",
    "demo_site",
    "load_site",
]
