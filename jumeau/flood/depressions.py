"""Depressions of a terrain and where a storm's runoff settles in them: fill, spill and merge of still water.

After Barnes, Callaghan & Wickert (2021, *Earth Surface Dynamics* 9: 105–121), written
here from their description:

1. **Hierarchy.** Cells are visited from the lowest up (a watershed by flooding, with
   the cells joined through their four faces, as the flood model's water moves). A cell
   with no visited neighbour starts a depression; a cell touching one depression joins
   it; a cell touching several is the *saddle* where they meet, and they merge into a
   parent depression. The grid's edges open onto the outside: a depression that meets
   the outside closes there, at its *outlet*. Each depression's capacity is the still
   water it holds up to the level where it merges or closes.
2. **Runoff.** Each cell's runoff runs down, shared among its lower neighbours, to the
   pits (the first cells of the depressions) or out over an edge.
3. **Fill and spill.** From the smallest depressions up: what a depression receives
   beyond its capacity spills at its saddle into its sibling, down to the sibling's
   lowest part; when both are full they hold the rest together, above the saddle. What
   a closed depression cannot hold runs down from its outlet to the next depression
   below it, or out of the grid.
4. **Levels.** Each body of water is flat, at the level that holds its volume.

Still water only: how fast it gets there is the flood model's work. Every volume is
accounted for: what is held plus what left the grid equals the runoff (see
:func:`settle`).
"""

from __future__ import annotations

import numba
import numpy as np

OUTSIDE = 0  # node 0 is the world beyond the grid's edges
FACES = np.array([(-1, 0), (1, 0), (0, -1), (0, 1)], dtype=np.int64)
FREEMAN = 1.1  # exponent of the drop in the runoff's multiple-flow-direction split (Freeman 1991)


@numba.njit(cache=True)
def _find(union, node):
    root = node
    while union[root] != root:
        root = union[root]
    while union[node] != root:  # path compression
        union[node], node = root, union[node]
    return root


@numba.njit(cache=True)
def hierarchy(z, storing):
    """The depression hierarchy of ``z`` (ny, nx), by a watershed flooding from the lowest cell up.

    ``storing`` (bool) marks the cells that hold water (buildings let water pass around
    them at ground level but hold none). Returns, per cell, its visiting ``rank`` and the
    ``node`` (depression) it joined, with that depression's volume function just before
    it joined (``count_before`` storing cells, ``sum_before`` of their elevations: the
    still water below a level L in them is count·L − sum); and per node: ``parent``
    (OUTSIDE for the depressions that close at the edge), the two ``children`` (−1 for
    pits), the ``exit`` cell where it merged or closed, the ``outlet`` level there and its
    ``capacity`` (m³ per m² of cell) up to it, and its final ``count`` and ``total``.
    """
    ny, nx = z.shape
    size = ny * nx
    flat = z.reshape(size)
    holds = storing.reshape(size)
    order = np.argsort(flat, kind="mergesort")
    rank = np.empty(size, np.int64)
    rank[order] = np.arange(size)
    most = 2 * size + 1
    parent = np.full(most, -1, np.int64)
    children = np.full((most, 2), -1, np.int64)
    exit_cell = np.full(most, -1, np.int64)
    outlet = np.full(most, np.inf)
    capacity = np.zeros(most)
    count = np.zeros(most)
    total = np.zeros(most)
    union = np.arange(most)
    node = np.full(size, -1, np.int64)
    count_before = np.zeros(size)
    sum_before = np.zeros(size)
    nodes = 1  # OUTSIDE
    roots = np.empty(5, np.int64)
    for cell in order:
        i, j = cell // nx, cell % nx
        level = flat[cell]
        found = 0
        if i == 0 or j == 0 or i == ny - 1 or j == nx - 1:
            roots[0] = OUTSIDE
            found = 1
        for k in range(4):
            r, c = i + FACES[k, 0], j + FACES[k, 1]
            if 0 <= r < ny and 0 <= c < nx and node[r * nx + c] >= 0:
                root = _find(union, node[r * nx + c])
                new = True
                for m in range(found):
                    new = new and roots[m] != root
                if new:
                    roots[found] = root
                    found += 1
        if _has(roots, found, OUTSIDE):
            for m in range(found):
                if roots[m] != OUTSIDE:
                    _close(roots[m], OUTSIDE, cell, level, parent, exit_cell, outlet, capacity, count, total, union)
            node[cell] = OUTSIDE
            continue
        if found == 0:
            current = nodes
            nodes += 1
        else:
            current = roots[0]
            for m in range(1, found):
                merged = nodes
                nodes += 1
                children[merged, 0], children[merged, 1] = current, roots[m]
                count[merged] = count[current] + count[roots[m]]
                total[merged] = total[current] + total[roots[m]]
                _close(current, merged, cell, level, parent, exit_cell, outlet, capacity, count, total, union)
                _close(roots[m], merged, cell, level, parent, exit_cell, outlet, capacity, count, total, union)
                current = merged
        node[cell] = current
        count_before[cell] = count[current]
        sum_before[cell] = total[current]
        if holds[cell]:
            count[current] += 1.0
            total[current] += level
    return (rank, node, count_before, sum_before, parent[:nodes], children[:nodes], exit_cell[:nodes], outlet[:nodes],
            capacity[:nodes], count[:nodes], total[:nodes])


