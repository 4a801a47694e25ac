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
  (:data:`jumeau.flood.hazard.DANGER_FOR_MOST`);
* felt heat is counted in hours of *very strong heat stress* (UTCI ≥ 38 °C, the UTCI
  class, in physical units, not a share of the day's range) on the *outdoor ground*
  (not in buildings, not on open water), the public space people walk in; a *long*
  exposure is at least :data:`LONG_STRESS` such hours in the day; a building's or a
  site's exposure is that of the ground around it (within
  :data:`jumeau.site.zonal.AROUND`);
* *strong heat* (air) is ``t_air`` at least ``T_ref + 2/3·UHI_max`` (the upper third of
  the heat island);
* the *works area* is where the scenario's interventions act: their cells and the
  ground within :data:`WORKS_REACH` of them; the comparison reads each scenario's
  effect there (:mod:`jumeau.study.compare`);
* ground meant to hold water is left out of the flooded and high-hazard areas: open
  water (classes whose curve number is 100 on every soil), since a brook full of water
  is not a flood, and the class with the ``floodable_park`` role (wetlands, the floor of
  retention basins and floodable parks), since water standing where a scenario built a
  place for it is the work doing its job, not a flood: counted, a floodable park made the
  flooded area grow by the very water it held;
* a site of interest takes its building's values, or its cell's if it has none.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import xarray as xr
from scipy import ndimage

from jumeau.flood.hazard import DANGER_FOR_MOST, WALL_DEPTH
from jumeau.site.state import Site
from jumeau.site.zonal import building_values, site_values

SHALLOW, DEEP = 0.10, 0.30  # m: flooded-area thresholds of the indicators' labels
LONG_STRESS = 6.0  # h of very strong heat stress in a day: a long exposure (half the daytime hours)
WORKS_REACH = 10.0  # m around an intervention where its effect is read
HEAT_LAYERS = {"landcover", "canopy_cover", "canopy_height", "albedo", "building_height", "elevation"}  # felt heat's


UNITS_EN = {"hab.": "residents", "bâtiments": "buildings", "€/an": "€/year", "m²/hab.": "m²/resident"}


@dataclass(frozen=True)
class Indicator:
    unit: str
    label_fr: str
    label_en: str
    dimension: str  # health, environment, cost, fairness
    better: str  # "lower" or "higher"

    def label(self, language: str = "fr") -> str:
        return self.label_fr if language == "fr" else self.label_en

    def unit_in(self, language: str = "fr") -> str:
        """The unit as the page's language writes it (``hab.`` is ``residents`` in English)."""
        return self.unit if language == "fr" else UNITS_EN.get(self.unit, self.unit)


