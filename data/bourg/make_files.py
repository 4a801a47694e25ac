"""Write the second example district, "Le Bourg" (fictional), as a French planner downloads its files.

A village centre of 400 m × 300 m on the north bank of a river, in Lambert-93. Unlike the
demo district, nothing here is prepared for jumeau: the files have the names, folders, field
names, encodings and faults of the real products, cut to the district to keep the repository
small (``jumeau init data/bourg`` is what turns them into a site file):

* ``RGEALTI/``: IGN RGE ALTI 1 m, four ESRI ASCII tiles without ``.prj`` (Lambert-93 implied),
  nodata −99999 over a corner the delivery does not cover, and the faults of a 1 m model
  resampled from a 5 m one: heights in flat 5 × 5-cell steps rounded to 0.1 m (terraces) and
  one-cell pits;
* ``BDTOPO/``: IGN BD TOPO v3 shapefiles, as the per-département extract names their fields
  (``USAGE1``, ``NB_LOGTS``, ``HAUTEUR``…), ``BATIMENT`` in UTF-8 *without* its ``.cpg``, with
  the commune's ``POPULATION`` joined onto every building (as planners often do in QGIS), a few
  buildings without height; ``TRONCON_DE_ROUTE`` (lines with ``LARGEUR``),
  ``SURFACE_HYDROGRAPHIQUE``, ``ZONE_DE_VEGETATION``, ``TERRAIN_DE_SPORT``, ``CIMETIERE`` and
  ``ZONE_D_ACTIVITE_OU_D_INTERET`` (school, care home, town hall, church);
* ``OSO/``: a Theia OSO land-cover raster (10 m, codes 1–23);
* ``INSEE/``: INSEE Filosofi 200 m tiles (``carreaux_200m_met.gpkg``: EPSG:3035 squares,
  ``idcar_200m``, ``ind``, ``men``).

Everything derives from ``SEED``: ``python data/bourg/make_files.py`` rewrites the same files,
and the test suite checks that the shipped ones are these.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import rasterio
from affine import Affine
from shapely.geometry import LineString, box

SEED = 20261130
CRS = "EPSG:2154"
X0, Y0 = 486_000.0, 6_741_000.0  # south-west corner (Lambert-93)
WIDTH, HEIGHT = 400, 300  # m, at 1 m
NODATA = -99999.0
COMMUNE = {"INSEE_COM": "72071", "POPULATION": 1243}  # the commune's, joined onto every building
HERE = Path(__file__).resolve().parent


def ground(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The true ground (m): a river at 40 m along the south, the bank rising 3 % to the north, a
    gentle fall downstream (east), and a closed hollow in the village square."""
    z = 40.0 + 0.03 * np.maximum(y - 45.0, 0.0) - 0.003 * x
    hollow = np.hypot(x - 150.0, y - 170.0)
    return z - 0.6 * np.clip(1.0 - hollow / 25.0, 0.0, 1.0)


def terrain(rng: np.random.Generator) -> np.ndarray:
    """The RGE ALTI grid (rows from the north): the ground sampled at 5 m, each 5 m cell spread
    over its 25 one-metre cells and rounded to 0.1 m, with one-cell pits and a nodata corner."""
    coarse_y, coarse_x = np.mgrid[HEIGHT - 2.5:0:-5.0, 2.5:WIDTH:5.0]
    coarse = np.round(ground(coarse_x, coarse_y) / 0.1) * 0.1
    z = np.repeat(np.repeat(coarse, 5, axis=0), 5, axis=1)
    rows = rng.integers(5, HEIGHT - 5, 40)
    cols = rng.integers(5, WIDTH - 5, 40)
    z[rows, cols] -= 0.3
    r, c = np.mgrid[0:HEIGHT, 0:WIDTH]
    z[(HEIGHT - 1 - r) + (WIDTH - 1 - c) < 30] = NODATA  # the south-east corner: beyond the delivery
    return z


