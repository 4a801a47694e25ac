"""Interventions change only their area and only the layers they declare; bad ones are refused."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Transformer

import jumeau
from jumeau.errors import ScenarioError
from jumeau.plan.interventions import WRITES, apply, changed_cells
from jumeau.plan.scenario import Scenario
from jumeau.plan.selection import select

X0, Y0 = 430_000.0, 6_712_000.0  # demo district's lower-left corner (Lambert-93)


def box_wkt(x0, y0, x1, y1) -> str:
    """A rectangle in the demo's local metres, as Lambert-93 WKT."""
    a, b, c, d = X0 + x0, Y0 + y0, X0 + x1, Y0 + y1
    return f"POLYGON(({a} {b}, {c} {b}, {c} {d}, {a} {d}, {a} {b}))"


SCHOOLYARD = box_wkt(880, 630, 940, 680)
CENTRE = box_wkt(770, 440, 1170, 800)
VALLEY_MEADOW = box_wkt(380, 262, 560, 290)
CAR_PARK = box_wkt(1195, 447, 1335, 537)
INDUSTRY = box_wkt(1188, 600, 1490, 800)
BOULEVARD_EAST = f"LINESTRING({X0 + 1190} {Y0 + 430}, {X0 + 1490} {Y0 + 430})"

# One valid example of every kind.
EXAMPLES = {
    "plant_trees": {"where": {"wkt": SCHOOLYARD}, "cover": 0.5},
    "depave": {"where": {"wkt": SCHOOLYARD}},
    "greening": {"where": {"wkt": CAR_PARK}},
    "park": {"where": {"wkt": CAR_PARK}, "to_class": 9},
    "green_roofs": {"where": {"wkt": CENTRE, "buildings": {"min_area": 150}}, "retention_depth": 30},
    "cool_roofs": {"where": {"wkt": INDUSTRY}},
    "cool_pavement": {"where": {"wkt": CAR_PARK}, "albedo": 0.45},
    "permeable_paving": {"where": {"wkt": CAR_PARK}},
    "retention_basin": {"where": {"wkt": VALLEY_MEADOW}, "depth": 1.5},
    "new_buildings": {"where": {"wkt": box_wkt(1200, 450, 1250, 480)}, "height": 15},
    "demolish": {"where": {"wkt": INDUSTRY, "buildings": {"use": "industrial"}}},
    "drainage_upgrade": {"where": {"wkt": CENTRE}, "capacity": 45},
}


@pytest.fixture(scope="module")
def demo():
    return jumeau.demo_site()


def scenario(*interventions: dict) -> Scenario:
    return Scenario.model_validate({"id": "test", "title": "Essai", "interventions": list(interventions)})


def run(site, kind: str, **overrides):
    spec = {"type": kind, **EXAMPLES[kind], **overrides}
    return apply(site, scenario(spec).interventions)


@pytest.mark.parametrize("kind", sorted(WRITES))
def test_each_kind_changes_only_its_area_and_layers(demo, kind):
    before = {name: demo.grid[name].values.copy() for name in demo.grid.data_vars}
    after = run(demo, kind)
    (change,) = after.metadata["changes"]
    assert change.cells.any() and change.quantity > 0
    for name in after.grid.data_vars:
        new = after.grid[name].values
        old = before[name] if name in before else np.full(new.shape, np.nan, new.dtype)
        differs = ~((new == old) | (np.isnan(new) & np.isnan(old)) if new.dtype.kind == "f" else new == old)
        if name not in WRITES[kind]:
            assert not differs.any(), f"{kind} changed {name}"
        assert not (differs & ~change.cells).any(), f"{kind} changed {name} outside its recorded cells"
    if kind != "plant_trees" or "spacing" not in EXAMPLES[kind]:
        area = select(demo, scenario({"type": kind, **EXAMPLES[kind]}).interventions[0].where, "test")
        if area.geometry is not None and kind not in ("green_roofs", "cool_roofs", "demolish"):
            assert not (change.cells & ~area.cells).any()
    for name, values in before.items():  # the baseline is never modified
        np.testing.assert_array_equal(demo.grid[name].values, values)


def test_costs_are_quantity_times_unit_costs(demo):
    after = run(demo, "depave", cost={"unit_cost": 150, "maintenance": 2.5})
    (change,) = after.metadata["changes"]
    assert change.unit == "m2"
    assert change.quantity == change.cells.sum() * demo.cell_area
    assert change.investment == pytest.approx(150 * change.quantity)
    assert change.maintenance == pytest.approx(2.5 * change.quantity)


def test_retention_basin_stores_depth_times_area(demo):
    after = run(demo, "retention_basin")
    (change,) = after.metadata["changes"]
    lowered = demo.grid["elevation"].values - after.grid["elevation"].values
    assert change.quantity == pytest.approx(float(lowered.sum()) * demo.cell_area, rel=1e-5)
    assert change.quantity == pytest.approx(1.5 * change.cells.sum() * demo.cell_area)


def test_trees_along_a_line_are_spaced(demo):
    after = run(demo, "plant_trees", where={"wkt": BOULEVARD_EAST}, spacing=10, cover=0.6)
    (change,) = after.metadata["changes"]
    assert change.quantity == 30  # 300 m at 10 m spacing
    assert (after.grid["canopy_cover"].values >= demo.grid["canopy_cover"].values).all()
    assert (after.grid["building_id"].values[change.cells] == 0).all()


