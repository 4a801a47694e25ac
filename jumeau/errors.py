"""The one exception hierarchy of jumeau, and the warning raised for repaired input.

Every message says *what* is wrong, *where* (file, layer, field, row, value) and
*how to fix it*, so a planner can act on it without reading a traceback.
"""

from __future__ import annotations


class JumeauError(Exception):
    """Base class of every error jumeau raises on purpose."""


class InputError(JumeauError):
    """A city input (site file, raster, vector, class table) cannot be used as given."""


class ScenarioError(JumeauError):
    """A scenario file or intervention is invalid."""


class OutputError(JumeauError):
    """A result cannot be written where it was asked (not a folder, no permission, disk full)."""


class ModelError(JumeauError):
    """A model was called with inconsistent data or failed to produce a valid result."""


class RepairWarning(UserWarning):
    """Input was usable only after a repair (holes filled, geometry fixed, default height...).

    The message gives the count of repaired items so the user can judge whether to fix
    the source data.
    """


class ModelWarning(UserWarning):
    """A model had to bound something to stay valid; its results there are approximate.

    The message says where (a count of cells) and which way the results lean, and the
    same count is in the results' attributes.
    """