def write_tiles(z: np.ndarray, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    half_y, half_x = HEIGHT // 2, WIDTH // 2
    for top, north_south in ((0, "N"), (half_y, "S")):
        for left, east_west in ((0, "O"), (half_x, "E")):
            block = np.ascontiguousarray(z[top:top + half_y, left:left + half_x]).astype("float32")
            x_left, y_top = X0 + left, Y0 + HEIGHT - top
            # IGN's name gives the kilometre tile; the district cuts it in four quarters
            name = f"RGEALTI_FXX_{int(X0 // 1000):04d}_{int(Y0 // 1000) + 1:04d}_MNT_LAMB93_IGN69_{north_south}{east_west}.asc"
            with rasterio.open(folder / name, "w", driver="AAIGrid", width=half_x, height=half_y, count=1,
                               dtype="float32", transform=Affine(1.0, 0, x_left, 0, -1.0, y_top), nodata=NODATA,
                               DECIMAL_PRECISION=2) as dst:
                dst.write(block, 1)
            for extra in folder.glob(Path(name).stem + ".*"):
                if extra.suffix != ".asc":
                    extra.unlink()  # IGN's tiles come without .prj or .aux.xml


def streets() -> gpd.GeoDataFrame:
    lines = [
        ("Route à 1 chaussée", 7.0, "Grande Rue", [(0, 150), (WIDTH, 150)]),
        ("Route à 1 chaussée", 5.0, "Rue de l'Église", [(200, 60), (200, HEIGHT)]),
        ("Route à 1 chaussée", 4.0, "Chemin du Moulin", [(60, 150), (60, 60), (330, 60)]),
        ("Chemin", 3.0, None, [(330, 150), (330, 280)]),
    ]
    return gpd.GeoDataFrame({"ID": [f"TRONROUT00000000{7100 + i}" for i in range(len(lines))],
                             "NATURE": [n for n, _, _, _ in lines], "LARGEUR": [w for _, w, _, _ in lines],
                             "NOM_1_G": [name for _, _, name, _ in lines]},
                            geometry=[LineString([(X0 + x, Y0 + y) for x, y in points]) for *_, points in lines],
                            crs=CRS)


def buildings(rng: np.random.Generator) -> gpd.GeoDataFrame:
    rows = []

    def add(x0, y0, x1, y1, use, height, floors, dwellings, nature="Indifférenciée"):
        rows.append({"geometry": box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1), "NATURE": nature, "USAGE1": use,
                     "USAGE2": None, "HAUTEUR": height, "NB_ETAGES": floors, "NB_LOGTS": dwellings})

    # houses along the Grande Rue and the Rue de l'Église, set back behind a front garden
    for x in range(10, WIDTH - 20, 16):
        if abs(x + 5 - 200) < 14 or 120 <= x <= 176:  # the crossroads and the square
            continue
        for south in (True, False):
            y0 = 130 if south else 158
            height = float(rng.choice([5.5, 6.0, 7.5, 8.5]))
            floors = 1 if height < 7 else 2
            dwellings = float(rng.choice([1, 1, 1, 2])) if rng.random() > 0.15 else np.nan
            add(x, y0, x + 11, y0 + 9, "Résidentiel", height if rng.random() > 0.04 else np.nan, floors, dwellings)
            if rng.random() < 0.4:  # a garden shed behind
                ys = y0 - 12 if south else y0 + 14
                add(x + 2, ys, x + 6, ys + 3, "Annexe", 2.5, 1, 0.0)
    for y in range(180, HEIGHT - 20, 15):
        for x0 in (180, 206):
            add(x0, y, x0 + 12, y + 9, "Résidentiel", 6.0, 1, 1.0 if rng.random() > 0.2 else np.nan)
    add(124, 190, 160, 214, "Résidentiel", 12.0, 4, 18.0)  # a small block of flats on the square
    add(212, 100, 230, 128, "Religieux", 14.0, np.nan, 0.0, nature="Eglise")  # the church
    add(232, 158, 256, 170, "Commercial et services", 8.0, 2, 1.0)  # the town hall (a flat upstairs)
    add(250, 92, 292, 112, "Commercial et services", 6.0, 1, 0.0)  # the primary school
    add(300, 170, 340, 196, "Résidentiel", 7.5, 2, np.nan)  # the care home: its residents are not dwellings
    add(350, 205, 372, 225, "Agricole", 9.0, 1, 0.0)  # a farm shed
    add(372, 240, 382, 248, "Indifférencié", 4.0, 1, np.nan)
    frame = gpd.GeoDataFrame(rows, crs=CRS)
    n = len(frame)
    frame.insert(0, "ID", [f"BATIMENT00000007{2400000 + i:07d}" for i in range(n)])
    frame["LEGER"] = "Non"
    frame["ETAT"] = "En service"
    frame["Z_MIN_SOL"] = np.nan
    for key, value in COMMUNE.items():
        frame[key] = value
    return frame


