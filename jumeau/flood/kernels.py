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


@numba.njit(cache=True, parallel=True, error_model="numpy")
def face_fluxes(h, z, n2, blocked, qx, qy, raw_x, raw_y, dt, dx, theta, dry_depth, edge_kind, edge_level):
    """Write the step's unlimited discharges into ``raw_x``, ``raw_y`` from the last ones (see module docstring).

    One sweep over the rows computes each row's vertical faces and the horizontal faces
    above it, so the cells' arrays are read once. ``edge_kind`` (4,) gives each edge's
    boundary — north, south, west, east — and ``edge_level`` (4,) the water level imposed
    on LEVEL edges.
    """
    ny, nx = h.shape
    for i in numba.prange(ny):
        for j in range(1, nx):
            raw_x[i, j] = _flux(
                h[i, j - 1], z[i, j - 1], h[i, j], z[i, j], blocked[i, j - 1] or blocked[i, j], qx[i, j],
                qx[i, j - 1], qx[i, j + 1], 0.5 * (n2[i, j - 1] + n2[i, j]), dt, dx, theta, dry_depth)
        if i > 0:
            for j in range(nx):
                raw_y[i, j] = _flux(
                    h[i - 1, j], z[i - 1, j], h[i, j], z[i, j], blocked[i - 1, j] or blocked[i, j], qy[i, j],
                    qy[i - 1, j], qy[i + 1, j], 0.5 * (n2[i - 1, j] + n2[i, j]), dt, dx, theta, dry_depth)
        # Edges: a ghost cell outside mirrors the edge cell's ground; its water level is
        # the edge cell's (closed: no flow), its bed continued with the inner slope
        # (open: water leaves at the local normal-flow rate) or the imposed level.
        raw_x[i, 0] = _edge(h[i, 0], z[i, 0], z[i, 1], blocked[i, 0], qx[i, 0], n2[i, 0], -1.0, edge_kind[2],
                            edge_level[2], dt, dx, dry_depth)
        raw_x[i, nx] = _edge(h[i, nx - 1], z[i, nx - 1], z[i, nx - 2], blocked[i, nx - 1], qx[i, nx],
                             n2[i, nx - 1], 1.0, edge_kind[3], edge_level[3], dt, dx, dry_depth)
    for j in range(nx):
        raw_y[0, j] = _edge(h[0, j], z[0, j], z[1, j], blocked[0, j], qy[0, j], n2[0, j], -1.0, edge_kind[0],
                            edge_level[0], dt, dx, dry_depth)
        raw_y[ny, j] = _edge(h[ny - 1, j], z[ny - 1, j], z[ny - 2, j], blocked[ny - 1, j], qy[ny, j],
                             n2[ny - 1, j], 1.0, edge_kind[1], edge_level[1], dt, dx, dry_depth)


@numba.njit(cache=True, inline="always", error_model="numpy")
def _flux(h_l, z_l, h_r, z_r, blocked, q, q_before, q_after, n2, dt, dx, theta, dry_depth):
    # Branch-free on purpose: every face computes its flux and dry or blocked faces select
    # zero, so the row loop vectorises.
    eta_l = z_l + h_l
    eta_r = z_r + h_r
    h_f = max(eta_l, eta_r) - max(z_l, z_r)
    flowing = (h_f > dry_depth) and not blocked
    h_f = max(h_f, dry_depth)
    r = _inverse_cube_root(h_f)
    q_mix = theta * q + 0.5 * (1.0 - theta) * (q_before + q_after)
    numerator = q_mix - G * h_f * dt * (eta_r - eta_l) / dx
    r2 = r * r
    flux = numerator / (1.0 + G * dt * n2 * abs(q) * (r2 * r2 * r2 * r))  # h_f^(-7/3) = r^7
    return flux if flowing else 0.0


# x^(-1/3) ≈ bits(M − bits(x)/3) within 4 % for any positive double, M = 4/3 (1023 − σ) 2^52
# with σ = 0.0450465 (the same trick as the well-known fast inverse square root).
_INVERSE_CUBE_ROOT_MAGIC = 0x553F09FC6DA44800