@numba.njit(cache=True)
def _has(values, found, value):
    for m in range(found):
        if values[m] == value:
            return True
    return False


@numba.njit(cache=True)
def _close(child, parent_node, cell, level, parent, exit_cell, outlet, capacity, count, total, union):
    parent[child] = parent_node
    exit_cell[child] = cell
    outlet[child] = level
    capacity[child] = count[child] * level - total[child]
    union[child] = parent_node


@numba.njit(cache=True)
def _within(node, ancestor, parent):
    """Whether ``node`` lies in ``ancestor``'s subtree (parents are numbered after their children)."""
    while node != OUTSIDE and node < ancestor:
        node = parent[node]
    return node == ancestor


@numba.njit(cache=True)
def _lowest_neighbour(cell, flat, rank, node, nx, ny, parent, inside, exit_cell, leaving):
    """The lowest neighbour of ``cell`` visited before it (lower or level, so descending this way always
    ends); −1 if none. Only in ``inside``'s subtree if ``inside`` ≥ 0. If ``leaving``, ``cell`` is an
    outlet and only neighbours outside by then count (not in a depression that closed at this same
    cell): where its overflow goes, −1 meaning out over the edge."""
    i, j = cell // nx, cell % nx
    best = -1
    for k in range(4):
        r, c = i + FACES[k, 0], j + FACES[k, 1]
        if 0 <= r < ny and 0 <= c < nx:
            other = r * nx + c
            allowed = rank[other] < rank[cell]
            allowed = allowed and (inside < 0 or _within(node[other], inside, parent))
            allowed = allowed and not (leaving and node[other] != OUTSIDE and exit_cell[_top(node[other], parent)] == cell)
            if allowed and (best < 0 or flat[other] < flat[best] or (flat[other] == flat[best] and rank[other] < rank[best])):
                best = other
    return best


@numba.njit(cache=True)
def _spread(cell, carried, flat, rank, nx, ny, lowest):
    """Pass ``cell``'s carried water to its lower neighbours in proportion to each drop^1.1, or all
    to ``lowest`` (its lowest neighbour visited before it) across a flat."""
    i, j = cell // nx, cell % nx
    weights = np.zeros(4)
    for k in range(4):
        r, c = i + FACES[k, 0], j + FACES[k, 1]
        if 0 <= r < ny and 0 <= c < nx and rank[r * nx + c] < rank[cell]:
            weights[k] = max(flat[cell] - flat[r * nx + c], 0.0) ** FREEMAN
    total = weights.sum()
    if total <= 0.0:
        carried[lowest] += carried[cell]
        return
    for k in range(4):
        if weights[k] > 0.0:
            carried[(i + FACES[k, 0]) * nx + j + FACES[k, 1]] += carried[cell] * (weights[k] / total)