def test_new_buildings_are_added_and_rasterized(demo):
    after = run(demo, "new_buildings")
    assert len(after.buildings) == len(demo.buildings) + 1
    new_id = after.buildings.index.max()
    cells = after.grid["building_id"].values == new_id
    assert cells.sum() == 25 * 15  # 50 m × 30 m at 2 m
    assert (after.grid["building_height"].values[cells] == 15).all()
    assert after.buildings.loc[new_id, "population"] > 0
    assert (after.grid["landcover"].values[cells] == 1).all()


def test_demolition_removes_buildings_and_their_cells(demo):
    after = run(demo, "demolish")
    removed = set(demo.buildings.index) - set(after.buildings.index)
    assert removed
    assert not np.isin(after.grid["building_id"].values, list(removed)).any()


def test_green_roofs_retention_and_class(demo):
    after = run(demo, "green_roofs")
    (change,) = after.metadata["changes"]
    assert (after.grid["roof_retention"].values[change.cells] == 30).all()
    assert np.isnan(after.grid["roof_retention"].values[~change.cells]).all()
    assert (after.parameter("green_area")[change.cells] == 1).all()


def test_cool_pavement_albedo_override(demo):
    after = run(demo, "cool_pavement")
    (change,) = after.metadata["changes"]
    assert np.allclose(after.parameter("albedo")[change.cells], 0.45)
    np.testing.assert_array_equal(after.parameter("albedo")[~change.cells], demo.parameter("albedo")[~change.cells])


def test_interventions_chain_and_record_changes(demo):
    after = apply(demo, scenario({"type": "depave", **EXAMPLES["depave"]},
                                 {"type": "plant_trees", **EXAMPLES["plant_trees"]}).interventions)
    assert [c.kind for c in after.metadata["changes"]] == ["depave", "plant_trees"]
    assert changed_cells(after).sum() >= max(c.cells.sum() for c in after.metadata["changes"])


def test_geometry_in_another_crs_is_reprojected(demo):
    to_lonlat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    corners = [to_lonlat.transform(X0 + x, Y0 + y) for x, y in ((880, 630), (940, 630), (940, 680), (880, 680))]
    ring = ", ".join(f"{lon} {lat}" for lon, lat in [*corners, corners[0]])
    lonlat = select(demo, scenario({"type": "depave", "where": {"wkt": f"POLYGON(({ring}))", "crs": "EPSG:4326"}})
                    .interventions[0].where, "t")
    lambert = select(demo, scenario({"type": "depave", "where": {"wkt": SCHOOLYARD}}).interventions[0].where, "t")
    assert abs(int(lonlat.cells.sum()) - int(lambert.cells.sum())) <= 60  # 750 cells; edges shift by < 1 cell


def test_a_tiny_area_still_selects_one_cell(demo):
    tiny = box_wkt(900.2, 650.2, 900.6, 650.6)
    selection = select(demo, scenario({"type": "depave", "where": {"wkt": tiny}}).interventions[0].where, "t")
    assert selection.cells.sum() == 1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "depave", "where": {"wkt": "POLYGON((0 0, 10 0, 10 10, 0 0))"}}, "outside the site"),
        ({"type": "depave", "where": {"wkt": "POLYGON((0 0, 1"}}, "not a valid geometry"),
        ({"type": "depave", "where": {"file": "/nonexistent/area.gpkg"}}, "not found"),
        ({"type": "depave", "where": {"wkt": SCHOOLYARD, "crs": "EPSG:999999"}}, "crs"),
        ({"type": "depave", "where": {"wkt": box_wkt(490, 450, 520, 470)}}, "no sealed ground"),
        ({"type": "depave", "where": {"wkt": SCHOOLYARD}, "to_class": 99}, "class 99"),
        ({"type": "retention_basin", "where": {"wkt": CENTRE}, "depth": 1}, "covers building"),
        ({"type": "new_buildings", "where": {"wkt": CENTRE}, "height": 10}, "overlap existing"),
        ({"type": "green_roofs", "where": {"wkt": CENTRE, "buildings": {"use": "hospital"}}}, "selects no building"),
        ({"type": "plant_trees", "where": {"wkt": SCHOOLYARD}, "spacing": 8}, "LINESTRING"),
        ({"type": "depave", "where": {"wkt": SCHOOLYARD, "landcover": [77]}}, "landcover"),
    ],
)
def test_bad_interventions_are_refused_with_a_clear_message(demo, spec, message):
    with pytest.raises(ScenarioError, match=message):
        apply(demo, scenario(spec).interventions)


def test_a_city_table_without_roles_needs_the_class_given(demo, tmp_path):
    """A city's own InVEST table names no role: a kind that needs one says so, and to_class is enough."""
    from jumeau.site.classes import ClassTable

    path = tmp_path / "invest.csv"
    demo.classes.table.drop(columns="role").to_csv(path, index=False)
    city = demo.evolve(classes=ClassTable.read(path))
    with pytest.raises(ScenarioError, match=r"no `to_class` given.*role 'garden'"):
        run(city, "depave")
    depaved = run(city, "depave", to_class=9)
    assert (depaved.grid["landcover"].values[changed_cells(depaved)] == 9).all()
    assert city.classes.code_for("cool_roof") is None


def test_the_default_class_of_each_kind_is_its_role(demo):
    for kind, role in (("depave", "garden"), ("greening", "lawn"), ("green_roofs", "green_roof"),
                       ("cool_roofs", "cool_roof"), ("cool_pavement", "cool_pavement"),
                       ("permeable_paving", "permeable_paving"), ("retention_basin", "floodable_park"),
                       ("new_buildings", "roof")):
        changed = run(demo, kind)
        cells = changed_cells(changed)
        assert (changed.grid["landcover"].values[cells] == demo.classes.code_for(role)).all(), kind
