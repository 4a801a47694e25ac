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
ZERO, HALF, ONE, THIRD = np.float32(0.0), np.float32(0.5), np.float32(1.0), np.float32(1.0 / 3.0)


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
                h[i, j - 1], z[i, j - 1], h[i, j], z[i, j], blocked[i, j - 1] | blocked[i, j], qx[i, j],
                qx[i, j - 1], qx[i, j + 1], HALF * (n2[i, j - 1] + n2[i, j]), dt, dx, theta, dry_depth)
        if i > 0:
            for j in range(nx):
                raw_y[i, j], depth_y[i, j] = _flux(
                    h[i - 1, j], z[i - 1, j], h[i, j], z[i, j], blocked[i - 1, j] | blocked[i, j], qy[i, j],
                    qy[i - 1, j], qy[i + 1, j], HALF * (n2[i - 1, j] + n2[i, j]), dt, dx, theta, dry_depth)
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
    # Branch-free on purpose (``|`` and selects, not ``or`` and ``if``): every face computes
    # its flux and dry or blocked faces select zero, so the row loop vectorises. The levels
    # and their difference are float64 (a millimetre on a 100 m elevation); the rest is
    # float32, as the stored discharges are: twice the SIMD lanes of float64.
    eta_l = z_l + h_l
    eta_r = z_r + h_r
    depth = max(eta_l, eta_r) - max(z_l, z_r)
    flowing = (depth > dry_depth) & (not blocked)
    h_f = np.float32(max(depth, dry_depth))
    slope = np.float32(eta_r - eta_l) / np.float32(dx)  # a float32 division: twice the lanes of a float64 one
    g_dt = np.float32(G * dt)
    mix = np.float32(theta)
    q_mix = mix * q + HALF * (ONE - mix) * (q_before + q_after)
    driven = q_mix - g_dt * h_f * slope
    r = _inverse_cube_root(h_f)
    r2 = r * r
    friction = g_dt * n2 * (r2 * r2 * r2 * r)  # h_f^(-7/3) = r^7
    flux = _implicit_friction(driven, friction)
    cap = np.float32(FROUDE_MAX) * h_f * np.sqrt(np.float32(G) * h_f)
    flux = min(max(flux, -cap), cap)
    return (flux if flowing else ZERO), (h_f if flowing else ZERO)


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
    without cancellation. In float32, as the discharges are stored.
    """
    return np.float32(2.0) * driven / (ONE + np.sqrt(ONE + np.float32(4.0) * friction * abs(driven)))


# x^(-1/3) ≈ bits(M − bits(x)/3) within 4 % for any positive float32, M = 4/3 (127 − σ) 2^23
# with σ = 0.0450465 (the same trick as the well-known fast inverse square root).
_INVERSE_CUBE_ROOT_MAGIC = np.int32(0x54A2FA8E)


@numba.njit(cache=True, inline="always", error_model="numpy")
def _inverse_cube_root(x):
    """x^(-1/3) for a float32 x > 0 within 3e-7 (float32 round-off): a bit-level first guess then three Newton steps.

    No division and no library call, so the face loop stays branch-light and
    vectorisable: a library cube root per face took 90 % of the step. Newton's step for
    f(r) = r^-3 − x, r ← r (4 − x r³)/3, squares the relative error each time:
    4 % → 3e-3 → 2e-5 → float32 round-off (measured over 1e-6…1e3 m).
    """
    # i/3 through a float product: an integer floor division would block vectorisation
    r = np.int32(_INVERSE_CUBE_ROOT_MAGIC - np.int32(np.float32(np.float32(x).view(np.int32)) * THIRD)).view(np.float32)
    for _ in range(3):
        r *= (np.float32(4.0) - x * r * r * r) * THIRD
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
    result = _implicit_friction(np.float32(q - G * h_f * dt * gradient), np.float32(G * dt * n2 / (h_f * h_f * np.cbrt(h_f))))
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
def update_cells(h, raw_x, raw_y, qx, qy, factor, drain_rate, drained, depth_x, depth_y, t, max_depth, time_of_max,
                 arrival, max_speed, max_hazard, wave, capped, dt, dx, arrival_depth, dry_depth, speed_depth):
    """The cells' part of a step: limit the discharges, continuity, sewers, then the running maxima.

    First each cell's outgoing discharges are scaled so it gives at most the water it
    holds; each face takes the factor of the cell its water comes from, so both its cells
    see the same discharge and mass is conserved exactly. ``factor`` is scratch of shape
    (ny + 2, nx + 2) whose outer ring holds 1 (the world outside never limits). The
    limited discharges go to ``qx``, ``qy`` for the next step's momentum. Then, per cell:

    - ``h += Δt (inflow − outflow) / Δx`` (round-off below zero, a few ulps the limiter
      leaves, is clipped);
    - the storm sewers take up to ``drain_rate`` (m/s) × Δt of standing water on connected
      cells (added to ``drained``, per cell);
    - maxima: depth and its time, arrival time, speed and FD2320 hazard rating; ``wave``,
      the fastest signal across the cell's faces, ``|u| + √(g h_f)``, sets the next time
      step; ``capped`` counts the steps in which one of its faces ran at the Froude cap.

    Speed is the cell-centred velocity: each face's velocity, its discharge over its flow
    depth (``depth_x``, ``depth_y``, at least ``speed_depth``), averaged across the cell in
    x and in y. The face depth, not the cell's: where water arrives on a dry cell, or falls
    off a step, the cell holds a film while the face carries the water of the cell
    upstream, and the discharge over the film's depth gave speeds of hundreds of m/s. The
    hazard rating is ``d (v + 0.5) + DF`` (see :mod:`jumeau.flood.hazard`) on wet cells.

    One pass over the cells for all of it, with selects rather than branches and no
    running sum or maximum inside (either stops the loop vectorising), so each cell's
    water, discharges and maxima cross the memory bus once per step. Returns the volumes
    (m³) that left and that entered through the edges (an imposed level can push water in),
    from the same float64 limited discharges as the depths (not the stored float32 ones), so
    the balance closes.
    """
    ny, nx = h.shape
    floor, g, at_cap = np.float32(speed_depth), np.float32(G), np.float32(AT_CAP * FROUDE_MAX)
    rate = dt / dx  # a multiplication per cell instead of a division
    for i in numba.prange(ny):
        for j in range(nx):
            out = max(raw_x[i, j + 1], 0.0) + max(-raw_x[i, j], 0.0) + max(raw_y[i + 1, j], 0.0) + max(-raw_y[i, j], 0.0)
            volume = out * rate  # as a depth over the cell
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
            d = max(h[i, j] + rate * (west - east + north - south), 0.0)
            taken = min(drain_rate[i, j] * dt, d)
            drained[i, j] += taken
            d -= taken
            h[i, j] = d

            previous = max_depth[i, j]
            rising = d > previous
            max_depth[i, j] = d if rising else previous
            time_of_max[i, j] = t if rising else time_of_max[i, j]
            arrival[i, j] = t if d > arrival_depth and np.isnan(arrival[i, j]) else arrival[i, j]
            # Speeds, waves and hazard in float32, as they are stored: twice the SIMD lanes for
            # the cell's four divisions and five square roots, most of the pass's arithmetic.
            u_west = np.float32(west) / max(depth_x[i, j], floor)
            u_east = np.float32(east) / max(depth_x[i, j + 1], floor)
            u_north = np.float32(north) / max(depth_y[i, j], floor)
            u_south = np.float32(south) / max(depth_y[i + 1, j], floor)
            ux = HALF * (u_west + u_east)
            uy = HALF * (u_north + u_south)
            v = np.sqrt(ux * ux + uy * uy)
            max_speed[i, j] = max(max_speed[i, j], v)
            depth = np.float32(d)
            hazard = depth * (v + HALF) + (ONE if depth > np.float32(0.25) else ZERO)
            max_hazard[i, j] = max(max_hazard[i, j], hazard) if d > dry_depth else max_hazard[i, j]
            c_west = np.sqrt(g * depth_x[i, j])
            c_east = np.sqrt(g * depth_x[i, j + 1])
            c_north = np.sqrt(g * depth_y[i, j])
            c_south = np.sqrt(g * depth_y[i + 1, j])
            wave[i, j] = max(max(abs(u_west) + c_west, abs(u_east) + c_east),
                             max(abs(u_north) + c_north, abs(u_south) + c_south))
            # one 0/1 per face, not a chain of ``|`` on booleans (which stopped the loop vectorising)
            cap_w = ONE if (abs(u_west) >= at_cap * c_west) & (depth_x[i, j] >= floor) else ZERO
            cap_e = ONE if (abs(u_east) >= at_cap * c_east) & (depth_x[i, j + 1] >= floor) else ZERO
            cap_n = ONE if (abs(u_north) >= at_cap * c_north) & (depth_y[i, j] >= floor) else ZERO
            cap_s = ONE if (abs(u_south) >= at_cap * c_south) & (depth_y[i + 1, j] >= floor) else ZERO
            capped[i, j] += max(max(cap_w, cap_e), max(cap_n, cap_s))
    # The east and south edge faces belong to no cell's west or north: stored here. The
    # west and north ones were stored by the cell loop; recomputed here identically.
    left = 0.0
    entered = 0.0
    for i in range(ny):
        east = _limited(raw_x[i, nx], factor[i + 1, nx], 1.0)
        qx[i, nx] = east
        west = _limited(raw_x[i, 0], 1.0, factor[i + 1, 1])
        left += max(east, 0.0) + max(-west, 0.0)
        entered += max(-east, 0.0) + max(west, 0.0)
    for j in range(nx):
        south = _limited(raw_y[ny, j], factor[ny, j + 1], 1.0)
        qy[ny, j] = south
        north = _limited(raw_y[0, j], 1.0, factor[1, j + 1])
        left += max(south, 0.0) + max(-north, 0.0)
        entered += max(-south, 0.0) + max(north, 0.0)
    return left * dt * dx, entered * dt * dx


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
