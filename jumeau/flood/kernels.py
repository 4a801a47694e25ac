"""Compiled kernels of the local-inertial shallow-water scheme (numba).

Staggered grid: depths ``h`` at cell centres (ny, nx); unit-width discharges ``qx``
on the vertical faces (ny, nx + 1) and ``qy`` on the horizontal faces (ny + 1, nx),
positive towards +x (east) and towards +row (south, since row 0 is the north edge).
Face ``qx[i, j]`` lies between cells (i, j − 1) and (i, j); ``qy[i, j]`` between
(i − 1, j) and (i, j). Edge faces (column 0 and nx, row 0 and ny) carry the
boundary conditions.

Momentum (Bates, Horritt & Fewtrell 2010, eq. 11, with the θ-weighted discharge of
de Almeida, Bates, Freer & Souvignet 2012, eq. 7, and the friction taken on the new
discharge, see :func:`_implicit_friction`)::

    q_new (1 + g Δt n² |q_new| / h_f^(7/3)) = θ q + (1 − θ)/2 (q_left + q_right) − g h_f Δt ∂η/∂x

held at the Froude limit ``|q_new| ≤ h_f √(g h_f)`` (the local-inertial equations hold for
subcritical flow), with the flow depth at the face ``h_f = max(η_L, η_R) − max(z_L, z_R)``. A face is
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
FROUDE_MAX = 1.0  # the local-inertial equations hold for subcritical flow: |q| ≤ h √(g h)
AT_CAP = 0.999  # a face within 0.1 % of the cap counts as held by it
CRITICAL = (2.0 / 3.0) ** 1.5  # free outfall: q = √g (2h/3)^(3/2), critical flow from still water of depth h


@numba.njit(cache=True, parallel=True, error_model="numpy")
def face_fluxes(h, z, n2, blocked, qx, qy, raw_x, raw_y, depth_x, depth_y, dt, dx, theta, dry_depth, edge_kind,
                edge_level):
    """Write the step's unlimited discharges into ``raw_x``, ``raw_y`` from the last ones (see module docstring),
    and each face's flow depth into ``depth_x``, ``depth_y`` (0 where no water flows).

    One sweep over the rows computes each row's vertical faces and the horizontal faces
    above it, so the cells' arrays are read once. ``edge_kind`` (4,) gives each edge's
    boundary — north, south, west, east — and ``edge_level`` (4,) the water level imposed
    on LEVEL edges.
    """
    ny, nx = h.shape
    for i in numba.prange(ny):
        for j in range(1, nx):
            raw_x[i, j], depth_x[i, j] = _flux(
                h[i, j - 1], z[i, j - 1], h[i, j], z[i, j], blocked[i, j - 1] or blocked[i, j], qx[i, j],
                qx[i, j - 1], qx[i, j + 1], 0.5 * (n2[i, j - 1] + n2[i, j]), dt, dx, theta, dry_depth)
        if i > 0:
            for j in range(nx):
                raw_y[i, j], depth_y[i, j] = _flux(
                    h[i - 1, j], z[i - 1, j], h[i, j], z[i, j], blocked[i - 1, j] or blocked[i, j], qy[i, j],
                    qy[i - 1, j], qy[i + 1, j], 0.5 * (n2[i - 1, j] + n2[i, j]), dt, dx, theta, dry_depth)
        # Edges: a ghost cell outside mirrors the edge cell's ground; its water level is
        # the edge cell's (closed: no flow), its bed continued with the inner slope
        # (open: water leaves at the local normal-flow rate) or the imposed level.
        raw_x[i, 0], depth_x[i, 0] = _edge(h[i, 0], z[i, 0], z[i, 1], blocked[i, 0], qx[i, 0], n2[i, 0], -1.0,
                                           edge_kind[2], edge_level[2], dt, dx, dry_depth)
        raw_x[i, nx], depth_x[i, nx] = _edge(h[i, nx - 1], z[i, nx - 1], z[i, nx - 2], blocked[i, nx - 1], qx[i, nx],
                                             n2[i, nx - 1], 1.0, edge_kind[3], edge_level[3], dt, dx, dry_depth)
    for j in range(nx):
        raw_y[0, j], depth_y[0, j] = _edge(h[0, j], z[0, j], z[1, j], blocked[0, j], qy[0, j], n2[0, j], -1.0,
                                           edge_kind[0], edge_level[0], dt, dx, dry_depth)
        raw_y[ny, j], depth_y[ny, j] = _edge(h[ny - 1, j], z[ny - 1, j], z[ny - 2, j], blocked[ny - 1, j], qy[ny, j],
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
    driven = q_mix - G * h_f * dt * (eta_r - eta_l) / dx
    r2 = r * r
    friction = G * dt * n2 * (r2 * r2 * r2 * r)  # h_f^(-7/3) = r^7
    flux = _implicit_friction(driven, friction)
    cap = FROUDE_MAX * h_f * np.sqrt(G * h_f)
    flux = min(max(flux, -cap), cap)
    return (flux, h_f) if flowing else (0.0, 0.0)


@numba.njit(cache=True, inline="always", error_model="numpy")
def _implicit_friction(driven, friction):
    """The q solving ``q (1 + friction·|q|) = driven``: Manning friction on the new discharge.

    Bates et al. (2010) put the old ``|q|`` in the friction term, which is explicit in
    the discharge's size: where friction dominates (thin sheets, water over a step) a
    small ``|q|`` lets through a large new one and the next step the reverse, a two-step
    oscillation that made sheet flow 0.15–2.5 times too deep and 77 m/s fast at the
    default time step. Solved for the new discharge, the quadratic has one root of the
    sign of ``driven``; written ``2A / (1 + √(1 + 4c|A|))`` it is exact for c → 0
    (no friction: q = A) and tends to Manning's ``√(A/c)`` (normal flow) for large c,
    without cancellation.
    """
    return 2.0 * driven / (1.0 + np.sqrt(1.0 + 4.0 * friction * abs(driven)))


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
        return 0.0, 0.0
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
        return 0.0, 0.0
    gradient = (eta_ghost - eta) / dx * outward  # along +q
    result = _implicit_friction(q - G * h_f * dt * gradient, G * dt * n2 / (h_f * h_f * np.cbrt(h_f)))
    cap = FROUDE_MAX * h_f * np.sqrt(G * h_f)
    result = min(max(result, -cap), cap)
    if kind == OPEN:
        # Free outfall: water leaves at least at the critical discharge of its depth, so an
        # edge on flat ground drains (the continued bed alone gave no slope: a wall), and
        # never comes in.
        critical = CRITICAL * np.sqrt(G * h) * h
        return outward * max(result * outward, critical), h_f
    return result, h_f


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
def track_maxima(h, qx, qy, depth_x, depth_y, t, max_depth, time_of_max, arrival, max_speed, max_hazard, wave,
                 capped, arrival_depth, dry_depth, speed_depth):
    """Running maxima after a step: depth and its time, arrival time, speed and FD2320 hazard rating;
    and, per cell, the fastest signal across its west and north faces, ``|u| + √(g h_f)``, into ``wave``.

    Speed is the cell-centred velocity: each face's velocity, its discharge over its flow
    depth (``depth_x``, ``depth_y``, at least ``speed_depth``), averaged across the cell in
    x and in y. The face depth, not the cell's: where water arrives on a dry cell, or falls
    off a step, the cell holds a film while the face carries the water of the cell
    upstream, and the discharge over the film's depth gave speeds of hundreds of m/s. The
    hazard rating is ``d (v + 0.5) + DF`` (see :mod:`jumeau.flood.hazard`) on wet cells.
    ``wave`` sets the next time step (the east and south edge faces are folded into the
    cells along them). ``capped`` counts, per cell, the steps in which its west or north
    face ran at the Froude cap. A pass of its own, with selects rather than branches:
    inside the depth update these made the whole loop several times slower.
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
            west = qx[i, j] / max(depth_x[i, j], speed_depth)
            north = qy[i, j] / max(depth_y[i, j], speed_depth)
            ux = 0.5 * (west + qx[i, j + 1] / max(depth_x[i, j + 1], speed_depth))
            uy = 0.5 * (north + qy[i + 1, j] / max(depth_y[i + 1, j], speed_depth))
            v = np.sqrt(ux * ux + uy * uy)
            wet = d > dry_depth
            max_speed[i, j] = max(max_speed[i, j], v)
            hazard = d * (v + 0.5) + (1.0 if d > 0.25 else 0.0)
            max_hazard[i, j] = max(max_hazard[i, j], hazard) if wet else max_hazard[i, j]
            wave_x = np.sqrt(G * depth_x[i, j])
            wave_y = np.sqrt(G * depth_y[i, j])
            wave[i, j] = max(abs(west) + wave_x, abs(north) + wave_y)
            at_cap = (abs(west) >= AT_CAP * FROUDE_MAX * wave_x) and depth_x[i, j] >= speed_depth
            at_cap = at_cap or ((abs(north) >= AT_CAP * FROUDE_MAX * wave_y) and depth_y[i, j] >= speed_depth)
            capped[i, j] += 1.0 if at_cap else 0.0
    for i in range(ny):
        east = abs(qx[i, nx]) / max(depth_x[i, nx], speed_depth) + np.sqrt(G * depth_x[i, nx])
        wave[i, nx - 1] = max(wave[i, nx - 1], east)
    for j in range(nx):
        south = abs(qy[ny, j]) / max(depth_y[ny, j], speed_depth) + np.sqrt(G * depth_y[ny, j])
        wave[ny - 1, j] = max(wave[ny - 1, j], south)


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
    rest into its receiving cell (``receivers``; −1: the storm sewers). The roof loop is
    serial because several roofs may pour into one cell. Returns the rain held on roofs
    (mm, summed over roof cells) and the roof rain sent to the ground and to the network
    (m, summed).
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
