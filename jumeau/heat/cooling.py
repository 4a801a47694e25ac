"""Day-time air temperature: InVEST 3.20's Urban Cooling Model on xarray grids.

Reproduces ``natcap.invest.urban_cooling_model`` (Natural Capital Project; Bosch et al.
2021, *Ecological Indicators* 126; Zardo et al. 2017), whose code is the reference
where its user guide differs:

* ``ETI = kc · ET0 / max(ET0)``;
* factors method: ``CC = (w_s·shade + w_a·albedo + w_e·ETI) / (w_s + w_a + w_e)``
  (0.6, 0.2, 0.2); intensity method: ``CC = 1 − building_intensity``;
* green area within the cooling distance ``d``: the green cells in a disk of radius
  ``d`` (edge-corrected, :func:`jumeau.heat.convolution.convolve`), times the cell area;
* ``CC_park``: the exponential-decay (``exp(−dist/d)``, cut at 5d) weighted mean of
  ``CC·green``, renormalised at the edges;
* ``HM = CC`` where ``CC ≥ CC_park`` or the green area is under 2 ha, else ``CC_park``;
* ``T_air_nomix = T_ref + (1 − HM)·UHI_max``; ``T_air`` its exponential-decay mean
  with the mixing radius (InVEST's code uses this kernel, its guide says Gaussian);
* ``WBGT = 0.567·T_air + 0.393·e + 3.94`` with the vapour pressure
  ``e = RH/100 · 6.105 · exp(17.27·T_air / (237.7 + T_air))`` (hPa), and the work-loss
  classes of InVEST (light work: 25/50/75 % above 31.5/32/32.5 °C; heavy work: above
  27.5/29.5/31.5 °C WBGT).

Distances are converted to whole cells as InVEST does (``round(d / cell)``).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from jumeau import outputs
from jumeau.errors import ModelError
from jumeau.heat.convolution import convolve, disk_kernel, exponential_kernel

PARK_AREA = 2e4  # m²: InVEST's 2 ha rule
LIGHT_WORK = (31.5, 32.0, 32.5)
HEAVY_WORK = (27.5, 29.5, 31.5)


def _array(value, like: xr.DataArray, name: str) -> np.ndarray:
    array = np.asarray(value.values if isinstance(value, xr.DataArray) else value, dtype="float64")
    try:
        return np.broadcast_to(array, like.shape)
    except ValueError:
        raise ModelError(f"{name}: shape {array.shape} does not match the grid {like.shape}.") from None


def urban_cooling(
    *, kc, green_area, et0, t_ref: float, uhi_max: float, cooling_distance: float, mixing_radius: float,
    shade=None, albedo=None, building_intensity=None, weights: tuple[float, float, float] = (0.6, 0.2, 0.2),
    relative_humidity: float | None = None, like: xr.DataArray | None = None,
) -> xr.Dataset:
    """InVEST's urban cooling on grids (see the module docstring).

    Class parameters (``kc``, ``green_area``, ``shade``, ``albedo`` or
    ``building_intensity``) are per-cell DataArrays (one of them gives the grid, or
    ``like``); ``et0`` a grid or a constant (mm). Returns ``cc``, ``cc_park``,
    ``green_area_within_distance`` (m²), ``hm``, ``t_air_nomix``, ``t_air`` and, with a
    relative humidity, ``wbgt`` and the work-loss percentages.
    """
    like = like if like is not None else kc
    if not isinstance(like, xr.DataArray) or like.dims != ("y", "x"):
        raise ModelError("urban_cooling: give the parameters as DataArrays with dims ('y', 'x').")
    cell = float(abs(like["x"][1] - like["x"][0]))
    for name, value in (("cooling_distance", cooling_distance), ("mixing_radius", mixing_radius)):
        if value <= 0:
            raise ModelError(f"{name}: {value:g} m; give a positive distance.")
    if min(weights) < 0 or sum(weights) <= 0:
        raise ModelError(f"weights: {weights}; give non-negative weights that are not all zero.")
    kc_v = _array(kc, like, "kc")
    green = _array(green_area, like, "green_area")
    et0_v = _array(et0, like, "et0")
    valid = np.isfinite(kc_v) & np.isfinite(et0_v)
    et_max = float(np.nanmax(np.where(valid, et0_v, np.nan)))
    if not et_max > 0:
        raise ModelError("et0: reference evapotranspiration must be positive somewhere.")
    eti = kc_v * et0_v / et_max
    if building_intensity is not None:
        cc = 1.0 - _array(building_intensity, like, "building_intensity")
    else:
        if shade is None or albedo is None:
            raise ModelError("urban_cooling: the factors method needs shade and albedo (or give building_intensity).")
        w = np.asarray(weights, dtype="float64") / sum(weights)
        cc = w[0] * _array(shade, like, "shade") + w[1] * _array(albedo, like, "albedo") + w[2] * eti
    d_px = round(cooling_distance / cell)
    cc_park = convolve(cc * green, exponential_kernel(d_px, within=like.shape), valid)
    # Whole cells: rounding drops the FFT's round-off, so the 2 ha rule switches exactly.
    green_sum = np.round(convolve(green.astype("float64"), disk_kernel(d_px, within=like.shape), valid), 6) * cell * cell
    hm = np.where((cc >= cc_park) | (green_sum < PARK_AREA), cc, cc_park)
    t_nomix = t_ref + (1.0 - hm) * uhi_max
    t_air = convolve(t_nomix, exponential_kernel(round(mixing_radius / cell), within=like.shape), valid)
    coords = {"y": like["y"], "x": like["x"]}
    layers = {"eti": eti, "cc": cc, "cc_park": cc_park, "green_area_within_distance": green_sum, "hm": hm,
              "t_air_nomix": t_nomix, "t_air": t_air}
    if relative_humidity is not None:
        wbgt = wet_bulb_globe_temperature(t_air, relative_humidity)
        layers.update(wbgt=wbgt, light_work_loss=work_loss(wbgt, LIGHT_WORK),
                      heavy_work_loss=work_loss(wbgt, HEAVY_WORK))
    data = {name: (("y", "x"), values.astype("float32"), outputs.attrs(name)) for name, values in layers.items()}
    result = xr.Dataset(data, coords=coords, attrs={
        "t_ref": t_ref, "uhi_max": uhi_max, "cooling_distance": cooling_distance, "mixing_radius": mixing_radius,
        "method": "InVEST 3.20 urban cooling, " + ("intensity" if building_intensity is not None else "factors"),
    })
    return result


def wet_bulb_globe_temperature(t_air: np.ndarray, relative_humidity: float) -> np.ndarray:
    """InVEST's WBGT (°C) from air temperature (°C) and relative humidity (%)."""
    if not 0 <= relative_humidity <= 100:
        raise ModelError(f"relative_humidity: {relative_humidity:g} %; give 0–100.")
    vapour = relative_humidity / 100.0 * 6.105 * np.exp(17.27 * t_air / (237.7 + t_air))
    return 0.567 * t_air + 0.393 * vapour + 3.94


def work_loss(wbgt: np.ndarray, thresholds: tuple[float, float, float]) -> np.ndarray:
    """Percent productivity loss: 0, 25, 50 or 75 % at InVEST's WBGT thresholds."""
    return 25.0 * np.digitize(wbgt, thresholds).astype("float64")
