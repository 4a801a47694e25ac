"""The comparison report: one self-contained, printable HTML file (maps embedded, no network).

Sections: the scenarios and their costs, the public-value scorecard (weights, scores,
value created and destroyed, ranking), the indicator table with deltas marked
better/worse, and difference maps against the baseline for air temperature and
maximum water depth, on one shared diverging colour scale centred on zero.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr

from jumeau.compare import Comparison
from jumeau.indicators import DIMENSIONS, INDICATORS
from jumeau.io.atomic import write_text
from jumeau.io.site_reader import load_site
from jumeau.render.maps import draw_map
from jumeau.runner import PROVENANCE

TEXT = {
    "fr": {
        "title": "Comparaison de scénarios", "scenarios": "Scénarios", "investment": "Investissement",
        "maintenance": "Entretien par an", "per_degree": "Coût par °C gagné", "per_m3": "Coût par m³ retenu",
        "scorecard": "Tableau de bord de la valeur publique", "weights": "Poids des dimensions",
        "overall": "Note globale", "created": "Valeur créée", "destroyed": "Valeur détruite", "rank": "Rang",
        "indicators": "Indicateurs", "indicator": "Indicateur", "unit": "Unité", "maps": "Cartes des différences",
        "t_air": "Différence de température de l'air (°C) avec la situation actuelle",
        "max_depth": "Différence de hauteur d'eau maximale (m) avec la situation actuelle",
        "better": "mieux", "worse": "moins bien", "same": "inchangé",
        "method": ("Chaque indicateur est comparé à la situation actuelle : le gain est ramené au plus grand gain "
                   "obtenu par un scénario (de −1, la pire perte, à +1, le meilleur gain). Une dimension fait la "
                   "moyenne de ses indicateurs ; la note globale, la moyenne pondérée des dimensions."),
    },
    "en": {
        "title": "Scenario comparison", "scenarios": "Scenarios", "investment": "Investment",
        "maintenance": "Maintenance per year", "per_degree": "Cost per °C gained", "per_m3": "Cost per m³ retained",
        "scorecard": "Public-value scorecard", "weights": "Dimension weights", "overall": "Overall score",
        "created": "Value created", "destroyed": "Value destroyed", "rank": "Rank", "indicators": "Indicators",
        "indicator": "Indicator", "unit": "Unit", "maps": "Difference maps",
        "t_air": "Air temperature difference (°C) from the current situation",
        "max_depth": "Maximum water depth difference (m) from the current situation",
        "better": "better", "worse": "worse", "same": "unchanged",
        "method": ("Each indicator is compared with the current situation: the gain is divided by the largest gain "
                   "any scenario reaches (from −1, the worst loss, to +1, the best gain). A dimension is the mean "
                   "of its indicators; the overall score the weighted mean of the dimensions."),
    },
}

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#111;max-width:1200px}
h1{font-size:1.8em}h2{margin-top:1.6em;border-bottom:2px solid #333}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}
th,td{border:1px solid #bbb;padding:.3em .6em;text-align:right}th{background:#eee}
td.label,th.label{text-align:left}
.better{background:#cfe8ff}.worse{background:#ffd9b3}.same{color:#666}
.maps{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:1em}
.maps img{width:100%}figure{margin:0}figcaption{font-weight:bold}
@media print{body{margin:0}h2{page-break-before:always}.maps{grid-template-columns:1fr 1fr}}
"""


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def _number(value: float, unit: str) -> str:
    if not np.isfinite(value):
        return "—"
    if unit in ("€", "€/an") or abs(value) >= 1000:
        return f"{value:,.0f}".replace(",", "\u202f")
    return f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}"


def difference_maps(comparison: Comparison, language: str = "fr") -> dict[str, list[tuple[str, str]]]:
    """Per layer, (scenario title, base64 PNG) of its difference from the baseline, on one colour scale."""
    provenance = json.loads((comparison.folders[comparison.baseline] / PROVENANCE).read_text(encoding="utf-8"))
    site = load_site(provenance["site_file"])
    with xr.open_dataset(comparison.folders[comparison.baseline] / "grids.nc") as base:
        reference = {name: base[name].load() for name in ("t_air", "max_depth")}
    maps: dict[str, list[tuple[str, str]]] = {}
    for name in ("t_air", "max_depth"):
        differences = {}
        for scenario in comparison.scenarios[1:]:
            with xr.open_dataset(comparison.folders[scenario] / "grids.nc") as grids:
                difference = (grids[name].load() - reference[name]).assign_coords(x=reference[name].x, y=reference[name].y)
            difference.attrs = {"units": reference[name].attrs.get("units", ""), "long_name": TEXT[language][name]}
            differences[scenario] = difference.rename(f"{name}_difference")
        limit = max((float(np.nanpercentile(np.abs(d.values), 99.9)) for d in differences.values()), default=0.0) or 1e-3
        maps[name] = [
            (comparison.titles[s][language], _png(draw_map(site, d, cmap="RdBu_r", vmin=-limit, vmax=limit,
                                                           mask_zero=True, title=comparison.titles[s][language],
                                                           language=language)))
            for s, d in differences.items()
        ]
    return maps


