"""A workshop's exports for the council and the planners: contributions, ratings and weights as files.

One folder, written whole (:func:`jumeau.io.atomic.atomic_dir`): ``pins.gpkg`` (the map's pins
as points in the site's CRS, for QGIS), ``pins.csv`` and ``comments.csv`` (every contribution
with its author's group and area, its time, its moderation state and its reports; hidden ones
are kept and flagged so that the facilitator's choices can be checked), ``ratings.csv`` (per
scenario: count, mean, median, favourites and the count of each score, for the room and for
each group) and ``weights.csv`` (the room's median weight of each dimension, and each
group's). No participant token or number leaves the database.
"""

from __future__ import annotations

import os
import statistics
from pathlib import Path

import pandas as pd

from jumeau.atelier.store import SCORES, Store
from jumeau.errors import InputError
from jumeau.io.atomic import atomic_dir

FILES = ("pins.gpkg", "pins.csv", "comments.csv", "ratings.csv", "weights.csv")
ROOM = "(salle)"  # the whole room, beside each group
LAMBERT_93 = "EPSG:2154"  # the official projection of mainland France, where the sites' files come from


def export_workshop(store: Store, code: str, target: str | os.PathLike, *, crs: str = LAMBERT_93) -> Path:
    """Write the exports of the workshop ``code`` into the folder ``target`` (replaced whole); return it."""
    import geopandas as gpd
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        projection = CRS.from_user_input(crs)
    except CRSError:
        raise InputError(f"--crs: {crs!r} is not a coordinate reference system; give the site's, e.g. EPSG:2154.") \
            from None
    workshop = store.workshop(code)
    found = store.contributions(workshop.id)
    pins = pd.DataFrame(found["pins"], columns=["id", "category", "comment", "x", "y", "group", "area", "created",
                                               "hidden", "reviewed", "reports"])
    comments = pd.DataFrame(found["comments"], columns=["id", "scenario", "text", "group", "area", "created", "hidden",
                                                       "reviewed", "reports"])
    for frame in (pins, comments):
        frame["created"] = pd.to_datetime(frame["created"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    points = gpd.GeoDataFrame(pins.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(pins["x"], pins["y"]),
                              crs=projection)
    with atomic_dir(target) as folder:
        points.to_file(folder / "pins.gpkg", layer="pins", engine="pyogrio")
        pins.to_csv(folder / "pins.csv", index=False)
        comments.to_csv(folder / "comments.csv", index=False)
        _ratings(found["ratings"]).to_csv(folder / "ratings.csv", index=False)
        _weights(store, workshop.id).to_csv(folder / "weights.csv", index=False)
    return Path(target)


def _ratings(given: list[dict]) -> pd.DataFrame:
    """Per scenario, for the whole room then for each group: count, mean, median, favourites, each score's count."""
    rows = []
    groups = sorted({rating["group"] or "" for rating in given})
    for group in (ROOM, *groups):
        for scenario in sorted({rating["scenario"] for rating in given}):
            chosen = [r for r in given if r["scenario"] == scenario and group in (ROOM, r["group"] or "")]
            if not chosen:
                continue
            values = [r["score"] for r in chosen]
            rows.append({"group": group, "scenario": scenario, "count": len(values), "mean": statistics.fmean(values),
                         "median": statistics.median(values), "favourites": sum(bool(r["favourite"]) for r in chosen),
                         **{f"score_{s}": values.count(s) for s in SCORES}})
    return pd.DataFrame(rows, columns=["group", "scenario", "count", "mean", "median", "favourites",
                                       *(f"score_{s}" for s in SCORES)])


def _weights(store: Store, workshop_id: str) -> pd.DataFrame:
    tally = store.tally(workshop_id)
    by_group = {ROOM: tally.weights, **tally.weights_by_group}
    rows = [{"group": group, "dimension": dimension, "median_weight": weight}
            for group, medians in by_group.items() for dimension, weight in sorted(medians.items())]
    return pd.DataFrame(rows, columns=["group", "dimension", "median_weight"])
