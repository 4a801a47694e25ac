"""Planning scenarios as YAML files: forcing, interventions, costs (schema and loading).

A scenario file names *what is tried* (a list of interventions, each with where it
applies, its parameters and its unit cost) and *under which weather* (a design storm
and a heat-wave day). It is validated by pydantic models with ``extra="forbid"``, so a
misspelt key is an error that names the file, the line and the keys allowed there.
The schema is documented in ``docs/scenarios.md``. The forcing's two parts are the
models' own declarations (:class:`jumeau.flood.model.StormForcing`,
:class:`jumeau.heat.model.HeatForcing`): a model owns the spec of what it needs.

A scenario may name a ``parent`` (or several): its interventions are applied after
the parents', and its forcing overrides theirs key by key. ``baseline`` is the site as
loaded; a ``baseline.yaml`` may set the forcing every scenario starts from.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from jumeau.errors import ScenarioError
from jumeau.flood.forcing import StormForcing
from jumeau.heat.forcing import HeatForcing
from jumeau.io.schema import RelativePath, Section
from jumeau.io.yamlfile import load_model

BASELINE = "baseline"


class Forcing(Section):
    storm: StormForcing = StormForcing()
    heat: HeatForcing = HeatForcing()


class Cost(Section):
    """Unit costs in euros, per the unit of the intervention kind (m², tree, m³…)."""

    unit_cost: float = Field(0.0, ge=0, description="Investment per unit (€).")
    maintenance: float = Field(0.0, ge=0, description="Yearly maintenance per unit (€/year).")
    unit: str | None = Field(None, description="Optional check: the unit the costs are given in.")


class BuildingFilter(Section):
    """Buildings chosen by attribute (all given conditions must hold)."""

    use: list[str] | str | None = Field(None, description="Building uses (residential, school, …).")
    ids: list[int] | None = Field(None, description="Building ids (index of Site.buildings).")
    min_height: float | None = Field(None, ge=0)
    max_height: float | None = Field(None, ge=0)
    min_area: float | None = Field(None, ge=0, description="Minimum footprint area (m²).")


class Where(Section):
    """Where an intervention applies: a geometry, and optionally a selection inside it.

    Exactly one geometry source (``wkt``, ``geojson`` or ``file``) may be given; without
    one, the whole site is the area. ``buildings`` selects buildings (inside the area);
    ``landcover`` keeps only cells of these classes (inside the area).
    """

    wkt: str | None = Field(None, description="A WKT geometry.")
    geojson: dict[str, Any] | None = Field(None, description="A GeoJSON geometry, feature or feature collection.")
    file: RelativePath | None = Field(None, description="A vector file (GeoPackage, GeoJSON, Shapefile, FlatGeobuf).")
    layer: str | None = Field(None, description="Layer of ``file``.")
    crs: str | None = Field(None, description="CRS of the geometry (default: the site's; a file's own CRS wins).")
    buffer: float | None = Field(None, gt=0, description="Widen the geometry by this many metres (lines → strips).")
    buildings: BuildingFilter | None = None
    landcover: list[int] | None = Field(None, description="Class codes the intervention is limited to.")

    @model_validator(mode="after")
    def _one_geometry(self) -> Where:
        given = [k for k in ("wkt", "geojson", "file") if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one geometry source, not {' and '.join(given)}")
        return self


class _Intervention(Section):
    """One intervention: its kind (``type``), where it applies, its parameters and its costs.

    Each kind's parameters are the fields of its subclass; ``UNIT`` is what its
    quantity and unit costs count (m², tree, m³).
    """

    type: str  # each kind narrows it to its own name(s), which tell the kinds apart
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


class _Reclass(_Intervention):
    """A kind that gives its cells a new land-cover class: ``to_class``, else the class table's
    class of the kind's ``ROLE`` (see :data:`jumeau.site.classes.ROLES`)."""

    to_class: ClassCode | None = Field(None, description="New class code (default: the class table's class of the "
                                                         "kind's role).")
    ROLE: ClassVar[str] = ""

    @property
    def role(self) -> str:
        return self.ROLE


class PlantTrees(_Intervention):
    """Trees over an area (``cover``), or one every ``spacing`` metres along lines."""

    type: Literal["plant_trees"]
    cover: float = Field(0.6, gt=0, le=1, description="Canopy cover reached over the open ground of an area.")
    spacing: float | None = Field(None, ge=3, le=100, description="Along lines: distance between trees (m).")
    crown_radius: float = Field(3.0, gt=0.5, le=15, description="Crown radius at maturity (m).")
    height: float = Field(10.0, gt=1, le=40, description="Tree height at maturity (m).")
    UNIT: ClassVar[str] = "tree"


class Depave(_Reclass):
    """Sealed ground (not roofs) of the area becomes a pervious class (default: the ``garden`` class)."""

    type: Literal["depave"]
    ROLE: ClassVar[str] = "garden"


