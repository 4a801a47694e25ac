"""Scenario files: schema, errors with file and line, parents and forcing inheritance."""

from __future__ import annotations

import textwrap

import pytest
from conftest import SCENARIO_DIR

from jumeau.errors import ScenarioError
from jumeau.plan.scenario import BASELINE, ScenarioSet, load_scenario


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_shipped_demo_scenarios_are_valid():
    paths = sorted(SCENARIO_DIR.glob("*.yaml"))
    scenarios = ScenarioSet.load(paths)
    assert len(paths) >= 7
    assert {"baseline", "cour_oasis", "parc_inondable", "toitures_vegetales", "rues_arborees",
            "densification_parking", "plan_combine"} <= set(scenarios.by_id)
    for scenario in scenarios:
        assert scenario.title and (scenario.id == BASELINE or scenario.title_en)
        for intervention in scenarios.interventions(scenario.id):
            assert intervention.cost.unit_cost > 0 or intervention.type == "new_buildings"


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("id: a\ntitle: A\ninterventions:\n  - type: depav\n", ["line 4", "depav", "plant_trees"]),
        ("id: a\ntitle: A\ninterventions:\n  - type: retention_basin\n    depht: 2\n",
         ["line 5", "depht: unknown key", "depth", "line 4", "depth: Field required"]),
        ("id: a\ntitle: A\ninterventions:\n  - type: depave\n    cost: {unit_cost: -10}\n",
         ["line 5", "unit_cost", "greater than or equal to 0"]),
        ("id: a\ntitle: A\ninterventions:\n  - type: plant_trees\n    cost: {unit_cost: 300, unit: m2}\n",
         ["per tree, not per m2"]),
        ("id: a\ntitle: A\nforcing:\n  storm: {return_period: 0.5}\n", ["line 4", "return_period"]),
        ("id: a b\ntitle: A\n", ["line 1", "id"]),
        ("id: a\ntitle: A\ninterventions:\n  - type: depave\n    where: {wkt: 'POINT (0 0)', file: x.gpkg}\n",
         ["line 5", "one geometry source"]),
        ("id: a\ntitle: [unclosed\n", ["not valid YAML", "line"]),
    ],
)
def test_scenario_file_errors_name_file_line_and_fix(tmp_path, text, messages):
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(path) in str(caught.value)
    for message in messages:
        assert message in str(caught.value)


def test_missing_scenario_file(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_parent_chain_and_forcing_inheritance(tmp_path):
    a = write(tmp_path, "a.yaml", """\
        id: a
        title: A
        forcing: {storm: {return_period: 30, duration: 120}, heat: {t_ref: 38}}
        interventions: [{type: depave, name: first}]
        """)
    b = write(tmp_path, "b.yaml", """\
        id: b
        title: B
        parent: a
        forcing: {storm: {return_period: 100}}
        interventions: [{type: greening, name: second}]
        """)
    scenarios = ScenarioSet.load([a, b])
    forcing = scenarios.forcing("b")
    assert (forcing.storm.return_period, forcing.storm.duration, forcing.heat.t_ref) == (100, 120, 38)
    assert [i.label for i in scenarios.interventions("b")] == ["first", "second"]
    assert scenarios.forcing(BASELINE).storm.return_period == 100  # the default


def test_parent_errors(tmp_path):
    orphan = write(tmp_path, "o.yaml", "id: o\ntitle: O\nparent: missing\n")
    with pytest.raises(ScenarioError, match="parent 'missing'"):
        ScenarioSet.load([orphan])
    x = write(tmp_path, "x.yaml", "id: x\ntitle: X\nparent: y\n")
    y = write(tmp_path, "y.yaml", "id: y\ntitle: Y\nparent: x\n")
    with pytest.raises(ScenarioError, match="loop"):
        ScenarioSet.load([x, y])
    twin = write(tmp_path, "x2.yaml", "id: x\ntitle: X again\n")
    with pytest.raises(ScenarioError, match="already used"):
        ScenarioSet.load([x, twin])


@pytest.mark.parametrize(("storm", "messages"), [
    ("{return_period: 200}", ["line 4", "return_period", "200 years is outside", "1–100 years"]),
    ("{return_period: 50, station: Brest}", ["line 4", "unknown Montana station 'Brest'", "IT77 région I"]),
])
def test_a_storm_the_montana_table_cannot_give_is_refused_when_read(tmp_path, storm, messages):
    """The bounds come from the shipped table: T = 200 used to pass and fail later inside a worker."""
    path = write(tmp_path, "s.yaml", f"id: s\ntitle: S\nforcing:\n  storm: {storm}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    for message in messages:
        assert message in str(caught.value)


def test_a_user_hyetograph_is_not_bound_by_the_montana_table(tmp_path):
    (tmp_path / "rain.csv").write_text("time,intensity\n0,30\n30,0\n", encoding="utf-8")
    path = write(tmp_path, "s.yaml", "id: s\ntitle: S\nforcing: {storm: {return_period: 500, file: rain.csv}}\n")
    assert load_scenario(path).forcing.storm.file == tmp_path / "rain.csv"
