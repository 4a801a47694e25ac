"""The 3-D view as an HTML page (vtk.js) or a PNG for slides, behind functions tests can replace.

The renderer (:mod:`jumeau.render.scene`: pyvista, VTK) is imported when a scene is first drawn,
not with the page: it takes seconds, and the first page shows no 3-D."""

from __future__ import annotations

import importlib
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import streamlit as st
import xarray as xr

from jumeau.site.state import Site

# VTK is not thread-safe: the sessions' threads and the background build take turns
BUILDING = threading.Lock()


@st.cache_resource(show_spinner=False)
def prepare_renderer() -> threading.Thread:
    """Import the renderer in the background, once per server, after a first page is drawn: the first
    3-D view then finds it loaded, and no page waited for it."""
    loading = threading.Thread(target=importlib.import_module, args=("jumeau.render.scene",), daemon=True,
                               name="jumeau-renderer-import")
    loading.start()
    return loading


@contextmanager
def _drawn(site: Site, color_by: xr.DataArray, water_depth: xr.DataArray, clim: tuple[float, float], language: str,
           works: np.ndarray | None, view: str) -> Iterator[tuple[object, Path]]:
    """The scene's plotter and a temporary folder for its file, while this thread holds :data:`BUILDING`."""
    from jumeau.render.scene import build_scene

    with BUILDING:
        plotter = build_scene(site, color_by=color_by, water_depth=water_depth, clim=clim, language=language,
                              works=works, view=view)
        try:
            with tempfile.TemporaryDirectory(prefix="jumeau-scene-") as folder:
                yield plotter, Path(folder)
        finally:
            plotter.close()


def scene_html(site: Site, color_by: xr.DataArray, water_depth: xr.DataArray, clim: tuple[float, float],
               language: str, works: np.ndarray | None = None, view: str = "overview") -> str:
    """A self-contained HTML page of the scene: buildings and ground coloured, water drawn, works outlined.

    ``view`` is one of :func:`jumeau.render.scene.camera_views`; the page's colour bar is
    in ``language`` with the layer's declared colours.
    """
    from jumeau.render.scene import export_html

    with _drawn(site, color_by, water_depth, clim, language, works, view) as (plotter, folder):
        return export_html(plotter, folder / "scene.html").read_text(encoding="utf-8")


def scene_png(site: Site, color_by: xr.DataArray, water_depth: xr.DataArray, clim: tuple[float, float],
              language: str, works: np.ndarray | None = None, view: str = "overview",
              size: Sequence[int] = (1920, 1080)) -> bytes:
    """The same scene as :func:`scene_html` as a PNG of ``size`` pixels (width, height), for slides."""
    from jumeau.render.scene import screenshot

    with _drawn(site, color_by, water_depth, clim, language, works, view) as (plotter, folder):
        return screenshot(plotter, folder / "scene.png", size=size).read_bytes()
