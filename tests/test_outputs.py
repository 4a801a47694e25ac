"""Output layers are declared once (jumeau.outputs) and every model and product follows the declaration."""

from __future__ import annotations

import numpy as np
import pytest

import jumeau
from jumeau.flood.forcing import StormForcing
from jumeau.flood.model import flood_site
from jumeau.flood.screening import screen
from jumeau.heat.forcing import HeatForcing
from jumeau.heat.model import heat_site
from jumeau.outputs import OUTPUTS, PRODUCTS
from jumeau.render.maps import draw_map
from jumeau.site.state import LAYERS


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from conftest import CityFiles

    site = jumeau.load_site(CityFiles(tmp_path_factory.mktemp("city")).write())
    flood = flood_site(site, StormForcing(return_period=10, duration=15, after_rain=5), snapshot_every=300)
    heat = heat_site(site, HeatForcing(cooling_distance=60, mixing_radius=60))
    screening, _ = screen(site, 30.0)
    return site, {"flood": flood, "heat": heat, "screening": screening}


def test_every_model_output_is_declared_with_its_attributes(results):
    _, datasets = results
    for model, dataset in datasets.items():
        for name, variable in dataset.data_vars.items():
            assert name in OUTPUTS, f"{model} writes {name!r}: declare it in jumeau.outputs.OUTPUTS"
            spec = OUTPUTS[name]
            assert variable.attrs["units"] == spec.units, name
            assert variable.attrs["long_name"].split(" at ")[0] == spec.long_name.split(" at ")[0].split(" {")[0] \
                or "{" in spec.long_name, name
            if spec.flags:
                assert variable.attrs["flag_meanings"] == " ".join(spec.flags), name


def test_declarations_are_complete_and_products_name_declared_layers():
    for name, spec in {**OUTPUTS, **LAYERS}.items():
        assert spec.label_fr and spec.label_en and spec.units, name
        assert spec.better in (None, "lower", "higher"), name
    for product, names in vars(PRODUCTS).items():
        assert set(names) <= set(OUTPUTS), f"{product} names undeclared layers {set(names) - set(OUTPUTS)}"


def test_a_map_takes_its_colours_and_label_from_the_declaration(results):
    site, datasets = results
    figure = draw_map(datasets["flood"]["max_depth"], outlines=site.buildings.geometry, language="fr")
    image = figure.axes[0].images[0]
    assert image.get_cmap().name == OUTPUTS["max_depth"].cmap
    assert np.ma.is_masked(image.get_array())  # dry cells are transparent: zero means no water here
    colour_bar = figure.axes[1]
    assert colour_bar.get_ylabel() == "Hauteur d'eau maximale (m)"
    english = draw_map(datasets["heat"]["t_air"], language="en")
    assert english.axes[1].get_ylabel() == "Air temperature (°C)"


def test_a_map_outlines_where_the_works_act(results):
    site, datasets = results
    layer = datasets["heat"]["t_air"]
    works = np.zeros(layer.shape, dtype=bool)
    works[5:12, 8:20] = True
    figure = draw_map(layer, works=works, language="fr")
    legend = figure.axes[0].get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["Travaux (et 10 m autour)"]
    assert figure.axes[0].collections, "no outline drawn"
    assert draw_map(layer, works=np.zeros(layer.shape, dtype=bool)).axes[0].get_legend() is None


def test_a_map_for_a_projector_has_large_type_french_numbers_and_no_coordinates(results):
    _, datasets = results
    layer = datasets["flood"]["max_depth"]
    figure = draw_map(layer, language="fr", projector=True, vmin=0.0, vmax=0.25)
    figure.canvas.draw()
    axes, colour_bar = figure.axes
    assert not axes.get_xticklabels() and not axes.get_yticklabels()  # Lambert-93 numbers mean nothing to a room
    assert axes.title.get_fontsize() >= 16 and colour_bar.yaxis.label.get_fontsize() >= 16
    ticks = [t.get_text() for t in colour_bar.get_yticklabels() if t.get_text()]
    assert ticks and all("." not in t for t in ticks) and any("," in t for t in ticks), ticks
    desk = draw_map(layer, language="en", vmin=0.0, vmax=0.25)
    desk.canvas.draw()
    assert desk.axes[0].get_xticklabels() and desk.axes[0].title.get_fontsize() < 16
    assert any("." in t.get_text() for t in desk.axes[1].get_yticklabels())
