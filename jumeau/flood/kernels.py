"""Compiled kernels of the local-inertial shallow-water scheme (numba).

Staggered grid: depths ``h`` at cell centres (ny, nx); unit-width discharges ``qx``
on the vertical faces (ny, nx + 1) and ``qy`` on the horizontal faces (ny + 1, nx),
positive towards +x (east) and towards +row (south, since row 0 is the north edge).
Face ``qx[i, j]`` lies between cells (i, j − 1) and (i, j); ``qy[i, j]`` between
(i − 1, j) and (i, j). Edge faces (column 0 and nx, row 0 and ny) carry the
boundary conditions.

Momentum (Bates, Horritt & Fewtrell 2010, eq. 11, with the θ-weighted discharge of
de Almeida, Bates, Freer & Souvignet 2012, eq. 7)::

    q_new = [θ q + (1 − θ)/2 (q_left + q_right) − g h_f Δt ∂η/∂x] / [1 + g Δt n² |q| / h_f^(7/3)]

with the flow depth at the face ``h_f = max(η_L, η_R) − max(z_L, z_R)``. A face is
dry (q = 0) when ``h_f`` is below ``dry_depth`` or when either cell is blocked. The
mass update is ``h += Δt (Σ q_in − Σ q_out) / Δx``; outgoing fluxes of a cell are
scaled down so that it never gives more than it holds (no negative depth), which keeps
every face's flux the same for both its cells and therefore conserves mass exactly.
"""

from __future__ import annotations

import numba
import numpy as np

G = 9.81

CLOSED, OPEN, LEVEL = 0, 1, 2


@numba.njit(cache=True, parallel=True)
def face_fluxes(h, z, n2, blocked, qx_old, qy_old, qx, qy, dt, dx, theta, dry_depth, edge_kind, edge_level, rx, ry):
    """Write the step's discharges into ``qx``, ``qy`` from the previous ones (see module docstring).

    ``edge_kind`` (4,) gives each edge's boundary — north, south, west, east — and
    ``edge_level`` (4,) the water level imposed on LEVEL edges.
    """
    ny, nx = h.shape
    # Interior vertical faces.
    for i in numba.prange(ny):
        for j in range(1, nx):
            qx[i, j], rx[i, j] = _flux(h[i, j - 1], z[i, j - 1], h[i, j], z[i, j], blocked[i, j - 1] or blocked[i, j],
                             qx_old[i, j], qx_old[i, j - 1], qx_old[i, j + 1], 0.5 * (n2[i, j - 1] + n2[i, j]),
                             dt, dx, theta, dry_depth, rx[i, j])
    for i in numba.prange(1, ny):
        for j in range(nx):
            qy[i, j], ry[i, j] = _flux(h[i - 1, j], z[i - 1, j], h[i, j], z[i, j], blocked[i - 1, j] or blocked[i, j],
                             qy_old[i, j], qy_old[i - 1, j], qy_old[i + 1, j], 0.5 * (n2[i - 1, j] + n2[i, j]),
                             dt, dx, theta, dry_depth, ry[i, j])
    # Edges: a ghost cell outside mirrors the edge cell's ground; its water level is
    # the edge cell's (closed: no flow), its bed continued with the inner slope
    # (open: water leaves at the local normal-flow rate) or the imposed level.
    for i in range(ny):
        qx[i, 0] = _edge(h[i, 0], z[i, 0], z[i, 1] if nx > 1 else z[i, 0], blocked[i, 0], qx_old[i, 0],
                         n2[i, 0], -1.0, edge_kind[2], edge_level[2], dt, dx, dry_depth)
        qx[i, nx] = _edge(h[i, nx - 1], z[i, nx - 1], z[i, nx - 2] if nx > 1 else z[i, nx - 1], blocked[i, nx - 1],
                          qx_old[i, nx], n2[i, nx - 1], 1.0, edge_kind[3], edge_level[3], dt, dx, dry_depth)
    for j in range(nx):
        qy[0, j] = _edge(h[0, j], z[0, j], z[1, j] if ny > 1 else z[0, j], blocked[0, j], qy_old[0, j],
                         n2[0, j], -1.0, edge_kind[0], edge_level[0], dt, dx, dry_depth)
        qy[ny, j] = _edge(h[ny - 1, j], z[ny - 1, j], z[ny - 2, j] if ny > 1 else z[ny - 1, j], blocked[ny - 1, j],
                          qy_old[ny, j], n2[ny - 1, j], 1.0, edge_kind[1], edge_level[1], dt, dx, dry_depth)


