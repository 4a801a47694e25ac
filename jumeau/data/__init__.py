"""Data the engine ships with: the land-cover class table, code remappings, storm tables.

The files sit inside the package (package data, in the wheel) and are found through
:mod:`importlib.resources`, wherever jumeau is installed. jumeau is always installed as
files on disk (numba caches its compiled kernels next to them), so a resource is a path.

>>> from jumeau import data
>>> data.CLASS_TABLE.name
'landcover_classes.csv'
>>> sorted(p.name for p in data.REMAP_DIR.glob("*.csv"))
['bdtopo_cemetery.csv', 'bdtopo_sport.csv', 'bdtopo_vegetation.csv', 'corine.csv', 'oso.csv', 'umep.csv']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def path(*parts: str) -> Path:
    """The shipped file or folder named by ``parts``, e.g. ``path("remap", "umep.csv")``."""
    return Path(str(resources.files(__name__).joinpath(*parts)))


CLASS_TABLE = path("landcover_classes.csv")
REMAP_DIR = path("remap")
STORM_DIR = path("storms")