def render_html(comparison: Comparison, language: str = "fr", maps: bool = True) -> str:
    """The report as one HTML string."""
    t = TEXT[language]
    e = html.escape

    def title(scenario: str) -> str:
        return e(comparison.titles[scenario][language])

    parts = [f"<!doctype html><html lang='{language}'><head><meta charset='utf-8'><title>{t['title']}</title>"
             + f"<style>{STYLE}</style></head><body><h1>{t['title']}</h1>"]

    parts.append(f"<h2>{t['scenarios']}</h2><table><tr><th class='label'>{t['scenarios']}</th><th>{t['investment']} (€)</th>"
                 f"<th>{t['maintenance']} (€)</th><th>{t['per_degree']} (€/°C)</th><th>{t['per_m3']} (€/m³)</th></tr>")
    for s in comparison.scenarios:
        derived = comparison.derived.loc[s]
        parts.append(f"<tr><td class='label'>{title(s)}</td><td>{_number(comparison.values.at['investment', s], '€')}</td>"
                     f"<td>{_number(comparison.values.at['maintenance', s], '€')}</td>"
                     f"<td>{_number(derived['cost_per_degree'], '€')}</td><td>{_number(derived['cost_per_m3_retained'], '€')}</td></tr>")
    parts.append("</table>")

    dims = list(DIMENSIONS)
    parts.append(f"<h2>{t['scorecard']}</h2><p>{t['method']}</p><p>{t['weights']} : "
                 + ", ".join(f"{e(DIMENSIONS[d][0 if language == 'fr' else 1])} {comparison.weights[d]:g}" for d in dims)
                 + "</p><table><tr><th>" + t["rank"] + "</th><th class='label'>" + t["scenarios"] + "</th>"
                 + "".join(f"<th>{e(DIMENSIONS[d][0 if language == 'fr' else 1])}</th>" for d in dims)
                 + f"<th>{t['created']}</th><th>{t['destroyed']}</th><th>{t['overall']}</th></tr>")
    for s, row in comparison.scores.iterrows():
        cells = "".join(f"<td class='{_tone(row[d])}'>{row[d]:+.2f}</td>" for d in [*dims, "created", "destroyed", "overall"])
        parts.append(f"<tr><td>{int(row['rank'])}</td><td class='label'>{title(s)}</td>{cells}</tr>")
    parts.append("</table>")

    parts.append(f"<h2>{t['indicators']}</h2><table><tr><th class='label'>{t['indicator']}</th><th>{t['unit']}</th>"
                 + "".join(f"<th>{title(s)}</th>" for s in comparison.scenarios) + "</tr>")
    for key in comparison.values.index:
        spec = INDICATORS[key]
        label = spec.label_fr if language == "fr" else spec.label_en
        cells = [f"<td>{_number(comparison.values.at[key, comparison.baseline], spec.unit)}</td>"]
        for s in comparison.scenarios[1:]:
            verdict = comparison.verdict(key, s)
            delta = comparison.deltas.at[key, s]
            shown = _number(comparison.values.at[key, s], spec.unit)
            change = "" if verdict == "same" else f" ({'+' if delta > 0 else '−'}{_number(abs(delta), spec.unit)})"
            cells.append(f"<td class='{verdict}' title='{t[verdict]}'>{shown}{change}</td>")
        parts.append(f"<tr><td class='label'>{e(label)}</td><td>{e(spec.unit)}</td>{''.join(cells)}</tr>")
    parts.append("</table>")

    if maps and len(comparison.scenarios) > 1:
        parts.append(f"<h2>{t['maps']}</h2>")
        for name, images in difference_maps(comparison, language).items():
            parts.append(f"<h3>{t[name]}</h3><div class='maps'>")
            parts += [f"<figure><figcaption>{e(caption)}</figcaption><img alt='{e(caption)}' "
                      f"src='data:image/png;base64,{image}'></figure>" for caption, image in images]
            parts.append("</div>")
    parts.append("</body></html>")
    return "".join(parts)


def _tone(score: float) -> str:
    return "better" if score > 1e-9 else "worse" if score < -1e-9 else "same"


def write_report(comparison: Comparison, target: str | os.PathLike, language: str = "fr") -> Path:
    """Write the HTML report and, next to it, the indicator table as CSV (both atomic)."""
    target = Path(target)
    write_text(target, render_html(comparison, language))
    write_text(target.with_suffix(".csv"), comparison.table(language).to_csv(index=False))
    write_text(target.with_name(target.stem + "_scores.csv"), comparison.scores.to_csv())
    return target
