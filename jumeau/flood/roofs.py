"""Where the rain falling on roofs goes: down the pipes, onto the nearest ground cell.

Roofs are blocked cells of the flood grid (water cannot stand on them). Their rain,
less what a green roof holds, leaves by downpipes that discharge at the foot of the
walls; without the drainage plans of every building, each roof cell drains to the
ground cell nearest to it (Euclidean distance on the grid, ties broken by
:func:`scipy.ndimage.distance_transform_edt`). The flood solver and the screening
both route roof rain this way.

>>> import numpy as np
>>> roofs = np.zeros((3, 4), dtype=bool); roofs[1, 1:3] = True
>>> downpipes(roofs).tolist()   # (1, 1) drains west, to cell 4; (1, 2) north, to cell 2
[4, 2]
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from jumeau.errors import ModelError


def downpipes(blocked: np.ndarray) -> np.ndarray:
    """For each roof cell, in the order of ``np.flatnonzero(blocked)``, the flat index of its ground cell."""
    if not blocked.any():
        return np.empty(0, np.int64)
    if blocked.all():
        raise ModelError("blocked: every cell is blocked; no ground for the water to flow on.")
    _, (rows, cols) = ndimage.distance_transform_edt(blocked, return_indices=True)
    return (rows * blocked.shape[1] + cols)[blocked].astype(np.int64)