INDICATORS: dict[str, Indicator] = {
    "t_air_mean_built": Indicator("°C", "Température moyenne de l'air dans les zones bâties", "Mean air temperature over built-up areas", "health", "lower"),
    "t_air_p95_built": Indicator("°C", "Température de l'air des 5 % d'endroits bâtis les plus chauds", "95th percentile air temperature over built-up areas", "health", "lower"),
    "stress_hours_outdoor": Indicator("h", "Heures de stress thermique très fort dehors (moyenne de l'espace public)", "Hours of very strong heat stress outdoors (mean over public space)", "health", "lower"),
    "long_stress_area": Indicator("ha", "Espace public en stress thermique très fort 6 heures ou plus", "Public space in very strong heat stress for 6 hours or more", "health", "lower"),
    "utci_outdoor_map_hour": Indicator("°C", "Chaleur ressentie dehors à l'heure de la carte (UTCI moyen)", "Felt heat outdoors at the map's hour (mean UTCI)", "health", "lower"),
    "residents_long_stress": Indicator("hab.", "Habitants dont les abords du logement sont en stress très fort 6 h ou plus", "Residents whose home's surroundings are in very strong heat stress for 6 h or more", "fairness", "lower"),
    "sensitive_sites_stress_hours": Indicator("h", "Heures de stress thermique très fort aux abords des écoles, crèches, EHPAD et hôpitaux (moyenne)", "Hours of very strong heat stress around schools, nurseries, care homes and hospitals (mean)", "fairness", "lower"),
    "utci_sensitive_sites": Indicator("°C", "Chaleur ressentie aux abords des écoles, crèches et EHPAD à l'heure de la carte (UTCI moyen)", "Felt heat around schools, nurseries and care homes at the map's hour (mean UTCI)", "fairness", "lower"),
    "roof_temperature": Indicator("°C", "Température des toits à l'heure de la carte (chaleur des derniers étages)", "Roof surface temperature at the map's hour (heat of top floors)", "health", "lower"),
    "residents_strong_heat": Indicator("hab.", "Habitants dont le logement est dans l'air le plus chaud du quartier", "Residents whose home is in the district's hottest air", "fairness", "lower"),
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


def floodable(site: Site) -> np.ndarray:
    """Cells of the class with the ``floodable_park`` role: ground made to hold storm water."""
    code = site.classes.code_for("floodable_park")
    return site.grid["landcover"].values == code if code is not None else np.zeros(site.shape, bool)


def compute(site: Site, flood: xr.Dataset, heat: xr.Dataset, forcing) -> tuple[pd.DataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """District indicators (one row each), and the buildings and sites tables with their values."""
    area_ha = site.cell_area / 1e4
    t_air = heat["t_air"]
    built = site.sealed
    strong_line = forcing.heat.t_ref + 2 * forcing.heat.uhi_max / 3
    depth = flood["max_depth"]
    roofs = site.grid["building_id"].values > 0
    outdoor = ~roofs & ~open_water(site)
    dry_land = outdoor & ~floodable(site)  # where standing water is a flood
    stress_hours = heat["very_strong_stress_hours"]

    buildings = site.buildings.copy()
    buildings["t_air"] = building_values(site, t_air, "mean")
    buildings["stress_hours_around"] = building_values(site, stress_hours, "around")
    buildings["utci_around"] = building_values(site, heat["utci"], "around")
    buildings["wall_depth"] = building_values(site, depth, "wall")
    buildings["strong_heat"] = buildings["t_air"] >= strong_line
    buildings["long_stress"] = buildings["stress_hours_around"] >= LONG_STRESS
    buildings["flooded"] = buildings["wall_depth"] > WALL_DEPTH
    sites = site.sites.copy()
    if len(sites):
        sites["t_air"] = site_values(site, t_air, buildings["t_air"].to_numpy())
        sites["stress_hours_around"] = site_values(site, stress_hours, buildings["stress_hours_around"].to_numpy())
        sites["utci_around"] = site_values(site, heat["utci"], buildings["utci_around"].to_numpy())
        sites["peak_depth"] = site_values(site, depth, buildings["wall_depth"].to_numpy())
        sites["long_stress"] = sites["stress_hours_around"] >= LONG_STRESS
        sites["flooded"] = sites["peak_depth"] > WALL_DEPTH
    sensitive = sites[sites["sensitive"]] if len(sites) else sites

    residents = buildings["population"].to_numpy()
    changes = site.metadata.get("changes", ())
    green = site.parameter("green_area") * site.cell_area
    values = {
        "t_air_mean_built": float(t_air.values[built].mean()),
        "t_air_p95_built": float(np.percentile(t_air.values[built], 95)),
        "stress_hours_outdoor": float(stress_hours.values[outdoor].mean()),
        "long_stress_area": float((stress_hours.values[outdoor] >= LONG_STRESS).sum() * area_ha),
        "utci_outdoor_map_hour": float(heat["utci"].values[outdoor].mean()),
        "residents_long_stress": float(residents[buildings["long_stress"].to_numpy()].sum()),
        "sensitive_sites_stress_hours": float(sensitive["stress_hours_around"].mean()) if len(sensitive) else float("nan"),
        "utci_sensitive_sites": float(sensitive["utci_around"].mean()) if len(sensitive) else float("nan"),
        "roof_temperature": float(heat["surface_temperature"].values[roofs].mean()) if roofs.any() else float("nan"),
        "residents_strong_heat": float(residents[buildings["strong_heat"].to_numpy()].sum()),
        "t_air_p95_residents": _weighted_percentile(buildings["t_air"].to_numpy(), residents, 95),
        "flooded_area_10cm": float(((depth.values > SHALLOW) & dry_land).sum() * area_ha),
        "flooded_area_30cm": float(((depth.values > DEEP) & dry_land).sum() * area_ha),
        "buildings_flooded": float(buildings["flooded"].sum()),
        "residents_flooded": float(residents[buildings["flooded"].to_numpy()].sum()),
        "sensitive_sites_flooded": float(sensitive["flooded"].sum()) if len(sensitive) else 0.0,
        "high_hazard_area": float(((flood["hazard_rating"].values > DANGER_FOR_MOST) & dry_land).sum() * area_ha),
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


def works_area(site: Site) -> np.ndarray:
    """Where each of the scenario's interventions that change the felt heat acts: its cells and the ground
    within :data:`WORKS_REACH` of them, labelled by the intervention's rank (1-based, in the order applied;
    where two meet, the first); 0 elsewhere. A sewer upgrade, for one, changes no surface: left out."""
    labels = np.zeros(site.shape, dtype="uint16")
    ground = site.grid["building_id"].values == 0
    for rank, change in enumerate(site.metadata.get("changes", ()), start=1):
        if not HEAT_LAYERS & set(change.layers) or not change.cells.any():
            continue
        reach = ndimage.distance_transform_edt(~change.cells, sampling=site.resolution) <= WORKS_REACH
        labels[(change.cells | (reach & ground)) & (labels == 0)] = rank
    return labels


def _weighted_percentile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    keep = np.isfinite(values) & (weights > 0)
    if not keep.any():
        return float("nan")
    order = np.argsort(values[keep])
    sorted_values, cumulative = values[keep][order], np.cumsum(weights[keep][order])
    return float(sorted_values[np.searchsorted(cumulative, q / 100 * cumulative[-1])])