@numba.njit(cache=True, inline="always")
def _flux(h_l, z_l, h_r, z_r, blocked, q, q_before, q_after, n2, dt, dx, theta, dry_depth, root):
    if blocked:
        return 0.0, 0.0
    eta_l = z_l + h_l
    eta_r = z_r + h_r
    h_f = max(eta_l, eta_r) - max(z_l, z_r)
    if h_f <= dry_depth:
        return 0.0, 0.0
    root = _cube_root(h_f, root)
    q_mix = theta * q + 0.5 * (1.0 - theta) * (q_before + q_after)
    numerator = q_mix - G * h_f * dt * (eta_r - eta_l) / dx
    return numerator / (1.0 + G * dt * n2 * abs(q) / (h_f * h_f * root)), root


@numba.njit(cache=True, inline="always")
def _cube_root(x, guess):
    """x^(1/3) by two Halley steps from the face's previous value (exact cbrt when there is none)."""
    if guess <= 0.0:
        return np.cbrt(x)
    g3 = guess * guess * guess
    guess = guess * (g3 + 2.0 * x) / (2.0 * g3 + x)
    g3 = guess * guess * guess
    return guess * (g3 + 2.0 * x) / (2.0 * g3 + x)


@numba.njit(cache=True, inline="always")
def _edge(h, z, z_inner, blocked, q, n2, outward, kind, level, dt, dx, dry_depth):
    """Flux through an edge face; ``outward`` is +1 if positive q leaves the domain."""
    if kind == CLOSED or blocked:
        return 0.0
    eta = z + h
    if kind == OPEN:
        # Ghost bed continues the slope from the inner neighbour; ghost depth equals the edge cell's.
        z_ghost = z + (z - z_inner)
        z_ghost = min(z_ghost, z)  # never an uphill wall: water at the edge may always leave
        eta_ghost = z_ghost + h
    else:
        z_ghost = z
        eta_ghost = level
    h_f = max(eta, eta_ghost) - max(z, z_ghost)
    if h_f <= dry_depth:
        return 0.0
    gradient = (eta_ghost - eta) / dx * outward  # along +q
    result = (q - G * h_f * dt * gradient) / (1.0 + G * dt * n2 * abs(q) / (h_f * h_f * np.cbrt(h_f)))
    if kind == OPEN and result * outward < 0.0:
        return 0.0  # free outflow lets water out, never in
    return result


@numba.njit(cache=True, parallel=True)
def limit_outflows(h, qx, qy, dt, dx, factor):
    """Scale each cell's outgoing fluxes so it gives at most the water it holds (``factor``: scratch)."""
    ny, nx = h.shape
    for i in numba.prange(ny):
        for j in range(nx):
            factor[i, j] = 1.0
            out = max(qx[i, j + 1], 0.0) + max(-qx[i, j], 0.0) + max(qy[i + 1, j], 0.0) + max(-qy[i, j], 0.0)
            volume = out * dt / dx  # as a depth over the cell
            if volume > h[i, j]:
                factor[i, j] = h[i, j] / volume if volume > 0.0 else 0.0
    # Each face takes the factor of the cell its water comes from.
    for i in numba.prange(ny):
        for j in range(nx + 1):
            q = qx[i, j]
            if q > 0.0 and j > 0:
                qx[i, j] = q * factor[i, j - 1]
            elif q < 0.0 and j < nx:
                qx[i, j] = q * factor[i, j]
    for i in numba.prange(ny + 1):
        for j in range(nx):
            q = qy[i, j]
            if q > 0.0 and i > 0:
                qy[i, j] = q * factor[i - 1, j]
            elif q < 0.0 and i < ny:
                qy[i, j] = q * factor[i, j]


