"""Outputs are complete on disk or absent: nothing half-written."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from jumeau.io.atomic import atomic_dir, atomic_path, write_text
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


def test_two_writers_finishing_one_folder_both_succeed_and_leave_nothing_behind(tmp_path):
    """Interleaved: both write, the inner one swaps in first, the outer one then replaces it whole."""
    target = tmp_path / "result"
    with atomic_dir(target) as first, atomic_dir(target) as second:
        (first / "value.txt").write_text("first")
        (second / "value.txt").write_text("second")
    assert (target / "value.txt").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["result"]


def _write_many(target: str, label: str, times: int) -> None:
    for k in range(times):
        with atomic_dir(target) as folder:
            (folder / "value.txt").write_text(f"{label} {k}")
            (folder / "more.txt").write_text(label)


def test_concurrent_writers_never_fail_nor_mix_nor_leak(tmp_path):
    """Four processes replace one folder 30 times each: no ENOTEMPTY, every folder whole, no leftovers."""
    import multiprocessing

    target = tmp_path / "result"
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write_many, args=(str(target), f"w{n}", 30)) for n in range(4)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    assert [writer.exitcode for writer in writers] == [0, 0, 0, 0]
    label = (target / "more.txt").read_text()
    assert (target / "value.txt").read_text().startswith(label + " ")
    assert [p.name for p in tmp_path.iterdir()] == ["result"]


def test_result_folders_follow_the_umask(tmp_path):
    import os
    import stat

    previous = os.umask(0o022)
    try:
        with atomic_dir(tmp_path / "result") as folder:
            (folder / "value.txt").write_text("x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "result").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "result" / "value.txt").stat().st_mode) == 0o644