@numba.njit(cache=True)
def _entry(x, cell, pit, flat, rank, node, nx, ny, parent, exit_cell):
    """The pit inside depression ``x`` that water entering ``x`` at ``cell`` runs down to.

    From a cell of ``x``'s own, water runs down to a pit inside ``x`` (a lower neighbour
    outside it would have joined them); from the saddle ``x`` shares with its sibling, it
    first steps into ``x``.
    """
    if not _within(node[cell], x, parent):
        cell = _lowest_neighbour(cell, flat, rank, node, nx, ny, parent, x, exit_cell, False)
    return pit[cell]


@numba.njit(cache=True)
def _full(n, water, capacity):
    return water[n] >= capacity[n] * (1.0 - 1e-12)


@numba.njit(cache=True)
def _pour(x, volume, cell, water, capacity, pit, flat, rank, node, nx, ny, parent, children, exit_cell):
    """Add ``volume`` (at most ``x``'s room) entering depression ``x`` at ``cell``: it fills the child it runs
    into, then the other child over their saddle, and the rest rests on both, above the saddle."""
    todo_node = [x]
    todo_volume = [volume]
    todo_cell = [cell]
    while todo_node:
        x, volume, cell = todo_node.pop(), todo_volume.pop(), todo_cell.pop()
        water[x] += volume
        a, b = children[x, 0], children[x, 1]
        if a < 0 or (_full(a, water, capacity) and _full(b, water, capacity)):
            continue
        cell = _entry(x, cell, pit, flat, rank, node, nx, ny, parent, exit_cell)
        into = node[cell]
        while parent[into] != x:
            into = parent[into]
        other = b if into == a else a
        first = min(volume, max(capacity[into] - water[into], 0.0))
        second = min(volume - first, max(capacity[other] - water[other], 0.0))
        if first > 0.0:
            todo_node.append(into)
            todo_volume.append(first)
            todo_cell.append(cell)
        if second > 0.0:
            todo_node.append(other)
            todo_volume.append(second)
            todo_cell.append(exit_cell[into])  # the children's saddle


@numba.njit(cache=True)
def _top(n, parent):
    while parent[n] != OUTSIDE:
        n = parent[n]
    return n