@numba.njit(cache=True, inline="always", error_model="numpy")
def _inverse_cube_root(x):
    """x^(-1/3) for x > 0 within 1e-9: a bit-level first guess then three Newton steps.

    No division and no library call, so the face loop stays branch-light and
    vectorisable: a library cube root per face took 90 % of the step. Newton's step for
    f(r) = r^-3 − x, r ← r (4 − x r³)/3, squares the relative error each time:
    4 % → 3e-3 → 2e-5 → 7e-10 (measured over 1e-5…1e2 m); a fourth step (round-off)
    would cost 15 % of the whole simulation for a friction term known to a few percent.
    """
    # i/3 through a float product: an integer floor division would block vectorisation
    r = np.int64(_INVERSE_CUBE_ROOT_MAGIC - np.int64(np.float64(np.float64(x).view(np.int64)) * (1.0 / 3.0))).view(np.float64)
    for _ in range(3):
        r *= (4.0 - x * r * r * r) * (1.0 / 3.0)
    return r


@numba.njit(cache=True, inline="always", error_model="numpy")
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


@numba.njit(cache=True, inline="always", error_model="numpy")
def _limited(q, factor_west_or_north, factor_east_or_south):
    """A face's discharge scaled by the limiting factor of the cell its water comes from."""
    return q * (factor_west_or_north if q > 0.0 else factor_east_or_south)


@numba.njit(cache=True, parallel=True, error_model="numpy")
def update_depths(h, raw_x, raw_y, qx, qy, factor, drain_rate, drained, dt, dx):
    """Limit the discharges into ``qx``, ``qy``, apply continuity and the sewer sink.

    First each cell's outgoing discharges are scaled so it gives at most the water it
    holds; each face takes the factor of the cell its water comes from, so both its cells
    see the same discharge and mass is conserved exactly. ``factor`` is scratch of shape
    (ny + 2, nx + 2) whose outer ring holds 1 (the world outside never limits). Then
    ``h += Δt (inflow − outflow) / Δx``, less up to ``drain_rate`` (m/s) × Δt of standing
    water on sewer-connected cells (the depth taken is added to ``drained``, per cell).
    Round-off below zero (the limiter leaves at most a few ulps) is clipped. Returns the
    volume (m³) that left through the edges (negative: entered), from the same float64
    limited discharges as the depths (not the stored float32 ones) so the balance closes.

    The cell loops select rather than branch and hold no running sum or maximum, so that
    they vectorise (a reduction alone made the loop five times slower).
    """
    ny, nx = h.shape
    for i in numba.prange(ny):
        for j in range(nx):
            out = max(raw_x[i, j + 1], 0.0) + max(-raw_x[i, j], 0.0) + max(raw_y[i + 1, j], 0.0) + max(-raw_y[i, j], 0.0)
            volume = out * dt / dx  # as a depth over the cell
            factor[i + 1, j + 1] = h[i, j] / volume if volume > h[i, j] else 1.0
    for i in numba.prange(ny):
        for j in range(nx):
            f = factor[i + 1, j + 1]
            west = _limited(raw_x[i, j], factor[i + 1, j], f)
            east = _limited(raw_x[i, j + 1], f, factor[i + 1, j + 2])
            north = _limited(raw_y[i, j], factor[i, j + 1], f)
            south = _limited(raw_y[i + 1, j], f, factor[i + 2, j + 1])
            qx[i, j] = west
            qy[i, j] = north
            d = max(h[i, j] + dt * (west - east + north - south) / dx, 0.0)
            taken = min(drain_rate[i, j] * dt, d)
            drained[i, j] += taken
            h[i, j] = d - taken
    # The east and south edge faces belong to no cell's west or north: stored here. The
    # west and north ones were stored by the cell loop; recomputed here identically.
    outflow = 0.0
    for i in range(ny):
        east = _limited(raw_x[i, nx], factor[i + 1, nx], 1.0)
        qx[i, nx] = east
        outflow += east - _limited(raw_x[i, 0], 1.0, factor[i + 1, 1])
    for j in range(nx):
        south = _limited(raw_y[ny, j], factor[ny, j + 1], 1.0)
        qy[ny, j] = south
        outflow += south - _limited(raw_y[0, j], 1.0, factor[1, j + 1])
    return outflow * dt * dx


