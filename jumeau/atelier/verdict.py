"""The room's verdict: the scenarios ranked with the room's and each group's weights beside the technical
ranking, the value each scenario creates and destroys for them, and the room's pins on the district map.

The shared screen (refreshed live) and the compte rendu (:mod:`jumeau.atelier.export`) both
show it, so that the council reads the numbers the room saw.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from jumeau.atelier.store import Tally
from jumeau.io.runfolder import Result

TECHNICAL = "technical"  # equal weights: the planners' ranking before the room speaks
ROOM = "(salle)"  # the whole room, beside each group
CATEGORY_COLOURS = {"trop_chaud": "#d7301f", "eau": "#2b8cbe", "ombre": "#238b45", "idee": "#fec44f"}


@dataclass(frozen=True)
class Verdict:
    """Each weighting's scorecard (:func:`jumeau.study.compare.scorecard`) over the workshop's scenarios."""

    titles: dict[str, str]  # scenario -> title, in the page's language
    scorecards: dict[str, pd.DataFrame]  # TECHNICAL, ROOM, then each group that gave weights -> scorecard
    reference: Result  # the baseline's run: the map under the pins

    @property
    def groups(self) -> list[str]:
        return [name for name in self.scorecards if name not in (TECHNICAL, ROOM)]

    def ranks(self) -> pd.DataFrame:
        """scenario × weighting: each scenario's rank, the room's best first."""
        table = pd.DataFrame({name: card["rank"] for name, card in self.scorecards.items()})
        return table.sort_values([ROOM, TECHNICAL]).astype(int)

    def value(self, weighting: str = ROOM) -> pd.DataFrame:
        """scenario × (created, destroyed): the value a scenario creates and destroys under a weighting
        (scores from −1 to 1, as the scorecard's)."""
        return self.scorecards[weighting][["created", "destroyed"]].loc[self.ranks().index]


def score_text(value: float, language: str = "fr") -> str:
    """A scorecard score (−1 to 1) as the screen and the report print it: signed, two decimals.

    >>> score_text(0.3333, "fr"), score_text(-0.12, "en"), score_text(0.001)
    ('+0,33', '−0.12', '0,00')
    """
    from jumeau.render.maps import format_number

    return ("+" if round(value, 2) > 0 else "") + format_number(value, 2, language)


def verdict(tally: Tally, runs: str | os.PathLike | Mapping[str, Result | str | os.PathLike],
            shown: Sequence[str] | None = None, *, baseline: str = "baseline", language: str = "fr") -> Verdict:
    """The verdict of a workshop's ``tally`` over its ``shown`` scenarios (all the runs if None) and the
    baseline, from a results folder or scenario → result."""
    from jumeau.study.compare import compare

    technical = compare(runs, baseline=baseline)
    chosen = [s for s in technical.scenarios if shown is None or s == baseline or s in shown]
    results = {s: technical.results[s] for s in chosen}
    weightings = {TECHNICAL: None, ROOM: tally.weights, **dict(sorted(tally.weights_by_group.items()))}
    scorecards = {name: compare(results, baseline=baseline, weights=weights).scores
                  for name, weights in weightings.items()}
    return Verdict({s: technical.titles[s][language] for s in chosen}, scorecards, technical.results[baseline])


def pins_map(reference: Result, pins: list[dict], word: Callable[[str], str], title: str, language: str, *,
             projector: bool = False):
    """The visible ``pins`` (category, x, y, and the line or area some mark) over the baseline's maximum
    water depth and buildings, as a Matplotlib figure; a pin placed beyond the district is left out of
    the drawing (the lists keep it)."""
    import shapely
    from matplotlib.lines import Line2D

    from jumeau.render.maps import draw_map

    figure = draw_map(reference.layer("max_depth"), outlines=reference.buildings.geometry, title=title,
                      language=language, projector=projector)
    axes = figure.axes[0]
    extent = axes.get_xlim(), axes.get_ylim()
    size = 220 if projector else 90
    for pin in pins:  # the lines and areas some pins mark, under the pins
        if pin.get("shape"):
            shape = shapely.from_wkt(pin["shape"])
            colour = CATEGORY_COLOURS.get(pin["category"], "black")
            if shape.geom_type == "Polygon":
                axes.fill(*shape.exterior.xy, color=colour, alpha=0.35, zorder=4)
                axes.plot(*shape.exterior.xy, color=colour, linewidth=2, zorder=4)
            else:
                axes.plot(*shape.xy, color=colour, linewidth=4 if projector else 3, zorder=4)
    for category, colour in CATEGORY_COLOURS.items():
        chosen = [p for p in pins if p["category"] == category]
        if chosen:
            axes.scatter([p["x"] for p in chosen], [p["y"] for p in chosen], s=size, c=colour, edgecolors="black",
                         linewidths=1.2, zorder=5)
    present = [c for c in CATEGORY_COLOURS if any(p["category"] == c for p in pins)]
    if present:
        axes.legend(handles=[Line2D([], [], marker="o", linestyle="", markersize=14 if projector else 9,
                                    markerfacecolor=CATEGORY_COLOURS[c], markeredgecolor="black", label=word(c))
                             for c in present], loc="upper left", framealpha=0.9,
                    fontsize=20 if projector else None)
    axes.set_xlim(*extent[0])
    axes.set_ylim(*extent[1])
    return figure
