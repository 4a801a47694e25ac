"""The Site: the twin's state on one grid, and everything that builds it from a city's files.

* :mod:`~jumeau.site.state`: the :class:`Site` and its declared layers;
* :mod:`~jumeau.site.schema`: the site file (YAML) and its validation;
* :mod:`~jumeau.site.load`: :func:`load_site`, from a site file to a Site;
* :mod:`~jumeau.site.classes`: the land-cover class table;
* :mod:`~jumeau.site.buildings`, :mod:`~jumeau.site.landcover`, :mod:`~jumeau.site.soil`,
  :mod:`~jumeau.site.canopy`: each layer from its source files;
* :mod:`~jumeau.site.vocabulary`: building uses and sites of interest;
* :mod:`~jumeau.site.zonal`: per-building and per-site values of a layer.
"""

from jumeau.site.load import load_site
from jumeau.site.state import Site

__all__ = ["Site", "load_site"]
