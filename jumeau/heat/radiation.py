"""Mean radiant temperature of a standing person from six-directional radiant fluxes.

The person is a box receiving short-wave (K) and long-wave (L) fluxes from above, from below
and from its four sides (east, south, west, north). What it absorbs is (Höppe 1992; Lindberg,
Holmer & Thorsson 2008, *Int. J. Biometeorol.* 52: 697–713):

    Sstr = ζ_k·Σ F_i·K_i + ε_p·Σ F_i·L_i,   Tmrt = (Sstr / (ε_p·σ))^¼ − 273.15

with ζ_k = 0.70, ε_p = 0.97 and the angular factors of a standing person F = 0.06 up and
down, 0.22 for each side. The fluxes, for each ground cell at each hour:

* **direct sun** ``I`` (normal irradiance) on the top ``I·sin η`` and on the sides facing the
  sun ``I·cos η·max(0, cos(Δazimuth))``, times the sunlit share ``S``: 0 behind buildings
  or terrain, the crowns' transmissivity τ = 0.03 under trees (Lindberg & Grimmond 2011);
* **diffuse sky** ``D·ψ``, ψ the sky view factor of each face (:mod:`jumeau.heat.skyview`),
  crowns letting τ through;
* **reflected** short-wave: from the ground below (albedo × its irradiance, averaged over
  the ground the person sees) and from the walls in view (albedo 0.20 × the wall's
  irradiance: the sun on the walls facing it, half the diffuse sky and of the ground's
  reflection);
* **long-wave from the sky** ``ε_sky·σ·Ta⁴`` through the visible sky, with the clear-sky
  emissivity of Prata (1996) corrected for clouds by Crawford & Duchon (1999) with the
  clearness index; **from tree crowns** at air temperature; **from walls** (ε = 0.90) at
  air temperature, warmed when they face the sun (:mod:`jumeau.heat.surface_temperature`);
  **from the ground** ``ε·σ·Tg⁴`` plus the reflection of the sky, sunlit ground warmed
  by the same wave.

The ground a person sees below is weighted by the view factor of a horizontal disc seen
from the person's centre at 1.1 m: an element at distance r weighs ``h²/(r² + h²)²``.
Buildings are not ground: a person stands on the cells outside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import ndimage

from jumeau.heat import shadows, surface_temperature
from jumeau.heat.skyview import SIDES, SkyView

STEFAN_BOLTZMANN = 5.670374e-8
ABSORB_SHORT, EMIT_PERSON = 0.70, 0.97  # Höppe (1992)
UP_DOWN, SIDE = 0.06, 0.22  # angular factors of a standing person (Fanger 1970; Lindberg et al. 2008)
PERSON_CENTRE = 1.1  # m above ground
CROWN_TRANSMISSIVITY = 0.03  # short-wave through a crown (Lindberg & Grimmond 2011; Konarska et al. 2014)
TRUNK_SHARE = 0.25  # the lowest quarter of a tree is trunk: low sun passes under its crown (ibid.)
WALL_ALBEDO, WALL_EMISSIVITY, LEAF_EMISSIVITY = 0.20, 0.90, 0.98  # Lindberg et al. (2008, 2016)
KELVIN = 273.15
LIGHT_SHARES = np.array([0.0, CROWN_TRANSMISSIVITY, 1.0])  # of the beam: shadow, under a crown, sun


@dataclass(frozen=True)
class Scene:
    """A place as the radiation model sees it; built once per surface, reused for every hour.

    ``dsm`` terrain + buildings (m); ``canopy`` height above ground (m, 0 where none) of the tree
    crowns, which cast shadows and hide the sky by their shape; ``scattered`` the cover (0–1) of
    trees too sparse to map one by one (an intervention's "35 % cover"): that share of the ground
    is in their shade and that share of the sky overhead is leaves, and a person stands under a
    tree with that probability (:attr:`Fluxes.under_trees`); ``ground`` True where
    people stand (not on a roof); per-cell ground ``albedo``, ``emissivity`` and surface warming
    parameters ``tg_slope`` (K/°), ``tg_intercept`` (K); ``view`` the sky view factors of the ground.
    """

    dsm: np.ndarray
    elevation: np.ndarray
    canopy: np.ndarray
    scattered: np.ndarray
    ground: np.ndarray
    albedo: np.ndarray
    emissivity: np.ndarray
    tg_slope: np.ndarray
    tg_intercept: np.ndarray
    cell: float
    view: SkyView

    def rows(self, window: slice) -> Scene:
        """The scene's rows ``window`` (views, not copies), for computing an hour strip by strip."""
        cut = {name: value[window] for name, value in vars(self).items() if isinstance(value, np.ndarray)}
        view = SkyView(self.view.past_walls[:, window], self.view.open[:, window])
        return Scene(**cut, cell=self.cell, view=view)

    def light(self, elevation: float, azimuth: float) -> np.ndarray:
        """Each cell's light as an index into :data:`LIGHT_SHARES` (the share of the direct beam reaching a
        person, scattered trees aside): in a shadow, under a crown, in the sun.

        One byte a cell, so an hour's instants can be kept for the whole grid while its fluxes are computed
        strip by strip (see :func:`beam_shares`).
        """
        if elevation <= 0:
            return np.zeros(self.dsm.shape, dtype="uint8")
        behind_walls = shadows.cast_shadow(self.dsm, self.cell, elevation, azimuth)
        trees = self.canopy > 0
        top = np.where(trees, self.elevation + self.canopy, self.elevation)
        base = np.where(trees, self.elevation + TRUNK_SHARE * self.canopy, np.inf)
        under_crowns = shadows.crown_shadow(self.dsm, top, base, self.cell, elevation, azimuth)
        light = np.where(under_crowns, np.uint8(1), np.uint8(2))
        light[behind_walls] = 0
        return light

    def sky_and_leaves(self) -> tuple[np.ndarray, np.ndarray]:
        """The shares (5, ny, nx) of each face's view taken by open sky and by leaves (the rest of the
        upper view, ``0.5 − past_walls`` on a side, is walls and terrain)."""
        sky = self.view.open * (1 - self.scattered)
        return sky, self.view.past_walls - sky


@dataclass(frozen=True)
class Fluxes:
    """Radiant flux densities (W/m²) reaching a person: ``down``/``up`` on horizontal faces, ``sides`` (4, ny, nx)
    on the east, south, west and north faces, short-wave ``k_*`` and long-wave ``l_*``."""

    k_down: np.ndarray
    k_up: np.ndarray
    k_sides: np.ndarray
    l_down: np.ndarray
    l_up: np.ndarray
    l_sides: np.ndarray
    sunlit: np.ndarray  # share of the hour's beam on the ground (scattered trees' shade included)
    ground_temperature: np.ndarray  # °C, the ground's surface
    beam_absorbed: np.ndarray  # W/m²: the direct sun's part of the absorbed radiation (between scattered trees)

    @property
    def absorbed(self) -> np.ndarray:
        """Sstr (W/m²): the radiation a standing person absorbs."""
        short = UP_DOWN * (self.k_down + self.k_up) + SIDE * self.k_sides.sum(axis=0)
        long = UP_DOWN * (self.l_down + self.l_up) + SIDE * self.l_sides.sum(axis=0)
        return ABSORB_SHORT * short + EMIT_PERSON * long

    @property
    def mean_radiant_temperature(self) -> np.ndarray:
        """Tmrt (°C) of a person in the open (or between the scattered trees)."""
        return (self.absorbed / (EMIT_PERSON * STEFAN_BOLTZMANN)) ** 0.25 - KELVIN

    @property
    def under_trees(self) -> np.ndarray:
        """Tmrt (°C) of the same person under one of the scattered trees: its crown lets only its
        transmissivity of the direct sun through."""
        absorbed = self.absorbed - (1 - CROWN_TRANSMISSIVITY) * self.beam_absorbed
        return (absorbed / (EMIT_PERSON * STEFAN_BOLTZMANN)) ** 0.25 - KELVIN


def sky_emissivity(t_air: float, relative_humidity: float, clearness: float) -> float:
    """Effective emissivity of the sky: Prata (1996) for a clear sky, Crawford & Duchon (1999) for clouds."""
    kelvin = t_air + KELVIN
    vapour = relative_humidity / 100 * 6.1078 * math.exp(17.27 * t_air / (t_air + 237.3))  # hPa
    water = 46.5 * vapour / kelvin  # precipitable water (g/cm²)
    clear = 1 - (1 + water) * math.exp(-math.sqrt(1.2 + 3 * water))
    cloud = 1 - min(max(clearness, 0.0), 1.0)
    return cloud + (1 - cloud) * clear


def below_reach(cell: float) -> int:
    """How many cells away the ground a person sees below still counts (where its view factor has fallen
    below 1/700 of the ground's under the feet): an hour's fluxes on a cell depend on no cell farther."""
    return max(1, math.ceil(5 * PERSON_CENTRE / cell))


def beam_shares(scene: Scene, hour: pd.Series, sun_path: list[tuple[float, float]]) -> list[np.ndarray | None]:
    """Each cell's light (:meth:`Scene.light`) at each instant of ``sun_path`` (None while the sun gives no beam).

    Computed on the whole scene, as shadows come from anywhere: :func:`fluxes` then takes them on a strip.
    """
    direct = float(hour["direct_normal"]) if float(hour["elevation"]) > 0 else 0.0
    return [scene.light(elevation, azimuth) if elevation > 0 and direct > 0 else None
            for elevation, azimuth in sun_path]


def _seen_below(field: np.ndarray, ground: np.ndarray, cell: float) -> np.ndarray:
    """``field`` averaged over the ground a person sees below, weighted by its view factor."""
    reach = below_reach(cell)
    offsets = np.arange(-reach, reach + 1) * cell
    r2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    weights = PERSON_CENTRE**2 / (r2 + PERSON_CENTRE**2) ** 2
    mask = ground.astype("float64")
    total = ndimage.convolve(field * mask, weights, mode="nearest")
    norm = ndimage.convolve(mask, weights, mode="nearest")
    return np.where(norm > 0, total / np.maximum(norm, 1e-12), field)


def fluxes(scene: Scene, hour: pd.Series, sun_path: list[tuple[float, float]], *, solar_hour: float, sunrise: float,
           sunset: float, max_elevation: float, t_air: np.ndarray | float | None = None,
           shares: list[np.ndarray | None] | None = None) -> Fluxes:
    """The six-directional fluxes of one hour of :class:`jumeau.heat.weather.Weather` (a row of its table).

    ``sun_path``: the sun's (elevation, azimuth) at instants spread over the hour; the direct beam and
    the shade are averaged over them, as an hourly mean is. ``t_air``: each cell's air temperature
    (°C; the urban heat island included), which walls, leaves and shaded ground take; the sky's
    emissivity is the reference air's (the hour's ``t_air``, also the default for the cells).
    ``shares``: :func:`beam_shares` of the same hour, when computed beforehand on a larger scene
    whose rows this one is.
    """
    reference, clearness = float(hour["t_air"]), float(hour["clearness"])
    t_air = reference if t_air is None else t_air
    up = float(hour["elevation"]) > 0
    direct = float(hour["direct_normal"]) if up else 0.0
    diffuse = float(hour["diffuse"]) if up else 0.0
    shape = scene.dsm.shape
    # the direct beam over the hour: on the top face, on each side, on the walls each side sees
    beam = np.zeros(shape)
    beam_sides = np.zeros((4, *shape))
    wall_beam = np.zeros(4)  # on the walls seen on each side, which face the other way
    shares = beam_shares(scene, hour, sun_path) if shares is None else shares
    for (elevation, azimuth), share in zip(sun_path, shares, strict=True):
        if share is None:
            continue
        sunlit = LIGHT_SHARES[share] / len(sun_path)
        sun, toward = math.radians(elevation), [math.cos(math.radians(azimuth - side)) for side in SIDES.values()]
        beam += direct * math.sin(sun) * sunlit
        for index, cosine in enumerate(toward):
            if cosine > 0:
                beam_sides[index] += direct * math.cos(sun) * cosine * sunlit
            else:
                wall_beam[index] += -direct * math.cos(sun) * cosine / len(sun_path)
    wave = surface_temperature.warming_wave(solar_hour, sunrise, sunset) * clearness
    past = scene.view.past_walls
    open_, leaves = scene.sky_and_leaves()
    sky_k = open_ + CROWN_TRANSMISSIVITY * leaves
    # the share of the hour's beam a cell receives, for its surface temperature
    horizontal = direct * np.mean([max(math.sin(math.radians(e)), 0.0) for e, _ in sun_path])
    beam_absorbed = ABSORB_SHORT * (UP_DOWN * beam + SIDE * beam_sides.sum(axis=0))
    ground_beam = beam * (1 - (1 - CROWN_TRANSMISSIVITY) * scene.scattered)  # scattered trees shade their share
    sunlit_share = np.clip(ground_beam / horizontal, 0.0, 1.0) if horizontal > 0 else np.zeros(shape)

    # long-wave: sky, crowns and walls; sunlit walls warm in proportion to the beam they receive
    air = STEFAN_BOLTZMANN * (t_air + KELVIN) ** 4
    sky = sky_emissivity(reference, float(hour["relative_humidity"]), clearness) * STEFAN_BOLTZMANN * (
        reference + KELVIN) ** 4
    leaf = LEAF_EMISSIVITY * air + (1 - LEAF_EMISSIVITY) * sky
    wall_rise = float(surface_temperature.largest_warming(surface_temperature.WALL_SLOPE,
                                                          surface_temperature.WALL_INTERCEPT, max_elevation)) * wave
    facing_sun = wall_beam / direct if direct > 0 else np.zeros(4)
    wall_l = [WALL_EMISSIVITY * STEFAN_BOLTZMANN * (t_air + KELVIN + wall_rise * lit) ** 4
              + (1 - WALL_EMISSIVITY) * sky for lit in facing_sun]
    l_down = open_[0] * sky + leaves[0] * leaf + (1 - past[0]) * sum(wall_l) / 4

    # the ground: sunlit ground warms, shaded ground stays at air temperature
    rise = surface_temperature.largest_warming(scene.tg_slope, scene.tg_intercept, max_elevation) * wave
    t_ground = t_air + rise * sunlit_share
    emitted = scene.emissivity * STEFAN_BOLTZMANN * (t_ground + KELVIN) ** 4 + (1 - scene.emissivity) * l_down
    l_up = _seen_below(emitted, scene.ground, scene.cell)

    k_up = _seen_below(scene.albedo * (ground_beam + diffuse * sky_k[0]), scene.ground, scene.cell)
    wall_k = [wall_beam[index] + 0.5 * diffuse + 0.5 * k_up for index in range(4)]
    k_down = beam + diffuse * sky_k[0] + WALL_ALBEDO * (sum(wall_k) / 4) * (1 - past[0])

    k_sides = np.empty((4, *shape))
    l_sides = np.empty((4, *shape))
    for index in range(4):
        plane = index + 1
        walls_seen = np.maximum(0.5 - past[plane], 0.0)
        k_sides[index] = (beam_sides[index] + diffuse * sky_k[plane] + WALL_ALBEDO * wall_k[index] * walls_seen
                          + 0.5 * k_up)
        l_sides[index] = (open_[plane] * sky + leaves[plane] * leaf + walls_seen * wall_l[index]
                          + 0.5 * l_up)
    return Fluxes(k_down, k_up, k_sides, l_down, l_up, l_sides, sunlit_share, t_ground, beam_absorbed)
