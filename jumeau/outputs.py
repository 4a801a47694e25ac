"""Every layer the models write, declared once: units, names, colours, labels, direction.

The models take their CF attributes from here (:func:`attrs`); the run folder, the
command line, the maps, the 3-D scene, the report and the viewer take from here which
layers to write or show, their colour map, their French and English labels and whether
less is better. Adding an output layer is adding one :class:`Layer` to
:data:`OUTPUTS` (and, if it should be drawn, naming it in one of the product lists at
the end of this module).

Colour maps are colour-blind safe or perceptually ordered (matplotlib's ``viridis``
family, ColorBrewer's sequential ramps); differences between scenarios always use the
one diverging map :data:`DIFFERENCE_CMAP`, centred on zero.

>>> OUTPUTS["t_air"].label("fr")
"Température de l'air"
>>> OUTPUTS["t_air"].display_units, OUTPUTS["t_air"].attrs()["units"]
('°C', 'degC')
>>> attrs("arrival_time", depth=0.05)["long_name"]
'first time the depth exceeds 0.05 m'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

Better = Literal["lower", "higher"]

# CF units -> how a person reads them
_DISPLAY_UNITS = {"degC": "°C", "K": "°C", "m s-1": "m/s", "m2": "m²", "1": "", "percent": "%", "s": "s", "m": "m"}


@dataclass(frozen=True)
class Layer:
    """One declared layer (of the site, :data:`jumeau.site.state.LAYERS`, or of a model's results).

    ``long_name`` is the CF long name (English, may hold ``{placeholders}`` the model
    fills, such as the hour); ``label_fr``/``label_en`` are the plain-language labels
    people read; ``empty_at_zero`` says zero means "nothing here" (no water), drawn
    transparent; ``flags`` are the CF ``flag_meanings`` of a class layer, whose
    ``flag_values`` count from ``first_flag``.
    """

    units: str
    long_name: str
    label_fr: str
    label_en: str
    cmap: str = "viridis"
    better: Better | None = None
    empty_at_zero: bool = False
    flags: tuple[str, ...] = ()
    standard_name: str | None = None
    first_flag: int = 0
    dtype: str = "float32"

    @property
    def display_units(self) -> str:
        return _DISPLAY_UNITS.get(self.units, self.units)

    def label(self, language: str = "fr", units: bool = False) -> str:
        """The label people read, optionally with its units, e.g. "Température de l'air (°C)"."""
        text = self.label_fr if language == "fr" else self.label_en
        return f"{text} ({self.display_units})" if units and self.display_units else text

    def attrs(self, **values: object) -> dict[str, object]:
        """CF attributes for the layer; ``values`` fill the long name's placeholders."""
        result: dict[str, object] = {"units": self.units, "long_name": self.long_name.format(**values)}
        if self.standard_name:
            result["standard_name"] = self.standard_name
        if self.flags:
            result["flag_values"] = np.arange(self.first_flag, self.first_flag + len(self.flags), dtype="int8")
            result["flag_meanings"] = " ".join(self.flags)
        return result


# class layers' meanings, from their bounds in jumeau.flood.hazard.BOUNDS and jumeau.heat.stress.BOUNDS
_HAZARD_CLASSES = ("low", "moderate", "significant", "extreme")
_STRESS_CLASSES = ("no_heat_stress", "moderate", "strong", "very_strong", "extreme")

OUTPUTS: Mapping[str, Layer] = {
    # -- flood model (jumeau.flood.solver) --
    "max_depth": Layer("m", "maximum water depth", "Hauteur d'eau maximale", "Maximum water depth",
                        cmap="Blues", better="lower", empty_at_zero=True),
    "max_speed": Layer("m s-1", "maximum flow speed", "Vitesse maximale de l'eau", "Maximum flow speed",
                        cmap="viridis", better="lower", empty_at_zero=True),
    "time_of_max_depth": Layer("s", "time of the maximum depth from the start of the rain",
                                "Moment de la hauteur maximale", "Time of the maximum depth", cmap="cividis"),
    "arrival_time": Layer("s", "first time the depth exceeds {depth:g} m", "Arrivée de l'eau",
                           "Arrival of the water", cmap="cividis"),
    "final_depth": Layer("m", "water depth at the end", "Hauteur d'eau à la fin", "Water depth at the end",
                          cmap="Blues", better="lower", empty_at_zero=True),
    "hazard_rating": Layer("1", "flood hazard rating (FD2320, urban debris factor), maximum over time",
                            "Danger de l'eau", "Flood hazard", cmap="magma_r", better="lower",
                            empty_at_zero=True),
    "hazard_class": Layer("1", "flood hazard class (FD2320)", "Classe de danger de l'eau", "Flood hazard class",
                           cmap="magma_r", better="lower", empty_at_zero=True, flags=_HAZARD_CLASSES),
    "depth": Layer("m", "water depth", "Hauteur d'eau", "Water depth", cmap="Blues", better="lower",
                    empty_at_zero=True),
    # -- flood screening (jumeau.flood.screening) --
    "fill_depth": Layer("m", "depth of the depressions, filled to the brim", "Profondeur des creux",
                         "Depth of the hollows", cmap="Purples", empty_at_zero=True),
    "depression_id": Layer("1", "depression (0: none)", "Creux", "Hollow", cmap="tab20", empty_at_zero=True),
    "ponding_depth": Layer("m", "screening: ponding depth for the storm", "Eau stagnante (criblage)",
                            "Ponding water (screening)", cmap="Blues", better="lower", empty_at_zero=True),
    # -- urban cooling (jumeau.heat.cooling) --
    "eti": Layer("1", "evapotranspiration index", "Indice d'évapotranspiration", "Evapotranspiration index",
                  cmap="YlGn", better="higher"),
    "cc": Layer("1", "cooling capacity index", "Capacité de rafraîchissement", "Cooling capacity",
                 cmap="YlGnBu", better="higher"),
    "cc_park": Layer("1", "cooling capacity of nearby green areas (distance-weighted)",
                      "Rafraîchissement des espaces verts proches", "Cooling from nearby green areas",
                      cmap="YlGnBu", better="higher"),
    "green_area_within_distance": Layer("m2", "green area within the cooling distance",
                                         "Espaces verts à proximité", "Green area nearby", cmap="YlGn",
                                         better="higher"),
    "hm": Layer("1", "heat mitigation index", "Atténuation de la chaleur", "Heat mitigation",
                 cmap="YlGnBu", better="higher"),
    "t_air_nomix": Layer("degC", "air temperature before mixing", "Température de l'air avant brassage",
                          "Air temperature before mixing", cmap="inferno", better="lower"),
    "t_air": Layer("degC", "air temperature", "Température de l'air", "Air temperature", cmap="inferno",
                    better="lower", standard_name="air_temperature"),
    "wbgt": Layer("degC", "wet bulb globe temperature", "Température au thermomètre-globe mouillé (WBGT)",
                   "Wet bulb globe temperature", cmap="inferno", better="lower"),
    "light_work_loss": Layer("percent", "work productivity loss, light work",
                              "Perte de productivité (travail léger)", "Productivity loss, light work",
                              cmap="OrRd", better="lower"),
    "heavy_work_loss": Layer("percent", "work productivity loss, heavy work",
                              "Perte de productivité (travail physique)", "Productivity loss, heavy work",
                              cmap="OrRd", better="lower"),
    # -- heat model on a site (jumeau.heat.model) --
    "shade_fraction": Layer("1", "share of 10:00-16:00 in cast shadow (buildings, trees, terrain)",
                             "Part de la journée à l'ombre", "Share of the day in the shade", cmap="cividis",
                             better="higher"),
    "shade": Layer("1", "shade used in the cooling capacity", "Ombre", "Shade", cmap="cividis", better="higher"),
    "sky_view_factor": Layer("1", "sky view factor of the surface", "Part de ciel visible",
                              "Sky view factor", cmap="cividis"),
    "night_overheating": Layer("K", "night overheating potential (Oke 1981 x imperviousness)",
                                "Surchauffe nocturne possible", "Night overheating potential", cmap="magma",
                                better="lower"),
    "t_mrt": Layer("degC", "mean radiant temperature at {hour:g} h", "Température radiante moyenne",
                    "Mean radiant temperature", cmap="YlOrRd", better="lower"),
    "utci": Layer("degC", "universal thermal climate index at {hour:g} h", "Stress thermique ressenti (UTCI)",
                   "Felt heat stress (UTCI)", cmap="YlOrRd", better="lower"),
    "utci_hourly": Layer("degC", "universal thermal climate index, hour by hour", "Stress thermique ressenti (UTCI)",
                          "Felt heat stress (UTCI)", cmap="YlOrRd", better="lower"),
    "t_mrt_hourly": Layer("degC", "mean radiant temperature, hour by hour", "Température radiante moyenne",
                           "Mean radiant temperature", cmap="YlOrRd", better="lower"),
    "strong_stress_hours": Layer("h", "hours of strong heat stress or worse (UTCI >= 32 degC), {first:g} to {last:g} h",
                                  "Heures de stress thermique fort", "Hours of strong heat stress", cmap="YlOrRd",
                                  better="lower", empty_at_zero=True),
    "very_strong_stress_hours": Layer("h", "hours of very strong heat stress or worse (UTCI >= 38 degC), {first:g} to "
                                           "{last:g} h", "Heures de stress thermique très fort",
                                       "Hours of very strong heat stress", cmap="YlOrRd", better="lower",
                                       empty_at_zero=True),
    "sun_hours": Layer("h", "hours of direct sun, {first:g} to {last:g} h", "Heures de soleil direct",
                        "Hours of direct sun", cmap="cividis"),
    "surface_temperature": Layer("degC", "ground surface temperature at {hour:g} h", "Température du sol",
                                  "Ground surface temperature", cmap="inferno", better="lower"),
    # -- the scenario (jumeau.study.indicators) --
    "works_area": Layer("1", "intervention acting on the felt heat here (its rank in interventions.csv, from 1; "
                              "its cells and 10 m around), 0 none", "Emprise des travaux", "Where the works act",
                         cmap="tab20", empty_at_zero=True),
    "heat_stress_class": Layer("1", "UTCI heat stress class", "Classe de stress thermique", "Heat stress class",
                                cmap="YlOrRd", better="lower", flags=_STRESS_CLASSES),
}

DIFFERENCE_CMAP = "RdBu_r"  # differences between scenarios: blue lower, red higher, white unchanged


def attrs(name: str, **values: object) -> dict[str, object]:
    """The CF attributes of the declared output ``name`` (see :meth:`Layer.attrs`)."""
    return OUTPUTS[name].attrs(**values)


# -- which layers each product writes or shows ------------------------------------------

@dataclass(frozen=True)
class Products:
    """The layers written or shown by each front end, in the order they appear."""

    # GeoTIFF + PNG per scenario run
    scenario_maps: tuple[str, ...] = ("max_depth", "hazard_rating", "very_strong_stress_hours", "t_air")
    flood_maps: tuple[str, ...] = ("max_depth", "hazard_rating", "max_speed", "arrival_time")  # `jumeau flood`
    screening_maps: tuple[str, ...] = ("ponding_depth", "fill_depth")  # `jumeau flood --screening`
    # `jumeau heat`
    heat_maps: tuple[str, ...] = ("very_strong_stress_hours", "utci", "t_mrt", "surface_temperature", "t_air",
                                  "night_overheating", "sky_view_factor")
    # the viewer's maps and 3-D
    viewer_layers: tuple[str, ...] = ("very_strong_stress_hours", "utci", "t_air", "max_depth", "hazard_rating")
    report_differences: tuple[str, ...] = ("very_strong_stress_hours", "t_air", "max_depth")  # the report's difference maps


PRODUCTS = Products()
