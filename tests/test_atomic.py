"""Outputs are complete on disk or absent: nothing half-written."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from jumeau.io.atomic import atomic_path, write_text
from jumeau.io.writers import write_geotiff, write_netcdf


def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "result.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("crash in the middle")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["result.txt"]


def test_writers_produce_readable_files(tmp_path):
    layer = xr.DataArray(np.arange(12, dtype="float32").reshape(3, 4), dims=("y", "x"),
                         coords={"y": [5.0, 3.0, 1.0], "x": [1.0, 3.0, 5.0, 7.0]}, name="depth")
    layer = layer.rio.write_crs("EPSG:2154")
    write_geotiff(layer, tmp_path / "depth.tif")
    write_netcdf(layer.to_dataset(), tmp_path / "depth.nc")
    import rioxarray

    back = rioxarray.open_rasterio(tmp_path / "depth.tif").squeeze()
    np.testing.assert_array_equal(back.values, layer.values)
    assert xr.open_dataset(tmp_path / "depth.nc")["depth"].shape == (3, 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["depth.nc", "depth.tif"]
