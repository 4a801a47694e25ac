"""The viewer's logic through streamlit.testing (no browser): open, switch, workshop, compare, weights."""

from __future__ import annotations

from pathlib import Path

import pytest

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
APP = str(Path(__file__).resolve().parent.parent / "app.py")
FACILITATOR = "2468"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A small site with its scenarios already computed (the app reads the cache)."""
    from conftest import CityFiles
    from test_runner import write_scenarios

    from jumeau import load_site
    from jumeau.study.runner import run
    from viewer.data import site_results

    folder = tmp_path_factory.mktemp("app")
    site = CityFiles(folder).write()
    scenarios = write_scenarios(folder / "scenarios")
    report = run(site, scenarios, site_results((folder / "runs").resolve(), load_site(site)), workers=1)
    assert not report.failed, report.table()
    return site, folder / "scenarios", folder / "runs"


def server(workspace, monkeypatch, **settings) -> AppTest:
    """The app as a server set up by its operator: the workspace's site, scenarios and results, and
    ``settings`` (environment variables, e.g. ``JUMEAU_WORKSHOP="1"``)."""
    import viewer.views

    site, scenarios, runs = workspace
    for name, value in {"JUMEAU_SITE": site, "JUMEAU_SCENARIOS": scenarios, "JUMEAU_RUNS": runs,
                        "JUMEAU_FACILITATOR_CODE": FACILITATOR, **settings}.items():
        monkeypatch.setenv(name, str(value))
    # no 3-D scene built by VTK in a thread of the test process, beside the tests that build one
    monkeypatch.setattr(viewer.views, "prepare_scene", lambda *args: None)
    return AppTest.from_file(APP, default_timeout=120)


@pytest.fixture
def app(workspace, monkeypatch):
    test = server(workspace, monkeypatch)
    import viewer.scene3d

    # The 3-D page is tested in a real browser (test_app_e2e); here it is a stand-in.
    monkeypatch.setattr(viewer.scene3d, "scene_html", lambda *args, **kwargs: "<html><body>scene</body></html>")
    test.run()
    assert not test.exception, test.exception
    return test


def metric_values(test) -> list[str]:
    return [m.value for m in test.metric]


def test_opens_on_the_scenarios_with_indicators(app):
    assert app.title[0].value == "Jumeau numérique du quartier"
    assert len(app.metric) == 8
    assert app.selectbox(key="scenario_select").value == "baseline"


def test_switching_scenario_changes_the_indicators(app):
    before = metric_values(app)
    app.selectbox(key="scenario_select").set_value("trees").run()
    assert not app.exception
    assert metric_values(app) != before


def test_workshop_mode_asks_plain_questions_and_hides_technical_controls(app):
    app.sidebar.toggle(key="workshop").set_value(True).run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "Combien d'habitants ont les pieds dans l'eau ?" in text
    assert not [t for t in app.sidebar.text_input if t.key == "site_path"]
    labels = [b.label for b in app.button]
    assert "Arbres" in labels
    app.button(key="pick_trees").click().run()
    assert not app.exception
    assert app.session_state["scenario"] == "trees"


def test_workshop_mode_from_the_url(workspace, monkeypatch):
    test = server(workspace, monkeypatch, JUMEAU_FACILITATOR_CODE="4321")
    test.query_params["atelier"] = "1"
    test.run()
    assert not test.exception
    # locked: no toggle to leave, and a wrong code keeps the room in the workshop
    assert not [t for t in test.sidebar.toggle if t.key == "workshop"]
    assert [b.label for b in test.button if b.key == "pick_trees"] == ["Arbres"]
    test.sidebar.text_input(key="facilitator_entry").set_value("0000").run()
    assert not test.exception and test.session_state["workshop_on"] is True
    assert "Code incorrect." in [w.value for w in test.warning]
    test.sidebar.text_input(key="facilitator_entry").set_value("4321").run()
    assert not test.exception and test.session_state["workshop_on"] is False
    assert test.sidebar.toggle(key="workshop").value is False
    assert "atelier" not in test.query_params


def test_a_kiosk_server_opens_every_session_in_the_workshop(workspace, monkeypatch):
    test = server(workspace, monkeypatch, JUMEAU_WORKSHOP="1")
    test.run()
    assert not test.exception
    assert test.session_state["workshop_on"] is True and not [t for t in test.sidebar.toggle if t.key == "workshop"]


def test_compare_and_weights_change_the_ranking(app):
    app.radio(key="view").set_value("tab_compare").run()
    app.selectbox(key="cmp_b").set_value("depave").run()
    assert not app.exception
    tables = app.dataframe
    assert len(tables) >= 2  # indicator deltas and the scorecard
    before = tables[-1].value.copy()
    app.slider(key="w_cost").set_value(0.0).run()
    assert not app.exception
    assert not app.dataframe[-1].value.equals(before)


def test_english_is_available(app):
    app.sidebar.radio(key="language").set_value("en").run()
    assert not app.exception
    assert app.title[0].value == "District digital twin"
    values = metric_values(app)
    assert any(v.endswith(" residents") for v in values) and not any("hab." in v for v in values)
    app.sidebar.toggle(key="workshop").set_value(True).run()  # the units shown as the metrics' labels
    assert not app.exception and "hab." not in " ".join(m.label for m in app.metric)


def test_a_bad_site_file_is_reported_in_plain_words(workspace, monkeypatch, tmp_path):
    test = server(workspace, monkeypatch, JUMEAU_SITE=tmp_path / "absent.yaml")
    test.run()
    assert "Le site ne peut pas être chargé" in test.error[0].value
    assert "file not found" in test.error[0].value


def unlock(app) -> None:
    app.sidebar.text_input(key="tools_entry").set_value(FACILITATOR).run()
    assert not app.exception and app.session_state["tools_unlocked"] is True


def test_page_users_name_no_server_path_and_tools_need_the_facilitator_s_code(app):
    assert not [t for t in app.sidebar.text_input if t.key in ("site_path", "scenario_dir", "runs_dir")]
    assert not app.get("file_uploader") and "tab_run" not in app.radio(key="view").options
    app.sidebar.text_input(key="tools_entry").set_value("0000").run()
    assert "Code incorrect." in [w.value for w in app.sidebar.warning]
    assert not app.get("file_uploader")
    unlock(app)
    assert app.get("file_uploader") and "Lancer un calcul" in app.radio(key="view").options


def test_instant_preview_is_a_labelled_screening(app):
    unlock(app)
    app.radio(key="view").set_value("tab_run").run()
    app.button(key="preview_button").click().run()
    assert not app.exception
    notes = " ".join(i.value for i in app.info)
    assert "Criblage, pas une simulation" in notes
    assert len(app.dataframe) >= 1


def test_every_view_draws_without_error(app):
    unlock(app)
    for view in ("tab_3d", "tab_compare", "tab_run", "tab_download", "tab_map"):
        app.radio(key="view").set_value(view).run()
        assert not app.exception, view
    app.radio(key="view").set_value("tab_3d").run()
    assert any("scene" in str(element.proto) for element in app.get("iframe")), "the 3-D page is not embedded"


def test_values_from_the_city_files_are_escaped_in_the_hover_tooltip():
    """A building id or use holding HTML (from a city's file) is shown as text in the tooltip, never run."""
    import geopandas as gpd
    from shapely.geometry import box

    from viewer.views import hover_table

    buildings = gpd.GeoDataFrame({"id": ["<img src=x onerror=alert(1)>"], "use": ["a & b"], "population": [3.0],
                                  "t_air": [30.04], "stress_hours_around": [5.04], "wall_depth": [0.123]},
                                 geometry=[box(0, 0, 1, 1)])
    row = hover_table(buildings).iloc[0]
    assert row["label"] == "&lt;img src=x onerror=alert(1)&gt;" and row["use"] == "a &amp; b"
    assert row["residents"] == 3.0 and row["t_air"] == 30.0
    uses = gpd.GeoDataFrame({"id": ["a", "b"], "use": ["residential", "care_home"], "population": [1.0, 0.0],
                             "t_air": [30.0, 30.0], "stress_hours_around": [1.0, 2.0], "wall_depth": [0.0, 0.0]},
                            geometry=[box(0, 0, 1, 1)] * 2)
    assert hover_table(uses, "fr")["use"].tolist() == ["logement", "EHPAD / maison de retraite"]  # French page
    assert hover_table(uses, "en")["use"].tolist() == ["residential", "care home"]


def test_felt_heat_is_shown_hour_by_hour(app):
    app.radio(key="view").set_value("tab_map").run()
    assert app.radio(key="map_layer").value == "very_strong_stress_hours"  # the default heat map: hours of stress
    for layer in ("utci", "diff:utci"):
        app.radio(key="map_layer").set_value(layer).run()
        assert not app.exception, layer
        app.select_slider(key="map_hour").set_value(10.0).run()
        assert not app.exception, layer
        assert app.select_slider(key="map_hour").value == 10.0


def test_the_view_s_choices_are_kept_when_coming_back_to_it(app):
    # Streamlit forgets a widget's value on a run that does not draw it: a facilitator who showed the
    # water depths, looked at the 3-D scene and came back found the heat map again.
    app.radio(key="view").set_value("tab_map").run()
    app.radio(key="map_layer").set_value("max_depth").run()
    app.toggle(key="hover_map").set_value(True).run()
    app.radio(key="view").set_value("tab_compare").run()
    app.radio(key="cmp_layer").set_value("max_depth").run()
    app.slider(key="w_health").set_value(3.0).run()
    app.radio(key="view").set_value("tab_3d").run()
    app.radio(key="view").set_value("tab_map").run()
    assert not app.exception, app.exception
    assert app.radio(key="map_layer").value == "max_depth"
    assert app.toggle(key="hover_map").value is True
    app.radio(key="view").set_value("tab_compare").run()
    assert app.radio(key="cmp_layer").value == "max_depth"
    assert app.slider(key="w_health").value == 3.0
    app.sidebar.radio(key="language").set_value("en").run()
    app.radio(key="view").set_value("tab_map").run()
    assert not app.exception, app.exception
    assert app.radio(key="map_layer").value == "max_depth"


def test_a_scenario_tells_what_it_does_with_its_works_and_costs(app):
    app.selectbox(key="scenario_select").set_value("depave").run()
    assert not app.exception
    text = " ".join(m.value for m in app.markdown)
    assert "La rue est dépavée &lt;b&gt;vite&lt;/b&gt;." in text  # the file's text, shown as text
    works = app.table[0].value
    assert works.iloc[0, 1] == "Dépavage" and works.iloc[-1, 0] == "Total"
    assert works.iloc[-1, 3].endswith(" €") and "\u202f" in works.iloc[-1, 3]  # 64 000 €, French style


def test_numbers_are_written_the_page_s_way():
    from viewer.views import format_value, signed

    assert format_value(7.534, "h") == "7,53 h" and format_value(7.534, "h", "en") == "7.53 h"
    assert format_value(12345.6, "m²") == "12\u202f346 m²" and format_value(28.0, "arbres") == "28 arbres"
    assert format_value(float("nan"), "°C") == "—"
    assert format_value(8287.0, "hab.", with_unit=False) == "8\u202f287"  # a workshop figure: its unit is its label
    assert signed(-453.0, "hab.", with_unit=False) == "\u2212453" and signed(0.32, "h") == "+0,32 h"
    assert signed(float("nan"), "h") == "—"


def test_a_change_is_signed_with_a_minus_and_coloured_by_what_is_better(app):
    app.selectbox(key="scenario_select").set_value("trees").run()
    assert not app.exception
    changed = [m for m in app.metric if m.proto.delta]
    assert changed, "no indicator changed"
    from streamlit.proto.Metric_pb2 import Metric

    from jumeau.study.indicators import INDICATORS
    from viewer.views import HEADLINES

    labels = {INDICATORS[key].label("fr"): INDICATORS[key].better for key in HEADLINES}
    for metric in changed:
        falling = metric.proto.delta.startswith("\u2212")
        assert falling or metric.proto.delta.startswith("+"), metric.proto.delta
        assert metric.proto.direction == (Metric.MetricDirection.DOWN if falling else Metric.MetricDirection.UP)
        good = falling == (labels[metric.label] == "lower")
        assert metric.proto.color == (Metric.MetricColor.GREEN if good else Metric.MetricColor.RED), metric.label


def test_slide_files_are_named_in_plain_words():
    from viewer.views import file_name

    assert file_name("carte", "Plan combiné", "Heures de stress thermique très fort (h)", "15h", suffix=".png") == \
        "carte_plan-combine_heures-de-stress-thermique-tres-fort-h_15h.png"
    assert file_name("rapport comparaison scenarios", suffix=".html") == "rapport-comparaison-scenarios.html"


def test_the_download_page_offers_one_report_and_named_layers(app):
    app.radio(key="view").set_value("tab_download").run()
    assert not app.exception
    labels = [b.label for b in app.get("download_button")]
    assert labels.count("Rapport de comparaison (HTML)") == 1
    assert any("Heures de stress thermique très fort" in label for label in labels), labels


def test_sensitive_sites_are_named_with_their_values_and_changes():
    import pandas as pd

    from viewer.text import TEXT
    from viewer.views import sites_table

    def sites(hours):
        return pd.DataFrame({"name": ["École Jules Ferry", "Salle des fêtes"], "sensitive": [True, False],
                             "stress_hours_around": [hours, 9.0], "utci_around": [42.4, 44.0],
                             "peak_depth": [0.0, 0.3]})

    table = sites_table(sites(7.07), sites(7.76), TEXT["fr"], "fr")
    assert table.iloc[:, 0].tolist() == ["École Jules Ferry"]  # only the sensitive ones
    assert table.iloc[0, 1] == "7,07 h (−0,69 h)" and table.iloc[0, 2] == "42,4 °C"


def test_a_place_shows_what_changes_there(app):
    app.selectbox(key="scenario_select").set_value("trees").run()
    options = app.selectbox(key="place").options
    assert options and any(o.startswith("Bâtiment") for o in options)
    building = next(o for o in options if o.startswith("Bâtiment")).split(" ")[1]
    app.selectbox(key="place").set_value(f"building:{building}").run()
    assert not app.exception
    table = app.table[-1].value
    assert list(table.columns) == ["", "Actuel", "Arbres", "Δ"]
    assert {"Eau contre les murs", "Heures de stress très fort à sa porte"} <= set(table[""]), table


def test_the_other_scenarios_maps_are_drawn_in_the_background_so_a_switch_finds_them(workspace, monkeypatch):
    import threading

    import viewer.views

    test = server(workspace, monkeypatch, JUMEAU_WORKSHOP="1")
    viewer.views.maps_ahead.clear()  # drawn by no earlier test
    viewer.views._cached_map_png.clear()
    test.run()
    assert not test.exception
    assert [t for t in threading.enumerate() if t.name == "jumeau-maps"], "no background drawing started"
    assert viewer.views.maps_ahead().wait_idle(timeout=120)

    def draw_again(*args, **kwargs):
        raise AssertionError("a switch drew its map again: the background drawing missed its cache key")

    monkeypatch.setattr(viewer.views, "_map_png", draw_again)
    for scenario in ("trees", "depave"):
        test.button(key=f"pick_{scenario}").click().run()
        assert not test.exception, test.exception
        assert test.session_state["scenario"] == scenario



def test_a_map_drawn_once_is_kept_in_the_run_s_folder_for_the_next_server(workspace, monkeypatch):
    import viewer.views

    test = server(workspace, monkeypatch)
    viewer.views._cached_map_png.clear()
    test.run()
    assert not test.exception
    kept = sorted((workspace[2]).rglob(f"{viewer.views.MAP_FOLDER}/*.png"))
    assert kept and all(path.read_bytes().startswith(b"\x89PNG") for path in kept)
    assert not list(workspace[2].rglob(f"{viewer.views.MAP_FOLDER}/.*"))  # nothing half-written left

    def draw_again(*args, **kwargs):
        raise AssertionError("a fresh server drew a map its run's folder holds")

    monkeypatch.setattr(viewer.views, "_map_png", draw_again)
    viewer.views._cached_map_png.clear()  # as a new server's memory
    again = server(workspace, monkeypatch)
    again.run()
    assert not again.exception, again.exception
    assert again.get("imgs") or again.get("image")


def test_a_layer_s_colour_range_is_kept_in_the_run_s_folder_for_the_next_server(workspace, monkeypatch):
    """A map's colours span every scenario's values: a fresh server's first page read the layer of every
    scenario to colour one map; each run's percentiles are kept in its folder instead."""
    import numpy as np

    import viewer.views
    from jumeau.io.runfolder import find_runs

    results = list(find_runs(workspace[2] / next(p.name for p in workspace[2].iterdir() if p.is_dir())).values())
    assert len(results) > 1
    viewer.views._layer_span.clear()
    limits = viewer.views.colour_range(results, "t_air")
    values = [r.layer("t_air").values for r in results]
    assert limits == (min(np.nanpercentile(v, 1) for v in values), max(np.nanpercentile(v, 99.5) for v in values))
    assert viewer.views.layer_span(results[0], "no_such_layer") is None
    assert len(list(workspace[2].rglob(f"{viewer.views.MAP_FOLDER}/span-*-t_air.json"))) == len(results)

    def read_again(*args, **kwargs):
        raise AssertionError("a fresh server read a layer whose span its run's folder holds")

    monkeypatch.setattr(viewer.views.data, "grids", read_again)
    viewer.views._layer_span.clear()  # as a new server's memory
    assert viewer.views.colour_range([type(r)(r.folder) for r in results], "t_air") == limits


def test_the_shown_scenario_s_3d_scene_is_built_in_the_background(workspace, monkeypatch):
    import viewer.scene3d
    import viewer.views

    built = []

    def scene(*args, view, **kwargs):
        built.append(view)
        return "<html><body>scene</body></html>"

    monkeypatch.setattr(viewer.scene3d, "scene_html", scene)
    prepare = viewer.views.prepare_scene
    test = server(workspace, monkeypatch, JUMEAU_WORKSHOP="1")
    monkeypatch.setattr(viewer.views, "prepare_scene", prepare)
    viewer.views._scene_page.clear()
    viewer.views.scene_ahead.clear()
    test.run()
    assert not test.exception
    assert viewer.views.scene_ahead().wait_idle(timeout=120)
    assert built == ["overview"]
    test.radio(key="view").set_value("tab_3d").run()
    assert not test.exception, test.exception
    assert built == ["overview"]  # the click found it built


def test_the_readme_s_server_sends_no_usage_statistics():
    """The server (`python -m viewer`, `streamlit run app.py`) reads .streamlit/config.toml: a consultation's
    browsers report nothing to Streamlit's servers (on a closed network the attempt was also a console error)."""
    import tomllib

    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False


def test_the_server_imports_what_the_page_imports_while_the_browser_loads():
    """`python -m viewer` imports app.py's modules in a thread from the start: all of them, and the page's
    script then finds them loaded."""
    import ast

    from viewer.__main__ import PAGE_IMPORTS

    tree = ast.parse(Path(APP).read_text(encoding="utf-8"))
    imported = {node.module if isinstance(node, ast.ImportFrom) else alias.name
                for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names}
    modules = {f"viewer.{alias.name}" for node in tree.body if isinstance(node, ast.ImportFrom)
               and node.module == "viewer" for alias in node.names}
    ours = {m for m in imported | modules if m.split(".")[0] in ("jumeau", "viewer") and m != "viewer"}
    assert ours <= set(PAGE_IMPORTS), ours - set(PAGE_IMPORTS)
