"""Building tables shaped exactly like IGN BD TOPO v3 extracts: field names (GeoPackage and the
shapefile's truncated ones), encodings with and without .cpg, the commune's POPULATION joined
onto every building, dwellings counts with gaps, repeated identifiers."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from conftest import CRS, X0, Y0, box

import jumeau
from jumeau.errors import InputError, RepairWarning

COMMUNE_POPULATION = 3439
# 24 buildings on a 6 × 4 lattice of 8 m × 6 m footprints (48 m²)
USES = ["Résidentiel"] * 14 + ["Indifférencié"] * 3 + ["Commercial et services"] * 3 + ["Annexe"] * 2 + \
       ["Agricole", "Religieux"]
HEIGHTS = [6.0, 9.0, 12.0, 3.5] * 6
DWELLINGS = [1, 3, 6, None] * 3 + [None] * 4 + [0] * 8  # the rows of USES, in order


def footprints():
    return [box(X0 + 4 + 16 * i, Y0 + 4 + 19 * j, X0 + 12 + 16 * i, Y0 + 10 + 19 * j) for j in range(4) for i in range(6)]


def bdtopo(style: str) -> gpd.GeoDataFrame:
    """BD TOPO v3 BATIMENT, as the GeoPackage (``gpkg``) or the shapefile extract (``shp``) names its fields."""
    n = len(USES)
    floors = [np.nan if d is None else max(1, round(h / 3)) for h, d in zip(HEIGHTS, DWELLINGS, strict=True)]
    dwellings = [np.nan if d is None else float(d) for d in DWELLINGS]
    if style == "gpkg":
        columns = {"cleabs": [f"BATIMENT00000002417975{i:02d}" for i in range(n)], "nature": ["Indifférenciée"] * n,
                   "usage_1": USES, "usage_2": [None] * n, "construction_legere": [False] * n,
                   "etat_de_l_objet": ["En service"] * n, "nombre_de_logements": dwellings,
                   "nombre_d_etages": floors, "hauteur": HEIGHTS, "altitude_minimale_sol": [31.2] * n}
    else:
        columns = {"ID": [f"BATIMENT00000002417975{i:02d}" for i in range(n)], "NATURE": ["Indifférenciée"] * n,
                   "USAGE1": USES, "USAGE2": [None] * n, "LEGER": ["Non"] * n, "ETAT": ["En service"] * n,
                   "HAUTEUR": HEIGHTS, "NB_ETAGES": floors, "NB_LOGTS": dwellings, "Z_MIN_SOL": [31.2] * n,
                   # joined from the COMMUNE layer, as planners often do in QGIS
                   "INSEE_COM": ["49007"] * n, "POPULATION": [COMMUNE_POPULATION] * n}
    return gpd.GeoDataFrame(columns, geometry=footprints(), crs=CRS)


def write_shapefile(city, frame, encoding: str, cpg: bool) -> None:
    path = city.path("BATIMENT.shp")
    frame.to_file(path, engine="pyogrio", encoding=encoding)
    if not cpg:
        path.with_suffix(".cpg").unlink()
    city.config["buildings"] = {"path": "BATIMENT.shp"}


def load(city, **options):
    city.config["buildings"].update(options)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        site = jumeau.load_site(city.write())
    return site, [str(w.message) for w in caught if issubclass(w.category, RepairWarning)]


def expected_residents() -> float:
    """NB_LOGTS × 1.8 where known; floor area / 40 m² for the residential buildings without a count."""
    total = 0.0
    for use, height, dwellings in zip(USES, HEIGHTS, DWELLINGS, strict=True):
        if dwellings is not None:
            total += round(dwellings * 1.8, 1)
        elif use == "Résidentiel":
            total += round(48 * max(1, round(height / 3)) / 40, 1)
    return total


def test_a_bdtopo_shapefile_without_cpg_gives_uses_residents_and_says_what_it_did(city):
    write_shapefile(city, bdtopo("shp"), "UTF-8", cpg=False)
    site, said = load(city)
    buildings = site.buildings
    assert (buildings["use"] == "residential").sum() == 14  # "Résidentiel", not "RÃ©sidentiel"
    assert buildings["use_source"].iloc[0] == "Résidentiel"
    assert any("has no .cpg file and its text is UTF-8; read as UTF-8" in s for s in said)
    # The commune's population on every building is left aside, not 24 × 3,439 residents
    assert any("'POPULATION'" in s and "100% of the buildings have the same value 3,439" in s for s in said)
    assert buildings["population"].sum() == pytest.approx(expected_residents())
    assert 20 < buildings["population"].sum() < 100  # 24 small buildings, not 24 × 3,439
    assert set(buildings["population_source"]) == {"NB_LOGTS×1.8", "floor area", "none (use)"}
    assert buildings["population_estimated"].sum() == 17 + 5  # 17 with a dwellings count, 5 residential without
    assert buildings["id"].iloc[0] == "BATIMENT0000000241797500"
    assert not any("does not recognise" in s for s in said)  # Agricole and Religieux are known uses
    assert site.metadata["repairs"] == said  # kept for the runs' provenance


def test_a_bdtopo_geopackage_is_read_by_its_v3_field_names(city):
    city.buildings(bdtopo("gpkg"))
    site, said = load(city)
    buildings = site.buildings
    assert (buildings["use"] == "residential").sum() == 14  # usage_1
    assert buildings["population"].sum() == pytest.approx(expected_residents())
    assert buildings["height_source"].iloc[0] == "hauteur"
    assert buildings["id"].iloc[0].startswith("BATIMENT")  # cleabs
    assert not said


def test_a_latin1_shapefile_without_cpg_is_read_as_latin1(city):
    write_shapefile(city, bdtopo("shp"), "ISO-8859-1", cpg=False)
    site, said = load(city)
    assert site.buildings["use_source"].iloc[0] == "Résidentiel"
    assert not any(".cpg" in s for s in said)


def test_a_wrong_encoding_given_is_a_clear_error(city):
    write_shapefile(city, bdtopo("shp"), "ISO-8859-1", cpg=False)
    with pytest.raises(InputError, match=r"the text of BATIMENT.shp is not UTF-8 .* give its real encoding"):
        load(city, encoding="UTF-8")
    with pytest.raises(InputError, match=r"buildings → encoding: .*unknown encoding 'latin-9000'"):
        load(city, encoding="latin-9000")


def test_residents_are_calibrated_to_a_known_total(city):
    write_shapefile(city, bdtopo("shp"), "UTF-8", cpg=True)
    site, said = load(city, population_total=100)
    assert site.buildings["population"].sum() == pytest.approx(100)
    factor = 100 / expected_residents()
    assert any(f"estimated residents scaled by {factor:.2f} to meet population_total = 100" in s for s in said)


def test_a_total_below_the_given_counts_is_refused(city):
    frame = bdtopo("gpkg").assign(habitants=[5.0] * 24)
    city.buildings(frame)
    with pytest.raises(InputError, match=r"population_total = 50 cannot be met: 120 residents are given per building"):
        load(city, population_total=50)


def test_a_commune_population_named_as_residents_is_an_error(city):
    write_shapefile(city, bdtopo("shp"), "UTF-8", cpg=True)
    with pytest.raises(InputError, match=r"field 'POPULATION' .* cannot hold residents per building \(100% of the "
                                         r"buildings have the same value 3,439.*Remove `population:`"):
        load(city, population="POPULATION")


def test_residents_beyond_the_floor_area_are_not_per_building(city):
    """Varying values (a district's counts joined by IRIS, say) that no floor area could house."""
    frame = bdtopo("gpkg").assign(population=np.linspace(200, 900, 24))
    city.buildings(frame)
    site, said = load(city)
    assert any("not used as residents per building" in s and "less than 5 m² each" in s for s in said)
    assert site.buildings["population"].sum() == pytest.approx(expected_residents())


def test_repeated_identifiers_detected_are_replaced_and_named_ones_refused(city):
    frame = bdtopo("gpkg")
    frame["cleabs"] = ["BATIMENT01"] * 12 + ["BATIMENT02"] * 12
    city.buildings(frame)
    site, said = load(city)
    assert site.buildings["id"].tolist()[:2] == ["b1", "b2"]
    assert any("field 'cleabs' of buildings.gpkg is not unique (2 repeated values" in s for s in said)
    with pytest.raises(InputError, match=r"not unique .* or write `id: false`"):
        load(city, id="cleabs")
    site, said = load(city, id=False)
    assert site.buildings["id"].tolist()[-1] == "b24" and not any("unique" in s for s in said)


def test_unrecognised_uses_are_warned_with_their_counts(city):
    frame = bdtopo("gpkg")
    frame["usage_1"] = ["Résidentiel"] * 20 + ["Lieu de vie collectif"] * 3 + ["???"]
    city.buildings(frame)
    site, said = load(city)
    assert any("4 building(s) of buildings.gpkg have a use in 'usage_1' that jumeau does not recognise" in s
               and "'Lieu de vie collectif' (3), '???' (1)" in s for s in said)
    assert (site.buildings["use"] == "other").sum() == 4


# -- land cover: BD TOPO layers over an OSO raster -----------------------------------------

def landcover_layers(city):
    """An OSO-coded base (13 grassland, 16 broad-leaved forest on the east) and BD TOPO layers over it."""
    from conftest import NX, NY, write_raster
    from shapely.geometry import LineString

    oso = np.full((NY, NX), 13, dtype="uint8")
    oso[:, 40:] = 16
    write_raster(city.path("OCS_OSO.tif"), oso)
    water = gpd.GeoDataFrame({"NATURE": ["Plan d'eau"]}, geometry=[box(X0 + 10, Y0 + 50, X0 + 30, Y0 + 70)], crs=CRS)
    roads = gpd.GeoDataFrame({"NATURE": ["Route à 1 chaussée"], "LARGEUR": [6.0]},
                             geometry=[LineString([(X0, Y0 + 30), (X0 + 100, Y0 + 30)])], crs=CRS)
    vegetation = gpd.GeoDataFrame({"NATURE": ["Forêt fermée de feuillus", "HAIE", "Lande ligneuse"]},
                                  geometry=[box(X0 + 5, Y0 + 45, X0 + 40, Y0 + 75), box(X0 + 50, Y0 + 2, X0 + 90, Y0 + 6),
                                            box(X0 + 60, Y0 + 60, X0 + 70, Y0 + 70)], crs=CRS)
    for frame, name in ((water, "SURFACE_HYDROGRAPHIQUE.shp"), (roads, "TRONCON_DE_ROUTE.shp"),
                        (vegetation, "ZONE_DE_VEGETATION.shp")):
        frame.to_file(city.path(name), engine="pyogrio", encoding="UTF-8")
    return {"path": "OCS_OSO.tif", "remap": "oso", "layers": [
        {"path": "SURFACE_HYDROGRAPHIQUE.shp", "code": 12},
        {"path": "TRONCON_DE_ROUTE.shp", "code": 2, "width_field": "LARGEUR"},
        {"path": "ZONE_DE_VEGETATION.shp", "field": "NATURE", "remap": "bdtopo_vegetation"},
    ]}


def cell(site, x, y) -> int:
    return int(site.grid["landcover"].sel(x=X0 + x, y=Y0 + y, method="nearest"))


def test_bdtopo_layers_are_drawn_over_an_oso_raster_by_priority(city):
    site = jumeau.load_site(city.write(landcover=landcover_layers(city)))
    assert cell(site, 5, 20) == 9 and cell(site, 95, 20) == 10  # OSO: grassland -> meadow, forest -> woodland
    assert cell(site, 20, 60) == 12  # water, listed first, over the forest polygon around it
    assert cell(site, 8, 60) == 10  # the forest around the pond (BD TOPO NATURE, accents as written)
    assert cell(site, 70, 4) == 10  # "HAIE": names matched without case
    assert cell(site, 65, 65) == 9  # woody heath -> meadow
    assert cell(site, 50, 31) == 2 and cell(site, 50, 27) == 2 and cell(site, 50, 35) != 2  # a 6 m road



def test_woods_of_the_land_cover_shade_people(city):
    """A wood drawn from BD TOPO shades those under it: UTCI under the trees is below the meadow's at 15:00."""
    from jumeau.heat.forcing import HeatForcing
    from jumeau.heat.model import heat_site

    site = jumeau.load_site(city.write(landcover=landcover_layers(city)))
    wood = {"x": X0 + 8, "y": Y0 + 60, "method": "nearest"}
    meadow = {"x": X0 + 5, "y": Y0 + 20, "method": "nearest"}
    assert site.grid["canopy_cover"].sel(**wood) == 1 and site.grid["canopy_height"].sel(**wood) == 15
    assert site.grid["canopy_cover"].sel(**meadow) == 0
    heat = heat_site(site, HeatForcing())
    assert float(heat["utci"].sel(**wood)) < float(heat["utci"].sel(**meadow)) - 2


def test_a_vegetation_name_without_a_class_is_an_error(city):
    config = landcover_layers(city)
    frame = gpd.read_file(city.path("ZONE_DE_VEGETATION.shp"))
    frame.loc[0, "NATURE"] = "Bambouseraie"
    frame.to_file(city.path("ZONE_DE_VEGETATION.shp"), engine="pyogrio", encoding="UTF-8")
    with pytest.raises(InputError, match=r"layers: ZONE_DE_VEGETATION.shp: 1 feature\(s\) .* 'NATURE' with no class: "
                                         r"'Bambouseraie' \(1\); add them to the remapping 'bdtopo_vegetation'"):
        jumeau.load_site(city.write(landcover=config))


def test_lines_need_a_width_and_a_layer_one_way_to_its_class(city):
    config = landcover_layers(city)
    del config["layers"][1]["width_field"]
    with pytest.raises(InputError, match=r"TRONCON_DE_ROUTE.shp: the file holds lines; give their width"):
        jumeau.load_site(city.write(landcover=config))
    config["layers"][1].update(field="NATURE")
    with pytest.raises(InputError, match=r"give either `code:` \(one class for all\) or `field:`"):
        jumeau.load_site(city.write(landcover=config))


# -- jumeau init: from the downloaded files to a site that loads -----------------------------

def downloaded_folder(city):
    """What a planner downloads: RGE ALTI tiles (ASC, no .prj), an OSO raster, BD TOPO shapefiles."""
    from conftest import NX, write_raster

    folder = city.folder / "telechargements"
    (folder / "RGEALTI").mkdir(parents=True)
    (folder / "BDTOPO").mkdir()
    from conftest import sloping_dem

    plane = sloping_dem()
    half = NX // 2
    for index, (start, values) in enumerate(((0, plane[:, :half]), (half, plane[:, half:]))):
        write_raster(folder / "RGEALTI" / f"RGEALTI_FXX_{index:04d}_MNT_LAMB93_IGN69.asc", np.ascontiguousarray(values),
                     x0=X0 + start * 2.0, crs=None, driver="AAIGrid")
    config = landcover_layers(city)
    (city.path("OCS_OSO.tif")).rename(folder / "OCS_OSO_2023.tif")
    for layer in config["layers"]:
        for sidecar in city.folder.glob(Path(layer["path"]).stem + ".*"):
            sidecar.rename(folder / "BDTOPO" / sidecar.name)
    write_shapefile(city, bdtopo("shp"), "UTF-8", cpg=True)
    interest = gpd.GeoDataFrame(  # BD TOPO v3 ZONE_D_ACTIVITE_OU_D_INTERET, as the shapefile names its fields
        {"CATEGORIE": ["Science et enseignement", "Santé", "Administratif ou militaire"],
         "NATURE": ["Enseignement primaire", "Maison de retraite", "Mairie"],
         "TOPONYME": ["École Jules Ferry", "EHPAD Les Tilleuls", "Mairie"]},
        geometry=[box(X0 + 36, Y0 + 4, X0 + 44, Y0 + 10), box(X0 + 52, Y0 + 4, X0 + 60, Y0 + 10),
                  box(X0 + 84, Y0 + 61, X0 + 92, Y0 + 67)], crs=CRS)
    interest.to_file(folder / "BDTOPO" / "ZONE_D_ACTIVITE_OU_D_INTERET.shp", engine="pyogrio", encoding="UTF-8")
    for sidecar in city.folder.glob("BATIMENT.*"):
        sidecar.rename(folder / "BDTOPO" / sidecar.name)
    return folder


def test_jumeau_init_writes_a_site_file_that_loads_without_edits(city):
    from typer.testing import CliRunner

    from jumeau.cli import app

    folder = downloaded_folder(city)
    result = CliRunner().invoke(app, ["init", str(folder), "--name", "Quartier test"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "2 terrain tiles gathered in elevation.vrt" in said and "Lambert-93 (EPSG:2154) assumed" in said
    assert "Theia OSO codes" in said and "BATIMENT.shp" in said
    assert "missing trees" in said and "sites of interest ZONE_D_ACTIVITE_OU_D_INTERET.shp" in said
    site = jumeau.load_site(folder / "site.yaml")  # no hand edit
    assert site.name == "Quartier test" and site.shape == (40, 50)
    x = site.grid["x"].values
    np.testing.assert_allclose(site.grid["elevation"].values, np.tile(30.0 + 0.1 * (x - X0), (40, 1)), atol=1e-4)
    assert cell(site, 15, 55) == 12 and cell(site, 50, 31) == 2 and cell(site, 95, 20) == 10
    assert (site.buildings["use"] == "residential").sum() == 14
    assert site.sites["category"].tolist() == ["school", "care_home", "public"]
    assert site.sites["name"].tolist()[:2] == ["École Jules Ferry", "EHPAD Les Tilleuls"]
    assert site.sites["sensitive"].sum() == 2 and (site.sites["building_id"] > 0).all()
    text = (folder / "site.yaml").read_text(encoding="utf-8")
    assert "# trees: missing. Get:" in text and "population_total" in text and "montana" in text


def test_jumeau_init_on_a_folder_without_terrain_says_what_is_missing(city, tmp_path):
    from typer.testing import CliRunner

    from jumeau.cli import app

    empty = tmp_path / "vide"
    empty.mkdir()
    result = CliRunner().invoke(app, ["init", str(empty)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "missing elevation: IGN RGE ALTI 1 m or 5 m" in said and "missing landcover: Theia OSO" in said
    result = CliRunner().invoke(app, ["init", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "is not a folder" in " ".join(result.output.split())


def filosofi(city, columns=("A", "B"), name="carreaux_200m_met.gpkg") -> None:
    """INSEE Filosofi 2019 200 m tiles, as published: squares in ETRS89-LAEA (EPSG:3035), residents in ``ind``
    (decimals: INSEE's imputation), households in ``men``. Tile A holds the lattice's three west columns of
    buildings, tile B the three east ones; each lies one tenth inside the 100 m × 80 m district."""
    squares = {"A": box(X0 - 150, Y0 - 100, X0 + 50, Y0 + 100), "B": box(X0 + 50, Y0 - 100, X0 + 250, Y0 + 100)}
    counts = {"A": 230.5, "B": 400.0}
    tiles = gpd.GeoDataFrame({"idcar_200m": [f"CRS3035RES200mN28{k}" for k in columns],
                              "ind": [counts[k] for k in columns], "men": [counts[k] / 2.2 for k in columns]},
                             geometry=[squares[k] for k in columns], crs=CRS).to_crs("EPSG:3035")
    tiles.to_file(city.path(name), engine="pyogrio")


def test_residents_are_calibrated_to_insee_tiles_square_by_square(city):
    city.buildings(bdtopo("gpkg"))
    filosofi(city)
    before = load(city)[0].buildings["population"]
    site, said = load(city, population_tiles={"path": "carreaux_200m_met.gpkg"})
    buildings = site.buildings
    west = buildings.geometry.representative_point().x < X0 + 50
    assert buildings.loc[west, "population"].sum() == pytest.approx(23.05)  # 230.5 × one tenth inside
    assert buildings.loc[~west, "population"].sum() == pytest.approx(40.0)
    # within a tile, the estimates keep their proportions (floor area, dwellings): one factor per tile
    for side in (west, ~west):
        estimated = side & buildings["population_estimated"] & (before > 0)
        factors = buildings.loc[estimated, "population"] / before[estimated]
        assert factors.max() - factors.min() < 1e-9 * factors.mean()
    assert set(buildings.loc[buildings["population_estimated"], "population_source"]) == {
        "nombre_de_logements×1.8 × INSEE tile", "floor area × INSEE tile"}
    assert any("scaled tile by tile to 2 tile(s) of carreaux_200m_met.gpkg (63 residents in the modelled area" in s
               for s in said)


def test_dwellings_in_no_inhabited_tile_get_no_residents_and_it_is_said(city):
    city.buildings(bdtopo("gpkg"))
    filosofi(city, columns=("A",))
    site, said = load(city, population_tiles={"path": "carreaux_200m_met.gpkg"})
    buildings = site.buildings
    east = buildings.geometry.representative_point().x >= X0 + 50
    assert buildings.loc[east, "population"].sum() == 0
    zeroed = east & (buildings["population_source"].str.endswith(", in no INSEE tile: 0"))
    assert zeroed.sum() == 6  # the source says why an estimated dwelling holds nobody
    assert any("dwelling building(s) in no inhabited tile get 0" in s for s in said)


def test_insee_tiles_without_a_residents_field_or_beside_a_total_are_refused(city):
    city.buildings(bdtopo("gpkg"))
    filosofi(city)
    with pytest.raises(InputError, match=r"population_tiles: .*carreaux_200m_met.gpkg has no field 'habitants'.*"
                                         r"Fields: idcar_200m, ind, men"):
        load(city, population_tiles={"path": "carreaux_200m_met.gpkg", "field": "habitants"})
    with pytest.raises(InputError, match="give population_total or population_tiles, not both"):
        load(city, population_tiles={"path": "carreaux_200m_met.gpkg"}, population_total=100)


def test_jumeau_init_finds_insee_tiles_and_the_site_file_calibrates_to_them(city):
    from jumeau.site.discover import init_site

    folder = downloaded_folder(city)
    filosofi(city)
    city.path("carreaux_200m_met.gpkg").rename(folder / "carreaux_200m_met.gpkg")
    path, _ = init_site(folder)
    text = path.read_text(encoding="utf-8")
    assert "population_tiles: {path: carreaux_200m_met.gpkg, layer: carreaux_200m_met}" in text
    assert "# residents: INSEE" not in text  # no longer reported missing
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)
        site = jumeau.load_site(path)  # no hand edit
    assert site.buildings["population"].sum() == pytest.approx(63.05)


def test_tiles_are_counted_by_position_whatever_their_labels(city):
    """Tiles left after dropping one (say, a point among the squares) keep gaps in their labels."""
    city.buildings(bdtopo("gpkg"))
    filosofi(city)
    tiles = gpd.read_file(city.path("carreaux_200m_met.gpkg"))
    tiles.index = [7, 3]
    from jumeau.site.residents import Residents, calibrate_to_tiles

    frame = gpd.GeoDataFrame(geometry=footprints(), crs=CRS)
    people = Residents(pd.Series(10.0, index=frame.index), pd.Series(True, index=frame.index),
                       pd.Series("floor area", index=frame.index))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepairWarning)
        scaled = calibrate_to_tiles(people, frame.geometry, tiles.to_crs(CRS), None, (X0, Y0, X0 + 100, Y0 + 80),
                                    Path("carreaux.gpkg"))
    west = frame.geometry.representative_point().x < X0 + 50
    assert scaled.population[west].sum() == pytest.approx(23.05)
    assert scaled.population[~west].sum() == pytest.approx(40.0)
