"""The comparison report: one self-contained, printable HTML file (maps embedded, no network).

Sections: the scenarios and their costs, the public-value scorecard (weights, scores,
value created and destroyed, ranking), the indicator table with deltas marked
better/worse, and difference maps against the baseline (:data:`jumeau.outputs.PRODUCTS`
names the layers), on one shared diverging colour scale centred on zero.

The page is the Jinja2 template ``templates/report.html`` with autoescaping on: every
title and label a scenario file or a class table brings is escaped by the template
engine, not by hand. Everything it needs comes from the run folders: the maps are
drawn over the buildings the baseline run wrote, with no site file to reload.
"""

from __future__ import annotations

import base64
import io
import os
from pathlib import Path
from typing import Any

import jinja2
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from jumeau.io.atomic import write_text
from jumeau.messages import TEXT
from jumeau.outputs import DIFFERENCE_CMAP, OUTPUTS, PRODUCTS
from jumeau.render.maps import draw_map
from jumeau.study.compare import Comparison, intervention_effects
from jumeau.study.indicators import DIMENSIONS, INDICATORS, dimension_label

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("jumeau.study", "templates"), autoescape=True, undefined=jinja2.StrictUndefined,
    trim_blocks=True, lstrip_blocks=True,
)


def png_data(figure) -> str:
    """A figure as base64 PNG, to embed in a self-contained page (the figure is closed)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def number(value: float, unit: str) -> str:
    """A value as the report prints it: whole euros and thousands with a thin space, else 1–2 decimals.

    >>> number(1234567.8, "€"), number(0.123, "ha"), number(float("nan"), "m")
    ('1\\u202f234\\u202f568', '0.12', '—')
    """
    if not np.isfinite(value):
        return "—"
    if unit in ("€", "€/an") or abs(value) >= 1000:
        return f"{value:,.0f}".replace(",", "\u202f")
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}"


def difference_maps(comparison: Comparison, language: str = "fr") -> list[dict[str, Any]]:
    """Per layer, its difference from the baseline in each scenario, drawn on one colour scale."""
    baseline = comparison.results[comparison.baseline]
    outlines = baseline.buildings.geometry
    groups = []
    for name in PRODUCTS.report_differences:
        reference = baseline.grids[name]
        differences: dict[str, xr.DataArray] = {}
        for scenario in comparison.scenarios[1:]:
            layer = comparison.results[scenario].grids[name]
            differences[scenario] = (layer - reference).assign_coords(x=reference.x, y=reference.y).rename(name)
            differences[scenario].attrs = dict(reference.attrs)
        limit = max((float(np.nanpercentile(np.abs(d.values), 99.9)) for d in differences.values()), default=0.0)
        limit = limit or 1e-3
        title = f"{TEXT[language]['difference_from_baseline']} — {OUTPUTS[name].label(language, units=True)}"
        images = []
        for scenario, difference in differences.items():
            caption = comparison.titles[scenario][language]
            grids = comparison.results[scenario].grids
            figure = draw_map(difference, outlines=outlines, cmap=DIFFERENCE_CMAP, vmin=-limit, vmax=limit,
                              mask_zero=True, title=caption, language=language, difference=True,
                              works=grids["works_area"].values > 0 if "works_area" in grids else None)
            images.append({"caption": caption, "png": png_data(figure)})
        groups.append({"title": title, "images": images})
    return groups


def _tone(score: float) -> str:
    return "better" if score > 1e-9 else "worse" if score < -1e-9 else "same"


def render_html(comparison: Comparison, language: str = "fr", maps: bool = True) -> str:
    """The report as one HTML string."""
    titles = {s: comparison.titles[s][language] for s in comparison.scenarios}
    costs = []
    for s in comparison.scenarios:
        derived = comparison.derived.loc[s]
        costs.append({"title": titles[s], "investment": number(comparison.values.at["investment", s], "€"),
                      "maintenance": number(comparison.values.at["maintenance", s], "€"),
                      "effect": number(derived["stress_hours_avoided_works"], "h"),
                      "per_m2h": number(derived["cost_per_m2h_avoided"], "€"),
                      "per_m3": number(derived["cost_per_m3_retained"], "€")})
    effects = [{"title": titles[row.scenario], "intervention": row.intervention,
                "investment": number(row.investment_eur, "€"), "hours": number(row.stress_hours_avoided, "h"),
                "area_hours": number(row.stress_m2h_avoided, "€"), "per_m2h": number(row.cost_per_m2h_avoided, "€")}
               for row in intervention_effects(comparison).itertuples()]
    dimensions = [{"label": dimension_label(d, language), "weight": f"{comparison.weights[d]:g}"} for d in DIMENSIONS]
    scores = [{"rank": int(row["rank"]), "title": titles[str(s)],
               "cells": [{"tone": _tone(row[c]), "text": f"{row[c]:+.2f}"}
                         for c in [*DIMENSIONS, "created", "destroyed", "overall"]]}
              for s, row in comparison.scores.iterrows()]
    indicators = []
    for key in comparison.values.index:
        spec = INDICATORS[key]
        cells = [{"verdict": None, "text": number(comparison.values.at[key, comparison.baseline], spec.unit)}]
        for s in comparison.scenarios[1:]:
            verdict = comparison.verdict(key, s)
            delta = comparison.deltas.at[key, s]
            change = "" if verdict == "same" else f" ({'+' if delta > 0 else '−'}{number(abs(delta), spec.unit)})"
            cells.append({"verdict": verdict, "text": number(comparison.values.at[key, s], spec.unit) + change})
        indicators.append({"label": spec.label(language), "unit": spec.unit_in(language), "cells": cells})
    shown_maps = difference_maps(comparison, language) if maps and len(comparison.scenarios) > 1 else []
    return _TEMPLATES.get_template("report.html").render(
        language=language, t=TEXT[language], costs=costs, effects=effects, dimensions=dimensions, scores=scores,
        titles=list(titles.values()), indicators=indicators, maps=shown_maps)


def write_report(comparison: Comparison, target: str | os.PathLike, language: str = "fr") -> Path:
    """Write the HTML report and, next to it, the indicator table as CSV (both atomic)."""
    target = Path(target)
    write_text(target, render_html(comparison, language))
    write_text(target.with_suffix(".csv"), comparison.table(language).to_csv(index=False))
    write_text(target.with_name(target.stem + "_scores.csv"), comparison.scores.to_csv())
    return target