@numba.njit(cache=True)
def settle(z, storing, runoff):
    """Still water once ``runoff`` (m³ per m² of cell, per cell) has filled and spilled through the depressions.

    Returns the water depth per cell (m), the volume (per m² of cell) that left over the
    edges, and the brim: the level of each cell's enclosing depression's outlet (the
    terrain filled up to where water would leave; the cell's own elevation outside any
    depression). Held plus left equals the runoff to round-off.
    """
    ny, nx = z.shape
    size = ny * nx
    flat = z.reshape(size)
    rank, node, count_before, sum_before, parent, children, exit_cell, outlet, capacity, count, total = hierarchy(
        z, storing)
    nodes = parent.size
    water = np.zeros(nodes)
    left = 0.0
    # Water runs to the lowest neighbour visited before its cell, down to a pit (the first
    # cell of a depression) or out over an edge (−1).
    order = np.empty(size, np.int64)
    order[rank] = np.arange(size)
    below = np.empty(size, np.int64)
    pit = np.empty(size, np.int64)
    for position in range(size):
        cell = order[position]
        below[cell] = _lowest_neighbour(cell, flat, rank, node, nx, ny, parent, -1, exit_cell, False)
        pit[cell] = pit[below[cell]] if below[cell] >= 0 else (-1 if node[cell] == OUTSIDE else cell)
    # The runoff, from the highest cell down, each passing on what it carried to its lower
    # neighbours in proportion to the drop to each (a multiple-flow-direction routing, after
    # Freeman 1991, *Computers & Geosciences* 17: 413–422): sent all down the steepest way,
    # the flow zigzagged along the grid's axes and divided the catchments of the flood
    # model's spreading water differently, a few centimetres in small ponds.
    carried = runoff.reshape(size).copy()
    for position in range(size - 1, -1, -1):
        cell = order[position]
        if below[cell] < 0:
            if pit[cell] < 0:
                left += carried[cell]
            else:
                water[node[cell]] += carried[cell]
            continue
        _spread(cell, carried, flat, rank, nx, ny, below[cell])
    # inside each depression, from the smallest up: a full child spills over the saddle into its sibling
    for x in range(1, nodes):
        a, b = children[x, 0], children[x, 1]
        if a >= 0:
            for giver, taker in ((a, b), (b, a)):
                moved = min(water[giver] - capacity[giver], capacity[taker] - water[taker])
                if moved > 0.0:
                    water[giver] -= moved
                    _pour(taker, moved, exit_cell[giver], water, capacity, pit, flat, rank, node, nx, ny, parent,
                          children, exit_cell)
            water[x] = water[a] + water[b]
    # What a closed depression cannot hold runs on from its outlet to the next one down, or
    # out. From the highest outlet down: the next one's outlet is lower (water runs
    # downhill from an outlet), so what overflows it too waits for its turn and every
    # volume makes one hop at a time.
    tops = np.array([x for x in range(1, nodes) if parent[x] == OUTSIDE], np.int64)
    done = np.zeros(nodes, np.bool_)
    for x in tops[np.argsort(-outlet[tops], kind="mergesort")]:
        done[x] = True
        extra = water[x] - capacity[x]
        if extra <= 0.0:
            continue
        water[x] = capacity[x]
        for _ in range(tops.size):
            start = _lowest_neighbour(exit_cell[x], flat, rank, node, nx, ny, parent, -1, exit_cell, True)
            end = -1 if start < 0 else pit[start]
            if end < 0:
                break
            x = _top(node[end], parent)
            taken = min(extra, max(capacity[x] - water[x], 0.0))
            if taken > 0.0:
                _pour(x, taken, end, water, capacity, pit, flat, rank, node, nx, ny, parent, children, exit_cell)
            extra -= taken
            if extra > 0.0 and not done[x]:
                water[x] += extra
                extra = 0.0
            if extra <= 0.0:
                break
        left += extra  # over an edge (or round a ring of level outlets, which it leaves rather than circle)
    # each body of water is flat: the level that holds its volume (count·L − sum = water)
    surface = np.full(nodes, -np.inf)
    solving = np.zeros(nodes, np.bool_)
    for x in range(1, nodes):
        a, b = children[x, 0], children[x, 1]
        if _full(x, water, capacity):
            surface[x] = outlet[x]
        elif water[x] > 0.0 and (a < 0 or (_full(a, water, capacity) and _full(b, water, capacity))):
            solving[x] = True
    for position in range(size):
        cell = order[position]
        x = node[cell]
        if x != OUTSIDE and solving[x] and count_before[cell] > 0.0 and (
                count_before[cell] * flat[cell] - sum_before[cell] >= water[x]):
            surface[x] = (water[x] + sum_before[cell]) / count_before[cell]
            solving[x] = False
    for x in range(1, nodes):
        if solving[x]:  # reaches above its last cell: up to its outlet, over all its cells
            surface[x] = min((water[x] + total[x]) / count[x], outlet[x])
    brim = np.full(nodes, -np.inf)
    for x in range(nodes - 1, 0, -1):  # parents are numbered after their children
        up = parent[x]
        surface[x] = max(surface[x], surface[up]) if up != OUTSIDE else surface[x]
        brim[x] = outlet[x] if up == OUTSIDE else brim[up]
    depth = np.zeros(size)
    filled = flat.copy()
    holds = storing.reshape(size)
    for cell in range(size):
        x = node[cell]
        if x != OUTSIDE:
            depth[cell] = max(surface[x] - flat[cell], 0.0) if holds[cell] else 0.0
            filled[cell] = max(brim[x], flat[cell])
    return depth.reshape(ny, nx), left, filled.reshape(ny, nx)