@numba.njit(cache=True, parallel=True)
def update_depths(h, qx, qy, dt, dx, t, max_depth, max_speed, time_of_max, arrival, max_hazard, arrival_depth,
                  dry_depth):
    """Continuity ``h += Δt (inflow − outflow) / Δx``, then the running maxima; returns the new h_max.

    Round-off below zero (the limiter leaves at most a few ulps) is clipped. Speed is the
    magnitude of the face discharges averaged to the centre, over the depth; the hazard
    rating is FD2320's ``d (v + 0.5) + DF`` (see :mod:`jumeau.flood.hazard`).
    """
    ny, nx = h.shape
    h_max = 0.0
    for i in numba.prange(ny):
        for j in range(nx):
            d = h[i, j] + dt * (qx[i, j] - qx[i, j + 1] + qy[i, j] - qy[i + 1, j]) / dx
            d = max(d, 0.0)
            h[i, j] = d
            h_max = max(h_max, d)
            if d > max_depth[i, j]:
                max_depth[i, j] = d
                time_of_max[i, j] = t
            if d > arrival_depth and np.isnan(arrival[i, j]):
                arrival[i, j] = t
            if d > dry_depth:
                ux = 0.5 * (qx[i, j] + qx[i, j + 1]) / d
                uy = 0.5 * (qy[i, j] + qy[i + 1, j]) / d
                v = np.sqrt(ux * ux + uy * uy)
                max_speed[i, j] = max(max_speed[i, j], v)
                hazard = d * (v + 0.5) + (1.0 if d > 0.25 else 0.0)
                max_hazard[i, j] = max(max_hazard[i, j], hazard)
    return h_max


@numba.njit(cache=True)
def boundary_volume(qx, qy, dt, dx):
    """Net volume leaving through the four edges during the step (m³; negative: entering)."""
    ny = qx.shape[0]
    nx = qy.shape[1]
    total = 0.0
    for i in range(ny):
        total += (qx[i, nx] - qx[i, 0]) * dt * dx
    for j in range(nx):
        total += (qy[ny, j] - qy[0, j]) * dt * dx
    return total


@numba.njit(cache=True)
def _scs(p, s, lam):
    """Cumulative SCS-CN runoff (mm) of cumulative rain p (mm); s < 0 means no losses."""
    if s < 0.0:
        return p
    excess = p - lam * s
    if excess <= 0.0:
        return 0.0
    return excess * excess / (excess + s)


@numba.njit(cache=True, parallel=True)
def ground_rain(h, p_before, p_after, factor, s, lam, blocked, held):
    """Add a step's SCS-CN runoff to ground cells, for cumulative rain p_before → p_after (mm).

    ``s`` is the retention (mm; −1 for no losses), ``held`` what roofs hold (mm).
    Returns the gross rain, the runoff added and the rain held on roofs, as depths
    summed over cells (mm).
    """
    ny, nx = h.shape
    gross = 0.0
    runoff = 0.0
    roofs_held = 0.0
    for i in numba.prange(ny):
        for j in range(nx):
            pb = p_before * factor[i, j]
            pa = p_after * factor[i, j]
            gross += pa - pb
            if blocked[i, j]:
                roofs_held += min(pa, held[i, j]) - min(pb, held[i, j])
            else:
                step = _scs(pa, s[i, j], lam) - _scs(pb, s[i, j], lam)
                h[i, j] += step / 1000.0
                runoff += step
    return gross, runoff, roofs_held


@numba.njit(cache=True)
def roof_rain(h, p_before, p_after, factor, blocked, held, receiver):
    """Pour each roof's rain (less what it holds) into its receiving cell (−1: the network).

    Serial because several roofs may pour into one cell. Returns the depths (m, summed
    over cells) sent to the ground and to the network.
    """
    ny, nx = h.shape
    flat = h.reshape(ny * nx)
    to_ground = 0.0
    to_network = 0.0
    for i in range(ny):
        for j in range(nx):
            if blocked[i, j]:
                pa = p_after * factor[i, j]
                pb = p_before * factor[i, j]
                r = (max(pa - held[i, j], 0.0) - max(pb - held[i, j], 0.0)) / 1000.0
                if receiver[i, j] >= 0:
                    flat[receiver[i, j]] += r
                    to_ground += r
                else:
                    to_network += r
    return to_ground, to_network


@numba.njit(cache=True, parallel=True)
def drain(h, drain_rate, dt):
    """Remove up to ``drain_rate`` (m/s) × Δt of standing water; return the depth removed (m, summed)."""
    ny, nx = h.shape
    drained = 0.0
    for i in numba.prange(ny):
        for j in range(nx):
            sink = drain_rate[i, j] * dt
            if sink > 0.0 and h[i, j] > 0.0:
                taken = min(sink, h[i, j])
                h[i, j] -= taken
                drained += taken
    return drained
