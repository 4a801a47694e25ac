"""The 3-D scene's views (camera presets): the whole district, a low street view, each sensitive site.

Every view looks from the same azimuth (:data:`VIEW_AZIMUTH`), so that switching views
keeps north where it was. The overview is fitted to the frame
(:func:`jumeau.render.camera.fit_camera`) with room above each sensitive site for its
pin and board; the street view stands low, at a distance set by the district's size,
and a site's view at a distance set by the size of its building.

>>> import jumeau
>>> camera_views(jumeau.demo_site(), "en")["street"]
'Street view'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyvista as pv
from scipy.spatial import ConvexHull, QhullError

from jumeau.render.camera import Camera, fit_camera, looking_at
from jumeau.render.labels import SiteMark, sensitive_sites, site_footprint, site_name
from jumeau.site.state import Site

VIEW_AZIMUTH = -25.0  # degrees from south, towards the west: the overview's and the sites' cameras stand there
VIEW_ELEVATION = 35.0  # overview, degrees above the horizon
STREET_ELEVATION = 15.0
STREET_REACH = 0.5  # the street camera stands this share of the district's smaller side from its centre
SITE_ELEVATION = 35.0
SITE_DISTANCE = (150.0, 250.0)  # m, from a sensitive site's camera to the site
SITE_DISTANCE_PER_SIZE = 4.0  # the site camera's distance, in footprints' sizes (then clipped to SITE_DISTANCE)
VIEW_LABELS = {"fr": {"overview": "Vue d'ensemble", "street": "Vue de la rue"},
               "en": {"overview": "Overview", "street": "Street view"}}


def camera_views(site: Site, language: str = "fr") -> dict[str, str]:
    """The scene's camera presets, id → label in ``language``: the overview, the street view, each sensitive site.

    >>> import jumeau
    >>> camera_views(jumeau.demo_site())["site:2"]
    'École élémentaire Jules Ferry'
    """
    words = VIEW_LABELS.get(language, VIEW_LABELS["en"])
    views = {"overview": words["overview"], "street": words["street"]}
    for site_id, row in sensitive_sites(site).iterrows():
        views[f"site:{site_id}"] = site_name(row, site_id)
    return views


def view_camera(site: Site, view: str, elevation: np.ndarray, buildings: pv.PolyData, lift,
                marks: list[SiteMark], frame: Sequence[float]) -> Camera:
    """The camera of the preset ``view`` (one of :func:`camera_views`) for a ``frame`` of (width, height) pixels.

    ``elevation`` is the site's terrain, ``buildings`` their mesh and ``lift`` the scene's
    vertical exaggeration; ``marks`` are the sensitive sites' pins and boards.
    """
    xmin, ymin, xmax, ymax = site.grid.rio.bounds()
    if view == "overview":
        # The district: its four corners at the lowest and highest ground, and every roof; then room above
        # each sensitive site for its pin, stem and board (sized for the camera: refitted twice).
        low, high = lift(float(np.nanmin(elevation))), lift(float(np.nanmax(elevation)))
        corners = np.array([(x, y, z) for x in (xmin, xmax) for y in (ymin, ymax) for z in (low, high)])
        district = _hull(np.vstack([corners, buildings.points]))
        camera = fit_camera(district, VIEW_AZIMUTH, VIEW_ELEVATION, size=frame)
        for _ in range(2 if marks else 0):
            forward, _, up = camera.basis()
            bottoms = np.array([mark.bottom for mark in marks])
            room = np.array([mark.headroom for mark in marks])
            scale = camera.metres_per_pixel((bottoms - np.asarray(camera.position)) @ forward, frame[1])
            camera = fit_camera(np.vstack([district, bottoms + (room * scale)[:, None] * up]), VIEW_AZIMUTH,
                                VIEW_ELEVATION, size=frame)
        return camera
    if view == "street":
        centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2, lift(float(np.nanmean(elevation)))])
        reach = STREET_REACH * min(xmax - xmin, ymax - ymin)
        return looking_at(centre, VIEW_AZIMUTH, STREET_ELEVATION, reach / math.cos(math.radians(STREET_ELEVATION)))
    # A site's view looks at the middle of its building (or at its pin's foot on the ground), from a distance
    # that grows with the building's size.
    mark = next(mark for mark in marks if str(mark.site_id) == view.removeprefix("site:"))
    x, y, top = mark.bottom
    ground = float(site.grid["elevation"].sel(x=x, y=y, method="nearest"))
    xmin_s, ymin_s, xmax_s, ymax_s = site_footprint(site, sensitive_sites(site).loc[mark.site_id]).bounds
    size = max(xmax_s - xmin_s, ymax_s - ymin_s)
    distance = float(np.clip(SITE_DISTANCE_PER_SIZE * size, *SITE_DISTANCE))
    return looking_at(np.array([x, y, (lift(ground) + top) / 2]), VIEW_AZIMUTH, SITE_ELEVATION, distance)


def _hull(points: np.ndarray) -> np.ndarray:
    """The vertices of the convex hull of ``points`` (all of them if they are flat or few)."""
    try:
        return points[ConvexHull(points).vertices]
    except (QhullError, ValueError):
        return points
