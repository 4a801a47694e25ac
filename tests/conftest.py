"""Small synthetic city inputs written by the tests themselves."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import yaml
from affine import Affine
from shapely.geometry import Point, box

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "data" / "demo"  # the committed demo district (the generator's output)
SCENARIO_DIR = ROOT / "scenarios"  # the demo's scenario files
CRS = "EPSG:2154"
X0, Y0 = 500_000.0, 6_600_000.0  # lower-left corner of the test district
RES = 2.0
NX, NY = 50, 40  # 100 m × 80 m


def write_raster(path: Path, values: np.ndarray, *, res: float = RES, x0: float = X0, y0: float = Y0,
                 crs: str | None = CRS, nodata: float | None = None, driver: str = "GTiff") -> Path:
    rows, cols = values.shape
    transform = Affine(res, 0, x0, 0, -res, y0 + rows * res)
    with rasterio.open(path, "w", driver=driver, width=cols, height=rows, count=1, dtype=values.dtype,
                       crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(values, 1)
    return path


def sloping_dem(nx: int = NX, ny: int = NY) -> np.ndarray:
    """A plane rising 1 m per 10 m to the east, 30 m a.s.l. on the western edge."""
    x = (np.arange(nx) + 0.5) * RES
    return np.tile(30.0 + 0.1 * x, (ny, 1)).astype("float32")


class CityFiles:
    """Writes a consistent little city into a folder; tests override pieces to break it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.config: dict = {"name": "Test district"}
        self.elevation()
        self.landcover()
        self.buildings()

    def path(self, name: str) -> Path:
        return self.folder / name

    def elevation(self, values: np.ndarray | None = None, name: str = "dem.tif", **kwargs) -> Path:
        path = write_raster(self.path(name), sloping_dem() if values is None else values, **kwargs)
        self.config["elevation"] = {"path": name}
        return path

    def landcover(self, values: np.ndarray | None = None, name: str = "landcover.tif", **kwargs) -> Path:
        if values is None:
            values = np.full((NY, NX), 7, dtype="uint8")  # lawn
            values[:, 20:24] = 2  # a north–south road
        path = write_raster(self.path(name), values, **kwargs)
        self.config["landcover"] = {"path": name}
        return path

    def buildings(self, frame: gpd.GeoDataFrame | None = None, name: str = "buildings.gpkg", **options) -> Path:
        if frame is None:
            frame = gpd.GeoDataFrame(
                {"id": ["A", "B", "C"], "hauteur": [12.0, 6.5, 3.0], "usage": ["Résidentiel", "Enseignement", "Annexe"]},
                geometry=[box(X0 + 4, Y0 + 4, X0 + 24, Y0 + 14), box(X0 + 60, Y0 + 40, X0 + 80, Y0 + 60),
                          box(X0 + 90.2, Y0 + 70.2, X0 + 91.0, Y0 + 71.0)],  # C: a 0.8 m shed, smaller than a cell
                crs=CRS,
            )
        path = self.path(name)
        frame.to_file(path, engine="pyogrio")
        self.config["buildings"] = {"path": name, **options}
        return path

    def vector(self, frame: gpd.GeoDataFrame, name: str) -> Path:
        frame.to_file(self.path(name), engine="pyogrio")
        return self.path(name)

    def write(self, **overrides) -> Path:
        config = {**self.config, **overrides}
        path = self.path("site.yaml")
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path


@pytest.fixture
def city(tmp_path) -> CityFiles:
    return CityFiles(tmp_path)


__all__ = ["CRS", "DEMO_DIR", "ROOT", "SCENARIO_DIR", "NX", "NY", "RES", "X0", "Y0", "CityFiles", "Point", "box",
           "sloping_dem", "write_raster"]
