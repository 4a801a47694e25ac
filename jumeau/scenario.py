"""Planning scenarios as YAML files: forcing, interventions, costs (schema and loading).

A scenario file names *what is tried* (a list of interventions, each with where it
applies, its parameters and its unit cost) and *under which weather* (a design storm
and a heat-wave day). It is validated by pydantic models with ``extra="forbid"``, so a
misspelt key is an error that names the file, the line and the keys allowed there.
The schema is documented in ``docs/scenarios.md``.

A scenario may name a ``parent`` (or several): its interventions are applied after
the parents', and its forcing overrides theirs key by key. ``baseline`` is the site as
loaded; a ``baseline.yaml`` may set the forcing every scenario starts from.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from jumeau.errors import ScenarioError
from jumeau.io.yamlfile import load_model

BASELINE = "baseline"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StormForcing(_Strict):
    """The design storm: a Montana-law storm of a return period, or a user hyetograph."""

    return_period: float = Field(100, gt=1, le=1000, description="Return period (years) of the Montana law.")
    duration: float = Field(60, gt=0, le=24 * 60, description="Rain duration (minutes).")
    hyetograph: Literal["chicago", "block"] = Field("chicago", description="Shape of the design storm.")
    peak_position: float = Field(0.4, ge=0, le=1, description="Chicago storm: peak time as a share of the duration.")
    station: str | None = Field(None, description="Montana coefficient set (station name); default: the first shipped.")
    file: Path | None = Field(None, description="A user hyetograph CSV (time in min, intensity in mm/h), instead of the law.")
    drainage_capacity: float = Field(
        20.0, ge=0, le=500, description="Storm-sewer capacity on connected (impervious) cells (mm/h)."
    )
    after_rain: float = Field(60, ge=0, le=48 * 60, description="Simulated time after the rain stops (minutes).")

    @field_validator("file", mode="after")
    @classmethod
    def _relative_to_file(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        return _resolve(path, info)


class HeatForcing(_Strict):
    """The heat-wave day: reference temperature, urban heat island, humidity, sun."""

    t_ref: float = Field(35.0, ge=-30, le=55, description="Rural reference air temperature (°C).")
    uhi_max: float = Field(3.0, ge=0, le=15, description="Urban heat island magnitude (°C).")
    et0: float = Field(6.0, gt=0, le=20, description="Reference evapotranspiration of the day (mm/day).")
    relative_humidity: float = Field(40.0, ge=0, le=100, description="Relative humidity (%).")
    date: dt.date = Field(dt.date(2026, 7, 21), description="Date for the sun's course (shade).")
    hour: float = Field(15.0, ge=0, lt=24, description="Local solar hour of the heat-stress map.")
    cooling_distance: float = Field(450.0, gt=0, le=5000, description="Park cooling distance (m).")
    mixing_radius: float = Field(500.0, gt=0, le=5000, description="Air mixing radius (m).")


class Forcing(_Strict):
    storm: StormForcing = StormForcing()
    heat: HeatForcing = HeatForcing()


class Cost(_Strict):
    """Unit costs in euros, per the unit of the intervention kind (m², tree, m³…)."""

    unit_cost: float = Field(0.0, ge=0, description="Investment per unit (€).")
    maintenance: float = Field(0.0, ge=0, description="Yearly maintenance per unit (€/year).")
    unit: str | None = Field(None, description="Optional check: the unit the costs are given in.")


class BuildingFilter(_Strict):
    """Buildings chosen by attribute (all given conditions must hold)."""

    use: list[str] | str | None = Field(None, description="Building uses (residential, school, …).")
    ids: list[int] | None = Field(None, description="Building ids (index of Site.buildings).")
    min_height: float | None = Field(None, ge=0)
    max_height: float | None = Field(None, ge=0)
    min_area: float | None = Field(None, ge=0, description="Minimum footprint area (m²).")


class Where(_Strict):
    """Where an intervention applies: a geometry, and optionally a selection inside it.

    Exactly one geometry source (``wkt``, ``geojson`` or ``file``) may be given; without
    one, the whole site is the area. ``buildings`` selects buildings (inside the area);
    ``landcover`` keeps only cells of these classes (inside the area).
    """

    wkt: str | None = Field(None, description="A WKT geometry.")
    geojson: dict[str, Any] | None = Field(None, description="A GeoJSON geometry, feature or feature collection.")
    file: Path | None = Field(None, description="A vector file (GeoPackage, GeoJSON, Shapefile, FlatGeobuf).")
    layer: str | None = Field(None, description="Layer of ``file``.")
    crs: str | None = Field(None, description="CRS of the geometry (default: the site's; a file's own CRS wins).")
    buffer: float | None = Field(None, gt=0, description="Widen the geometry by this many metres (lines → strips).")
    buildings: BuildingFilter | None = None
    landcover: list[int] | None = Field(None, description="Class codes the intervention is limited to.")

    @field_validator("file", mode="after")
    @classmethod
    def _relative_to_file(cls, path: Path | None, info: ValidationInfo) -> Path | None:
        return _resolve(path, info)

    @model_validator(mode="after")
    def _one_geometry(self) -> Where:
        given = [k for k in ("wkt", "geojson", "file") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one geometry source, not {' and '.join(given)}")
        return self


class _Intervention(_Strict):
    """One intervention: its kind (``type``), where it applies, its parameters and its costs.

    Each kind's parameters are the fields of its subclass; ``UNIT`` is what its
    quantity and unit costs count (m², tree, m³).
    """

    name: str | None = Field(None, description="A label for reports (default: the type).")
    where: Where = Where()
    cost: Cost = Cost()
    UNIT: ClassVar[str] = "m2"

    @property
    def label(self) -> str:
        return self.name or self.type

    @model_validator(mode="after")
    def _cost_unit(self) -> _Intervention:
        if self.cost.unit is not None and self.cost.unit != self.UNIT:
            raise ValueError(f"costs of {self.type} are per {self.UNIT}, not per {self.cost.unit}")
        return self


ClassCode = Annotated[int, Field(ge=0, le=32767)]


class PlantTrees(_Intervention):
    """Trees over an area (``cover``), or one every ``spacing`` metres along lines."""

    type: Literal["plant_trees"]
    cover: float = Field(0.6, gt=0, le=1, description="Canopy cover reached over the open ground of an area.")
    spacing: float | None = Field(None, ge=3, le=100, description="Along lines: distance between trees (m).")
    crown_radius: float = Field(3.0, gt=0.5, le=15, description="Crown radius at maturity (m).")
    height: float = Field(10.0, gt=1, le=40, description="Tree height at maturity (m).")
    UNIT: ClassVar[str] = "tree"


class Depave(_Intervention):
    """Sealed ground (not roofs) of the area becomes a pervious class."""

    type: Literal["depave"]
    to_class: ClassCode = Field(8, description="New class (default 8, garden).")


class Greening(_Intervention):
    """Open ground of the area changes class (greening, park)."""

    type: Literal["greening", "park"]
    to_class: ClassCode = Field(7, description="New class (default 7, lawn).")


class GreenRoofs(_Intervention):
    """Roofs of the chosen buildings become green roofs (class table's green-roof class)."""

    type: Literal["green_roofs"]
    to_class: ClassCode = Field(15, description="Green-roof class (default 15).")
    retention_depth: float = Field(20.0, ge=0, le=200, description="Rain held by the substrate (mm).")


class CoolSurface(_Intervention):
    """Roofs (``cool_roofs``) or sealed ground (``cool_pavement``) get a high albedo."""

    type: Literal["cool_roofs", "cool_pavement"]
    albedo: float | None = Field(None, gt=0, lt=1, description="Albedo (default: the cool class's).")


class PermeablePaving(_Intervention):
    type: Literal["permeable_paving"]
    to_class: ClassCode = Field(14, description="Permeable-paving class (default 14).")


class RetentionBasin(_Intervention):
    """Ground lowered by ``depth`` over the area: storage volume = depth × area."""

    type: Literal["retention_basin"]
    depth: float = Field(gt=0, le=10, description="Depth the ground is lowered by (m).")
    to_class: ClassCode = Field(13, description="Class of the basin floor (default 13, floodable park).")
    UNIT: ClassVar[str] = "m3"


class NewBuildings(_Intervention):
    """Footprints (the area's polygons) become buildings of ``height``."""

    type: Literal["new_buildings"]
    height: float = Field(gt=2, le=300, description="Building height (m).")
    use: str = Field("residential", description="Use (residential, office, school…).")
    population: float | None = Field(None, ge=0, description="Residents in all (default: estimated from floor area).")


class Demolish(_Intervention):
    type: Literal["demolish"]
    to_class: ClassCode = Field(6, description="Class of the freed ground (default 6, bare soil).")


class DrainageUpgrade(_Intervention):
    """Storm-sewer capacity raised on the sealed cells of the area."""

    type: Literal["drainage_upgrade"]
    capacity: float = Field(gt=0, le=500, description="New network capacity (mm/h of rain on connected cells).")


Intervention = Annotated[
    PlantTrees | Depave | Greening | GreenRoofs | CoolSurface | PermeablePaving | RetentionBasin | NewBuildings
    | Demolish | DrainageUpgrade,
    Field(discriminator="type"),
]


class Scenario(_Strict):
    """A planning scenario (see the module docstring)."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]+$", max_length=64)]
    title: str = Field(description="Title in French.")
    title_en: str | None = Field(None, description="Title in English.")
    description: str = ""
    parent: str | list[str] | None = Field(
        None, description=f"Scenario(s) this one builds on, applied in order (default: {BASELINE})."
    )
    forcing: Forcing = Field(Forcing(), description="Storm and heat forcing; keys given override the parent's.")
    interventions: list[Intervention] = Field(default_factory=list)
    source: Path | None = Field(None, exclude=True)

    @property
    def parents(self) -> list[str]:
        return [self.parent] if isinstance(self.parent, str) else list(self.parent or [])

    def title_in(self, language: str = "fr") -> str:
        return self.title_en if language == "en" and self.title_en else self.title


def _resolve(path: Path | None, info: ValidationInfo) -> Path | None:
    base = (info.context or {}).get("base_dir")
    return (Path(base) / path) if path is not None and base is not None and not path.is_absolute() else path


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate one scenario file (raises :class:`ScenarioError`)."""
    path = Path(path)
    scenario = load_model(path, Scenario, error=ScenarioError)
    return scenario.model_copy(update={"source": path})


def baseline() -> Scenario:
    """The scenario of the site as loaded: no intervention, default forcing."""
    return Scenario(id=BASELINE, title="Situation actuelle", title_en="Current situation")


class ScenarioSet:
    """Scenarios by id, with their ``parent`` chains resolved and checked."""

    def __init__(self, scenarios: Iterable[Scenario]):
        self.by_id: dict[str, Scenario] = {}
        for scenario in scenarios:
            if scenario.id in self.by_id:
                first = self.by_id[scenario.id].source
                raise ScenarioError(f"{scenario.source}: scenario id {scenario.id!r} is already used by {first}. Ids must be unique.")
            self.by_id[scenario.id] = scenario
        self.by_id.setdefault(BASELINE, baseline())
        for scenario in self.by_id.values():
            self.chain(scenario.id)

    @classmethod
    def load(cls, paths: Iterable[str | os.PathLike]) -> ScenarioSet:
        return cls(load_scenario(p) for p in paths)

    def __iter__(self):
        return iter(self.by_id.values())

    def __len__(self) -> int:
        return len(self.by_id)

    def __getitem__(self, scenario_id: str) -> Scenario:
        if scenario_id not in self.by_id:
            raise ScenarioError(f"No scenario {scenario_id!r}. Known: {', '.join(self.by_id)}.")
        return self.by_id[scenario_id]

    def chain(self, scenario_id: str, _visiting: tuple[str, ...] = ()) -> list[Scenario]:
        """The scenario after its ancestors, oldest first, each once (the baseline first of all)."""
        scenario = self[scenario_id]
        if scenario_id in _visiting:
            loop = " → ".join((*_visiting, scenario_id))
            raise ScenarioError(f"{scenario.source}: scenario parents form a loop ({loop}). Break it.")
        if scenario_id == BASELINE:
            if scenario.parents:
                raise ScenarioError(f"{scenario.source}: the baseline cannot have a parent.")
            return [scenario]
        chain: list[Scenario] = []
        for parent in scenario.parents or [BASELINE]:
            if parent not in self.by_id:
                raise ScenarioError(
                    f"{scenario.source}: parent {parent!r} of scenario {scenario_id!r} is not among the scenarios "
                    f"given ({', '.join(self.by_id)}). Give its file too, or fix the name."
                )
            chain += [s for s in self.chain(parent, (*_visiting, scenario_id)) if all(s.id != c.id for c in chain)]
        return [*chain, scenario]

    def interventions(self, scenario_id: str) -> list[Intervention]:
        """All interventions of a scenario, its ancestors' first."""
        return [i for s in self.chain(scenario_id) for i in s.interventions]

    def forcing(self, scenario_id: str) -> Forcing:
        """The scenario's forcing: defaults, overridden by each ancestor then by the scenario."""
        merged: dict[str, dict[str, Any]] = {"storm": {}, "heat": {}}
        for scenario in self.chain(scenario_id):
            # Only the keys a file wrote override: pydantic remembers which were set.
            for part, values in merged.items():
                values.update(getattr(scenario.forcing, part).model_dump(exclude_unset=True))
        return Forcing(storm=StormForcing(**merged["storm"]), heat=HeatForcing(**merged["heat"]))