def layers() -> dict[str, gpd.GeoDataFrame]:
    def polygons(kind: str, items: list[tuple[str, tuple]], **fields) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame({"ID": [f"{kind}0000000{8100 + i}" for i in range(len(items))],
                                 "NATURE": [nature for nature, _ in items], **fields},
                                geometry=[box(X0 + a, Y0 + b, X0 + c, Y0 + d) for _, (a, b, c, d) in items], crs=CRS)

    return {
        "HYDROGRAPHIE/SURFACE_HYDROGRAPHIQUE.shp": polygons("SURF_HYD", [("Ecoulement naturel", (0, 15, WIDTH, 45))]),
        "OCCUPATION_DU_SOL/ZONE_DE_VEGETATION.shp": polygons("ZONEVEGE", [
            ("Forêt fermée de feuillus", (0, 230, 120, HEIGHT)), ("Haie", (120, 226, 330, 230)),
            ("Verger", (240, 240, 320, 290)), ("Zone arborée", (124, 160, 176, 184)),
            ("Lande ligneuse", (0, 45, 55, 60))]),
        "BATI/TERRAIN_DE_SPORT.shp": polygons("TERSPORT", [
            ("Grand terrain de sport", (270, 245, 370, 295)), ("Petit terrain multi-sports", (100, 90, 130, 105))]),
        "BATI/CIMETIERE.shp": polygons("CIMETIER", [("Civil", (236, 100, 248, 140))]),
        "SERVICES_ET_ACTIVITES/ZONE_D_ACTIVITE_OU_D_INTERET.shp": gpd.GeoDataFrame(
            {"CATEGORIE": ["Science et enseignement", "Santé", "Administratif ou militaire", "Religieux"],
             "NATURE": ["Enseignement primaire", "Maison de retraite", "Mairie", "Culte catholique"],
             "TOPONYME": ["École Paul Bert", "EHPAD Le Clos Fleuri", "Mairie", "Église Saint-Martin"]},
            geometry=[box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in
                      ((248, 88, 296, 116), (296, 166, 344, 200), (230, 156, 258, 172), (210, 98, 232, 130))], crs=CRS),
    }


def land_cover() -> tuple[np.ndarray, Affine]:
    """Theia OSO at 10 m: built-up diffuse along the streets, grassland on the bank, crops north-east,
    broad-leaved forest north-west, water along the river."""
    y, x = np.mgrid[HEIGHT - 5:0:-10.0, 5:WIDTH:10.0]
    oso = np.full(x.shape, 13, dtype="uint8")  # grassland
    oso[(y > 100) & (y < 220)] = 2  # built-up, diffuse
    oso[(np.abs(y - 150) < 6)] = 4  # the road
    oso[(x > 300) & (y > 230)] = 6  # straw cereals
    oso[(x < 120) & (y > 230)] = 16  # broad-leaved forest
    oso[(y > 15) & (y < 45)] = 23  # water
    return oso, Affine(10.0, 0, X0, 0, -10.0, Y0 + HEIGHT)