class Greening(_Reclass):
    """Open ground of the area changes class (default: the ``lawn`` class)."""

    type: Literal["greening", "park"]
    ROLE: ClassVar[str] = "lawn"


class GreenRoofs(_Reclass):
    """Roofs of the chosen buildings become green roofs (default: the ``green_roof`` class)."""

    type: Literal["green_roofs"]
    retention_depth: float = Field(20.0, ge=0, le=200, description="Rain held by the substrate (mm).")
    ROLE: ClassVar[str] = "green_roof"


class CoolSurface(_Reclass):
    """Roofs (``cool_roofs``) or sealed ground (``cool_pavement``) get a high albedo
    (default class: the ``cool_roof`` or ``cool_pavement`` class)."""

    type: Literal["cool_roofs", "cool_pavement"]
    albedo: float | None = Field(None, gt=0, lt=1, description="Albedo (default: the cool class's).")

    @property
    def role(self) -> str:
        return "cool_roof" if self.type == "cool_roofs" else "cool_pavement"


class PermeablePaving(_Reclass):
    """Sealed ground of the area becomes permeable paving (default: the ``permeable_paving`` class)."""

    type: Literal["permeable_paving"]
    ROLE: ClassVar[str] = "permeable_paving"


class RetentionBasin(_Reclass):
    """Ground lowered by ``depth`` over the area: storage volume = depth × area (default floor class:
    the ``floodable_park`` class)."""

    type: Literal["retention_basin"]
    depth: float = Field(gt=0, le=10, description="Depth the ground is lowered by (m).")
    UNIT: ClassVar[str] = "m3"
    ROLE: ClassVar[str] = "floodable_park"


class NewBuildings(_Reclass):
    """Footprints (the area's polygons) become buildings of ``height`` (default class: the ``roof`` class)."""

    type: Literal["new_buildings"]
    height: float = Field(gt=2, le=300, description="Building height (m).")
    use: str = Field("residential", description="Use (residential, office, school…).")
    population: float | None = Field(None, ge=0, description="Residents in all (default: estimated from floor area).")
    ROLE: ClassVar[str] = "roof"


class Demolish(_Reclass):
    """The chosen buildings are removed; their ground gets a class (default: the ``bare_soil`` class)."""

    type: Literal["demolish"]
    ROLE: ClassVar[str] = "bare_soil"


class DrainageUpgrade(_Intervention):
    """Storm-sewer capacity raised on the sealed cells of the area."""

    type: Literal["drainage_upgrade"]
    capacity: float = Field(gt=0, le=500, description="New network capacity (mm/h of rain on connected cells).")


Intervention = Annotated[
    PlantTrees | Depave | Greening | GreenRoofs | CoolSurface | PermeablePaving | RetentionBasin | NewBuildings
    | Demolish | DrainageUpgrade,
    Field(discriminator="type"),
]


class Scenario(Section):
    """A planning scenario (see the module docstring)."""

    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]+$", max_length=64)]
    title: str = Field(description="Title in French.")
    title_en: str | None = Field(None, description="Title in English.")
    description: str = Field("", description="What the scenario does, in French, for residents and officials.")
    description_en: str | None = Field(None, description="The description in English.")
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

    def description_in(self, language: str = "fr") -> str:
        return self.description_en if language == "en" and self.description_en else self.description


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate one scenario file (raises :class:`ScenarioError`)."""
    path = Path(path)
    scenario = load_model(path, Scenario, error=ScenarioError)
    return scenario.model_copy(update={"source": path})


def baseline() -> Scenario:
    """The scenario of the site as loaded: no intervention, default forcing."""
    return Scenario(id=BASELINE, title="Situation actuelle", title_en="Current situation")


class ScenarioSet:
    """Scenarios by id, with their ``parent`` chains resolved and checked.

    A child's forcing overrides its parents' key by key:

    >>> base = Scenario.model_validate({"id": "baseline", "title": "Actuel",
    ...                                 "forcing": {"storm": {"return_period": 30, "after_rain": 10}}})
    >>> child = Scenario.model_validate({"id": "t100", "title": "Orage centennal", "parent": "baseline",
    ...                                  "forcing": {"storm": {"return_period": 100}}})
    >>> storm = ScenarioSet([base, child]).forcing("t100").storm
    >>> storm.return_period, storm.after_rain, storm.duration
    (100.0, 10.0, 60.0)
    """

    def __init__(self, scenarios: Iterable[Scenario]):
        self.by_id: dict[str, Scenario] = {}
        for scenario in scenarios:
            if scenario.id in self.by_id:
                first = self.by_id[scenario.id].source
                raise ScenarioError(f"{scenario.source}: scenario id {scenario.id!r} is already used by {first}. "
                                    "Ids must be unique.")
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
