"""Indicators of a scenario's results: per building, per site of interest, and for the district.

Every district indicator is declared once in :data:`INDICATORS` with its unit, a
French plain-language label (and English), the public-value dimension it belongs to
and whether lower or higher is better; the report, the CSV and the app read them from
there.

Definitions:

* *built-up* cells are the sealed ones (:attr:`jumeau.site.state.Site.sealed`);
* a building's air temperature is the mean ``t_air`` over its cells; its *wall depth*
  the highest ``max_depth`` on the ground cells touching it (:mod:`jumeau.site.zonal`),
  which is where water enters a building, above :data:`jumeau.flood.hazard.WALL_DEPTH`;
* *high hazard* is the FD2320 rating's "danger for most" and above
  (:data:`jumeau.flood.hazard.DANGER_FOR_MOST`); *strong heat stress* the UTCI class
  "strong" and above (:data:`jumeau.heat.stress.STRONG`);
* *strong heat* is ``t_air`` at least ``T_ref + 2/3·UHI_max`` (the upper third of the
  heat island), *heat* at least ``T_ref + 1/3·UHI_max``;
* open water (classes whose curve number is 100 on every soil) is left out of the
  flooded areas: a brook full of water is not a flood;
* a site of interest takes its building's values, or its cell's if it has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr

from jumeau.flood.hazard import DANGER_FOR_MOST, WALL_DEPTH
from jumeau.heat.stress import STRONG
from jumeau.site.state import Site
from jumeau.site.zonal import building_values, site_values

SHALLOW, DEEP = 0.10, 0.30  # m: flooded-area thresholds of the indicators' labels


@dataclass(frozen=True)
class Indicator:
    unit: str
    label_fr: str
    label_en: str
    dimension: str  # health, environment, cost, fairness
    better: str  # "lower" or "higher"

    def label(self, language: str = "fr") -> str:
        return self.label_fr if language == "fr" else self.label_en


INDICATORS: dict[str, Indicator] = {
    "t_air_mean_built": Indicator("°C", "Température moyenne de l'air dans les zones bâties", "Mean air temperature over built-up areas", "health", "lower"),
    "t_air_p95_built": Indicator("°C", "Température de l'air des 5 % d'endroits bâtis les plus chauds", "95th percentile air temperature over built-up areas", "health", "lower"),
    "heat_area": Indicator("ha", "Surface où il fait chaud (îlot de chaleur au-delà d'un tiers)", "Area in heat (above a third of the heat island)", "health", "lower"),
    "strong_heat_area": Indicator("ha", "Surface où il fait très chaud (îlot de chaleur au-delà des deux tiers)", "Area in strong heat (above two thirds of the heat island)", "health", "lower"),
    "heat_stress_area": Indicator("ha", "Surface en stress thermique fort à l'heure la plus chaude", "Area in strong heat stress at the hottest hour", "health", "lower"),
    "residents_strong_heat": Indicator("hab.", "Habitants dont le logement est en forte chaleur", "Residents whose home is in strong heat", "fairness", "lower"),
    "sensitive_sites_strong_heat": Indicator("sites", "Écoles, crèches, EHPAD et hôpitaux en forte chaleur", "Schools, nurseries, care homes and hospitals in strong heat", "fairness", "lower"),
    "t_air_p95_residents": Indicator("°C", "Température au logement des 5 % d'habitants les plus exposés", "Air temperature at home of the 5 % most exposed residents", "fairness", "lower"),
    "flooded_area_10cm": Indicator("ha", "Surface sous plus de 10 cm d'eau", "Area under more than 10 cm of water", "health", "lower"),
    "flooded_area_30cm": Indicator("ha", "Surface sous plus de 30 cm d'eau", "Area under more than 30 cm of water", "health", "lower"),
    "buildings_flooded": Indicator("bâtiments", "Bâtiments avec plus de 10 cm d'eau contre les murs", "Buildings with more than 10 cm of water at their walls", "health", "lower"),
    "residents_flooded": Indicator("hab.", "Habitants dont le logement a les pieds dans l'eau", "Residents whose home has water at its walls", "health", "lower"),
    "sensitive_sites_flooded": Indicator("sites", "Écoles, crèches, EHPAD et hôpitaux avec de l'eau contre les murs", "Schools, nurseries, care homes and hospitals with water at their walls", "fairness", "lower"),
    "high_hazard_area": Indicator("ha", "Surface où l'eau est dangereuse pour la plupart des gens", "Area where water is a danger for most people", "health", "lower"),
    "runoff_leaving": Indicator("m³", "Eau de ruissellement qui quitte le quartier", "Runoff volume leaving the district", "environment", "lower"),
    "impervious_area": Indicator("ha", "Surface imperméable (toits et sols bétonnés)", "Impervious area (roofs and sealed ground)", "environment", "lower"),
    "canopy_cover": Indicator("%", "Part du quartier à l'ombre des arbres", "Tree canopy cover", "environment", "higher"),
    "green_per_resident": Indicator("m²/hab.", "Espace vert par habitant", "Green area per resident", "health", "higher"),
    "investment": Indicator("€", "Coût d'investissement", "Investment", "cost", "lower"),
    "maintenance": Indicator("€/an", "Coût d'entretien par an", "Yearly maintenance", "cost", "lower"),
}
DIMENSIONS = {
    "health": ("Santé et qualité de vie", "Health and quality of life"),
    "environment": ("Environnement", "Environment"),
    "cost": ("Coût", "Cost"),
    "fairness": ("Équité (les plus exposés)", "Fairness (the most exposed)"),
}


def dimension_label(dimension: str, language: str = "fr") -> str:
    """The label of a public-value dimension, e.g. "Coût"."""
    return DIMENSIONS[dimension][0 if language == "fr" else 1]


def open_water(site: Site) -> np.ndarray:
    """Cells of permanent open water (curve number 100 on every soil group)."""
    table = site.classes.table
    water = table.index[(table[["CN_A", "CN_B", "CN_C", "CN_D"]] >= 100).all(axis=1)]
    return np.isin(site.grid["landcover"].values, water)


def compute(site: Site, flood: xr.Dataset, heat: xr.Dataset, forcing) -> tuple[pd.DataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """District indicators (one row each), and the buildings and sites tables with their values."""
    area_ha = site.cell_area / 1e4
    t_air = heat["t_air"]
    built = site.sealed
    heat_line = forcing.heat.t_ref + forcing.heat.uhi_max / 3
    strong_line = forcing.heat.t_ref + 2 * forcing.heat.uhi_max / 3
    depth = flood["max_depth"]
    wet_ground = (site.grid["building_id"].values == 0) & ~open_water(site)

    buildings = site.buildings.copy()
    buildings["t_air"] = building_values(site, t_air, "mean")
    buildings["wall_depth"] = building_values(site, depth, "wall")
    buildings["strong_heat"] = buildings["t_air"] >= strong_line
    buildings["flooded"] = buildings["wall_depth"] > WALL_DEPTH
    sites = site.sites.copy()
    if len(sites):
        sites["t_air"] = site_values(site, t_air, buildings["t_air"].to_numpy())
        sites["peak_depth"] = site_values(site, depth, buildings["wall_depth"].to_numpy())
        sites["strong_heat"] = sites["t_air"] >= strong_line
        sites["flooded"] = sites["peak_depth"] > WALL_DEPTH
    sensitive = sites[sites["sensitive"]] if len(sites) else sites

    residents = buildings["population"].to_numpy()
    stress = heat_stress_mask(heat)
    changes = site.metadata.get("changes", ())
    green = site.parameter("green_area") * site.cell_area
    values = {
        "t_air_mean_built": float(t_air.values[built].mean()),
        "t_air_p95_built": float(np.percentile(t_air.values[built], 95)),
        "heat_area": float((t_air.values >= heat_line).sum() * area_ha),
        "strong_heat_area": float((t_air.values >= strong_line).sum() * area_ha),
        "heat_stress_area": float(stress.sum() * area_ha),
        "residents_strong_heat": float(residents[buildings["strong_heat"].to_numpy()].sum()),
        "sensitive_sites_strong_heat": float(sensitive["strong_heat"].sum()) if len(sensitive) else 0.0,
        "t_air_p95_residents": _weighted_percentile(buildings["t_air"].to_numpy(), residents, 95),
        "flooded_area_10cm": float(((depth.values > SHALLOW) & wet_ground).sum() * area_ha),
        "flooded_area_30cm": float(((depth.values > DEEP) & wet_ground).sum() * area_ha),
        "buildings_flooded": float(buildings["flooded"].sum()),
        "residents_flooded": float(residents[buildings["flooded"].to_numpy()].sum()),
        "sensitive_sites_flooded": float(sensitive["flooded"].sum()) if len(sensitive) else 0.0,
        "high_hazard_area": float(((flood["hazard_rating"].values > DANGER_FOR_MOST) & wet_ground).sum() * area_ha),
        "runoff_leaving": float(flood.attrs["volume_outflow"]),
        "impervious_area": float(site.grid["impervious"].values.sum() * area_ha),
        "canopy_cover": float(100 * site.grid["canopy_cover"].values.mean()),
        "green_per_resident": float(green.sum() / max(residents.sum(), 1.0)),
        "investment": float(sum(c.investment for c in changes)),
        "maintenance": float(sum(c.maintenance for c in changes)),
    }
    table = pd.DataFrame(
        [{"indicator": key, "value": value, **vars(INDICATORS[key])} for key, value in values.items()]
    )
    return table, buildings, sites


def heat_stress_mask(heat: xr.Dataset) -> np.ndarray:
    """Cells in strong heat stress or worse at the hottest hour (see :mod:`jumeau.heat`)."""
    return heat["heat_stress_class"].values >= STRONG


def _weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    keep = np.isfinite(values) & (weights > 0)
    if not keep.any():
        return float("nan")
    order = np.argsort(values[keep])
    sorted_values, cumulative = values[keep][order], np.cumsum(weights[keep][order])
    return float(sorted_values[np.searchsorted(cumulative, q / 100 * cumulative[-1])])