@numba.njit(cache=True, parallel=True, error_model="numpy")
def track_maxima(h, qx, qy, t, max_depth, time_of_max, arrival, max_speed, max_hazard, arrival_depth, dry_depth):
    """Running maxima after a step: depth and its time, arrival time, speed and FD2320 hazard rating.

    Speed is the magnitude of the face discharges averaged to the centre, over the depth;
    the hazard rating is ``d (v + 0.5) + DF`` (see :mod:`jumeau.flood.hazard`), both on
    wet cells. A pass of its own, with selects rather than branches: inside the depth
    update these made the whole loop several times slower.
    """
    ny, nx = h.shape
    for i in numba.prange(ny):
        for j in range(nx):
            d = h[i, j]
            previous = max_depth[i, j]
            rising = d > previous
            max_depth[i, j] = d if rising else previous
            time_of_max[i, j] = t if rising else time_of_max[i, j]
            arrival[i, j] = t if d > arrival_depth and np.isnan(arrival[i, j]) else arrival[i, j]
            inverse = 0.5 / max(d, dry_depth)
            ux = (qx[i, j] + qx[i, j + 1]) * inverse
            uy = (qy[i, j] + qy[i + 1, j]) * inverse
            v = np.sqrt(ux * ux + uy * uy)
            wet = d > dry_depth
            max_speed[i, j] = max(max_speed[i, j], v) if wet else max_speed[i, j]
            hazard = d * (v + 0.5) + (1.0 if d > 0.25 else 0.0)
            max_hazard[i, j] = max(max_hazard[i, j], hazard) if wet else max_hazard[i, j]


@numba.njit(cache=True, inline="always", error_model="numpy")
def _scs(p, s, lam):
    """Cumulative SCS-CN runoff (mm) of cumulative rain p (mm); s < 0 means no losses."""
    excess = p - lam * s
    runoff = excess * excess / (excess + s) if excess > 0.0 else 0.0
    return p if s < 0.0 else runoff


@numba.njit(cache=True, parallel=True, error_model="numpy")
def add_rain(h, p_before, p_after, factor, s, lam, blocked, roofs, receivers, held, runoff):
    """Add a step's rain for cumulative rain p_before → p_after (mm).

    Ground cells (``s`` ≥ 0: SCS-CN retention in mm; −1: no losses) get the increase of
    their cumulative runoff ``runoff`` (mm, per cell, updated here: one SCS-CN evaluation
    per cell and step, and no running sum in the loop, which vectorises); each roof cell
    (``blocked``; their flat indices in ``roofs``) keeps up to ``held`` mm and pours the
    rest into its receiving cell (``receivers``; −1: the
    storm sewers). The roof loop is serial because several roofs may pour into one
    cell. Returns the rain held on roofs (mm, summed over roof cells) and the roof rain
    sent to the ground and to the network (m, summed).
    """
    ny, nx = h.shape
    for i in numba.prange(ny):
        for j in range(nx):
            cumulative = 0.0 if blocked[i, j] else _scs(p_after * factor[i, j], s[i, j], lam)
            h[i, j] += (cumulative - runoff[i, j]) / 1000.0
            runoff[i, j] = cumulative
    flat = h.reshape(ny * nx)
    factor_flat = factor.reshape(ny * nx)
    roofs_held = 0.0
    to_ground = 0.0
    to_network = 0.0
    for k in range(roofs.size):
        cell = roofs[k]
        pa = p_after * factor_flat[cell]
        pb = p_before * factor_flat[cell]
        roofs_held += min(pa, held[k]) - min(pb, held[k])
        r = (max(pa - held[k], 0.0) - max(pb - held[k], 0.0)) / 1000.0
        if receivers[k] >= 0:
            flat[receivers[k]] += r
            to_ground += r
        else:
            to_network += r
    return roofs_held, to_ground, to_network
