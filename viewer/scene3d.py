"""The 3-D view as an HTML page (PyVista's own vtk.js export), behind one function tests can replace."""

from __future__ import annotations

import tempfile
from pathlib import Path

import xarray as xr

from jumeau.render.scene import build_scene, export_html
from jumeau.site.state import Site


def scene_html(site: Site, color_by: xr.DataArray, water_depth: xr.DataArray, clim: tuple[float, float],
               language: str) -> str:
    """A self-contained HTML page of the scene: buildings and ground coloured, water drawn."""
    plotter = build_scene(site, color_by=color_by, water_depth=water_depth, clim=clim, language=language)
    try:
        with tempfile.TemporaryDirectory(prefix="jumeau-scene-") as folder:
            return export_html(plotter, Path(folder) / "scene.html").read_text(encoding="utf-8")
    finally:
        plotter.close()