def population_tiles(houses: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """INSEE's inhabited 200 m squares (EPSG:3035) over the district, with their residents."""
    to_laea = pyproj.Transformer.from_crs(CRS, "EPSG:3035", always_xy=True)
    xs, ys = to_laea.transform([X0, X0 + WIDTH, X0, X0 + WIDTH], [Y0, Y0, Y0 + HEIGHT, Y0 + HEIGHT])
    squares = []
    for east in np.arange(np.floor(min(xs) / 200) * 200, max(xs), 200):
        for north in np.arange(np.floor(min(ys) / 200) * 200, max(ys), 200):
            squares.append(box(east, north, east + 200, north + 200))
    tiles = gpd.GeoDataFrame(geometry=squares, crs="EPSG:3035")
    homes = houses[houses["USAGE1"] == "Résidentiel"].to_crs("EPSG:3035")
    # 2.1 residents a dwelling (a house without a count is one), and the care home's 45 residents
    residents = np.where(homes["NB_LOGTS"].isna(), 1.0, homes["NB_LOGTS"]) * 2.1
    residents[homes.area.to_numpy() > 1000] = 45.0
    within = gpd.sjoin(gpd.GeoDataFrame({"residents": residents}, geometry=homes.representative_point(),
                                        crs="EPSG:3035"), tiles, predicate="within")
    counts = within.groupby("index_right")["residents"].sum()
    tiles = tiles.loc[counts.index].reset_index(drop=True)
    # a square reaches beyond the district, over the rest of the village: as many people again
    # per hectare there (the rule jumeau assumes in sharing a square's residents)
    district = gpd.GeoSeries([box(X0, Y0, X0 + WIDTH, Y0 + HEIGHT)], crs=CRS).to_crs("EPSG:3035").iloc[0]
    inside = tiles.intersection(district).area.to_numpy() / tiles.area.to_numpy()
    people = np.round(counts.to_numpy() / inside, 1)
    corners = tiles.bounds
    tiles.insert(0, "idcar_200m", [f"CRS3035RES200mN{int(n)}E{int(e)}" for n, e in zip(corners.miny, corners.minx,
                                                                                       strict=True)])
    tiles.insert(1, "ind", people)
    tiles.insert(2, "men", np.round(people / 2.2, 1))
    return tiles


def write(folder: Path = HERE) -> None:
    """Write every file of the district into ``folder``."""
    rng = np.random.default_rng(SEED)
    write_tiles(terrain(rng), folder / "RGEALTI")
    bdtopo = folder / "BDTOPO"
    houses = buildings(rng)
    (bdtopo / "BATI").mkdir(parents=True, exist_ok=True)
    houses.to_file(bdtopo / "BATI" / "BATIMENT.shp", engine="pyogrio", encoding="UTF-8")
    (bdtopo / "BATI" / "BATIMENT.cpg").unlink()  # as in the faulty extract: UTF-8 that says nothing
    (bdtopo / "TRANSPORT").mkdir(exist_ok=True)
    streets().to_file(bdtopo / "TRANSPORT" / "TRONCON_DE_ROUTE.shp", engine="pyogrio", encoding="UTF-8")
    for name, frame in layers().items():
        (bdtopo / name).parent.mkdir(parents=True, exist_ok=True)
        frame.to_file(bdtopo / name, engine="pyogrio", encoding="UTF-8")
    oso, transform = land_cover()
    (folder / "OSO").mkdir(exist_ok=True)
    with rasterio.open(folder / "OSO" / "OCS_2023_CESBIO_L93.tif", "w", driver="GTiff", width=oso.shape[1],
                       height=oso.shape[0], count=1, dtype="uint8", crs=CRS, transform=transform, nodata=0,
                       compress="deflate") as dst:
        dst.write(oso, 1)
    (folder / "INSEE").mkdir(exist_ok=True)
    target = folder / "INSEE" / "carreaux_200m_met.gpkg"
    target.unlink(missing_ok=True)
    population_tiles(houses).to_file(target, engine="pyogrio", layer="carreaux_200m_met")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=HERE, help="where to write (default: beside this file)")
    write(parser.parse_args().folder)


if __name__ == "__main__":
    main()
