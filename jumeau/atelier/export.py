"""A workshop's exports for the council and the planners: contributions, ratings and weights as files.

One folder, written whole (:func:`jumeau.io.atomic.atomic_dir`): ``compte_rendu.html`` (the
session's printable report for the council: participation, ratings, the room's weights, the
room's and each group's ranking against the technical one when the run folder is given, the
pins and the comments the facilitator left visible; every text escaped by the template
engine, no network), ``pins.gpkg`` (the map's pins
as points in the site's CRS, for QGIS, and the lines and areas some mark in its ``pin_shapes``
layer), ``pins.csv`` and ``comments.csv`` (every contribution
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

from jumeau.atelier.store import LABELS as WORDS
from jumeau.atelier.store import SCORES, Store, Tally, Workshop
from jumeau.atelier.verdict import ROOM, TECHNICAL, pins_map, score_text, verdict
from jumeau.errors import InputError
from jumeau.io.atomic import atomic_dir

FILES = ("compte_rendu.html", "pins.gpkg", "pins.csv", "comments.csv", "ratings.csv", "weights.csv")
LANGUAGES = ("fr", "en")
LABELS = {  # the compte rendu's words, French then English
    "title": ("Compte rendu d'atelier", "Workshop report"), "colon": ("\u00a0:", ":"),
    "participation": ("Participation", "Participation"), "participants": ("participants", "participants"),
    "ratings": ("Notes des scénarios (1 à 5)", "Scenario ratings (1 to 5)"), "scenario": ("Scénario", "Scenario"),
    "count": ("Notes", "Ratings"), "mean": ("Moyenne", "Mean"), "median": ("Médiane", "Median"),
    "favourites": ("Préférés", "Favourites"),
    "weights": ("Ce qui compte pour la salle (poids médians, 0 à 3)", "What matters to the room (median weights, 0 to 3)"),
    "dimension": ("Dimension", "Dimension"), "room": ("Salle", "Room"), "ranking": ("Classement", "Ranking"),
    "technical": ("Technique", "Technical"),
    "ranking_note": ("Rang de chaque scénario avec des poids égaux (technique), avec les poids médians de la salle, "
                     "puis de chaque groupe.",
                     "Each scenario's rank with equal weights (technical), with the room's median weights, then each "
                     "group's."),
    "no_weights": ("Personne n'a donné de poids.", "Nobody gave weights."),
    "value": ("Valeur créée / détruite", "Value created / destroyed"),
    "value_note": ("Ce que chaque scénario améliore (+) et dégrade (−) par rapport à la situation actuelle, pesé avec "
                   "les poids de la salle puis de chaque groupe (scores de −1 à 1).",
                   "What each scenario improves (+) and worsens (−) against the current situation, weighed with the "
                   "room's weights, then each group's (scores from −1 to 1)."),
    "no_ranking": ("Classement non calculé : donnez le dossier des résultats (jumeau atelier export --runs).",
                   "Ranking not computed: give the results folder (jumeau atelier export --runs)."),
    "pins": ("Épingles sur la carte", "Pins on the map"),
    "pins_map": ("Épingles sur la carte, sur la hauteur d'eau maximale de la situation actuelle",
                 "Pins on the map, over the current situation's maximum water depth"),
    "category": ("Catégorie", "Category"), "comment": ("Commentaire", "Comment"), "group": ("Groupe", "Group"),
    "hidden": ("masquées par l'animation", "hidden by the facilitator"), "comments": ("Commentaires", "Comments"),
    "hidden_comments": ("commentaire(s) masqué(s) par l'animation.", "comment(s) hidden by the facilitator."),
    "privacy": ("Aucune donnée personnelle : les participants sont anonymes ; seuls leur groupe et leur secteur, s'ils "
                "les ont donnés, accompagnent leurs contributions.",
                "No personal data: participants are anonymous; only their group and area, if they gave them, come "
                "with their contributions."),
}
LAMBERT_93 = "EPSG:2154"  # the official projection of mainland France, where the sites' files come from


def export_workshop(store: Store, code: str, target: str | os.PathLike, *, crs: str = LAMBERT_93,
                    runs: str | os.PathLike | None = None, baseline: str = "baseline", language: str = "fr") -> Path:
    """Write the exports of the workshop ``code`` into the folder ``target`` (replaced whole); return it.

    ``runs``: the workshop's results folder (``jumeau run``), for the rankings of the report.
    """
    import geopandas as gpd
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    if language not in LANGUAGES:
        raise InputError(f"--language: {language!r}; give fr or en.")
    try:
        projection = CRS.from_user_input(crs)
    except CRSError:
        raise InputError(f"--crs: {crs!r} is not a coordinate reference system; give the site's, e.g. EPSG:2154.") \
            from None
    workshop = store.workshop(code)
    found = store.contributions(workshop.id)
    tally = store.tally(workshop.id)
    pins = pd.DataFrame(found["pins"], columns=["id", "category", "comment", "x", "y", "shape", "group", "area",
                                               "created", "hidden", "reviewed", "reports"])
    comments = pd.DataFrame(found["comments"], columns=["id", "scenario", "text", "group", "area", "created", "hidden",
                                                       "reviewed", "reports"])
    for frame in (pins, comments):
        frame["created"] = pd.to_datetime(frame["created"], utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    points = gpd.GeoDataFrame(pins.drop(columns=["x", "y", "shape"]),
                              geometry=gpd.points_from_xy(pins["x"], pins["y"]), crs=projection)
    marked = pins[pins["shape"].notna()]
    shapes = gpd.GeoDataFrame(marked.drop(columns=["x", "y", "shape"]), crs=projection,
                              geometry=gpd.GeoSeries.from_wkt(marked["shape"].astype(str).tolist(), index=marked.index))
    report = _compte_rendu(workshop, tally, found, runs, baseline, language)
    with atomic_dir(target) as folder:
        (folder / "compte_rendu.html").write_text(report, encoding="utf-8")
        points.to_file(folder / "pins.gpkg", layer="pins", engine="pyogrio")
        if len(shapes):  # the lines and areas pins mark, beside the points (one geometry type per layer)
            shapes.to_file(folder / "pins.gpkg", layer="pin_shapes", engine="pyogrio")
        pins.to_csv(folder / "pins.csv", index=False)
        comments.to_csv(folder / "comments.csv", index=False)
        _ratings(found["ratings"]).to_csv(folder / "ratings.csv", index=False)
        _weights(tally).to_csv(folder / "weights.csv", index=False)
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


def _weights(tally: Tally) -> pd.DataFrame:
    by_group = {ROOM: tally.weights, **tally.weights_by_group}
    rows = [{"group": group, "dimension": dimension, "median_weight": weight}
            for group, medians in by_group.items() for dimension, weight in sorted(medians.items())]
    return pd.DataFrame(rows, columns=["group", "dimension", "median_weight"])


def _compte_rendu(workshop: Workshop, tally: Tally, found: dict[str, list[dict]], runs, baseline: str,
                  language: str) -> str:
    import jinja2

    from jumeau.render.maps import format_number
    from jumeau.study.indicators import dimension_label
    from jumeau.study.report import png_data

    index = LANGUAGES.index(language)

    def number(value: float | None, decimals: int = 1) -> str:  # "3,5" in French
        return "—" if value is None else format_number(value, decimals, language)

    def word(code: str | None) -> str:
        return WORDS[code or ""][index] if (code or "") in WORDS else str(code)

    titles, ranking, ranking_groups, reference = {}, None, [], None
    if runs is not None:
        judged = verdict(tally, runs, workshop.scenarios, baseline=baseline, language=language)
        titles, reference, ranking_groups = judged.titles, judged.reference, judged.groups
        values = {name: judged.value(name) for name in (ROOM, *ranking_groups)}
        ranking = [{"title": titles[s], "technical": row[TECHNICAL], "room": row[ROOM],
                    "by_group": [row[g] for g in ranking_groups],
                    "value": [f"{score_text(values[name].at[s, 'created'], language)} / "
                              f"{score_text(values[name].at[s, 'destroyed'], language)}"
                              for name in (ROOM, *ranking_groups)]}
                   for s, row in judged.ranks().iterrows()]
    ratings = _ratings(found["ratings"])
    groups = sorted(g for g in ratings["group"].unique() if g != ROOM)
    room = ratings[ratings["group"] == ROOM].set_index("scenario")
    rated = [{"title": titles.get(scenario, scenario), "count": int(row["count"]), "mean": number(row["mean"]),
              "median": number(row["median"]), "favourites": int(row["favourites"]),
              "by_group": [number(_mean(ratings, group, scenario)) for group in groups]}
             for scenario, row in room.iterrows()]
    weight_groups = sorted(tally.weights_by_group)
    weights = [{"dimension": dimension_label(dimension, language), "room": number(weight),
                "by_group": [number(tally.weights_by_group[g].get(dimension)) for g in weight_groups]}
               for dimension, weight in sorted(tally.weights.items())]
    pins = [p for p in found["pins"] if not p["hidden"]]
    comments = [c for c in found["comments"] if not c["hidden"]]
    drawn = png_data(pins_map(reference, pins, word, LABELS["pins_map"][index], language)) \
        if reference is not None and pins else None
    environment = jinja2.Environment(loader=jinja2.PackageLoader("jumeau.atelier", "templates"), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return environment.get_template("compte_rendu.html").render(
        language=language, t={key: words[index] for key, words in LABELS.items()}, workshop=workshop,
        participants=tally.participants,
        groups=[(word(g), n) for g, n in sorted(tally.groups.items())], rating_groups=[word(g) for g in groups],
        ratings=rated, weight_groups=[word(g) for g in weight_groups], weights=weights, ranking=ranking,
        ranking_groups=[word(g) for g in ranking_groups],
        pin_counts=[(word(c), n) for c, n in sorted(pd.Series([p["category"] for p in pins], dtype=object)
                                                    .value_counts().items())],
        hidden_pins=len(found["pins"]) - len(pins), pins_map=drawn,
        pins=[{**p, "category": word(p["category"]), "group": word(p["group"]), "x": number(p["x"]),
               "y": number(p["y"])} for p in pins],
        hidden_comments=len(found["comments"]) - len(comments),
        comments=[{"title": titles.get(scenario, scenario),
                   "said": [{**c, "group": word(c["group"])} for c in comments if c["scenario"] == scenario]}
                  for scenario in dict.fromkeys(c["scenario"] for c in comments)])


def _mean(ratings: pd.DataFrame, group: str, scenario: str) -> float | None:
    row = ratings[(ratings["group"] == group) & (ratings["scenario"] == scenario)]
    return float(row["mean"].iloc[0]) if len(row) else None
