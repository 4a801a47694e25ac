"""Comparison of scenario runs against a baseline: deltas, derived costs, public-value scorecard.

Scorecard normalisation (documented for elected officials as "score"):

1. For each indicator and scenario, the *gain* against the baseline is
   ``baseline − value`` when lower is better, ``value − baseline`` when higher is
   better: positive is value created, negative value destroyed.
2. Each gain is divided by the largest absolute gain any compared scenario reaches on
   that indicator, so scores lie in [−1, 1]: 1 is the best improvement on offer, 0 no
   change, −1 the worst loss. An indicator no scenario changes scores 0 everywhere.
3. A dimension's score (health and quality of life, environment, cost, fairness) is
   the mean of its indicators' scores; the overall score the weighted mean of the
   dimensions (weights given by the user, equal by default). *Created* and
   *destroyed* are the same weighted means over only the positive, or only the
   negative, indicator scores, so a plan that gains a lot here and loses there shows
   both, not only their balance.

Derived figures (not scored, for the report), against the baseline:

* the heat effect where the works act: the fall of the hours of very strong heat stress,
  averaged over the scenario's works area (:func:`jumeau.study.indicators.works_area`);
* the heat stress avoided over the outdoor ground, in m²·h (square metres times hours of
  very strong heat stress), and its cost, € per m²·h avoided: shown only when the
  effect is real (at least :data:`REAL_EFFECT` hours where the works act) and has a cost;
* the cost per m³ retained (investment over the fall of the runoff volume leaving the
  district).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from jumeau.errors import InputError
from jumeau.io.runfolder import Result, find_runs
from jumeau.study.indicators import DIMENSIONS, INDICATORS, dimension_label

REAL_EFFECT = 0.25  # h: the least fall of very strong heat stress, where the works act, worth a cost figure


@dataclass(frozen=True)
class Comparison:
    baseline: str
    scenarios: list[str]  # in the order shown, the baseline first
    titles: dict[str, dict[str, str]]  # scenario -> {"fr": ..., "en": ...}
    values: pd.DataFrame  # indicator × scenario
    deltas: pd.DataFrame  # indicator × scenario, against the baseline
    derived: pd.DataFrame  # heat effect where the works act, cost per m²·h of heat stress avoided and per m³
    scores: pd.DataFrame  # scenario × (dimensions, overall, created, destroyed, rank)
    weights: dict[str, float]
    results: dict[str, Result]  # scenario -> its run, in the order shown

    def verdict(self, indicator: str, scenario: str) -> str:
        """'better', 'worse' or 'same' against the baseline."""
        delta = self.deltas.at[indicator, scenario]
        if not np.isfinite(delta) or abs(delta) <= 1e-9 * max(1.0, abs(self.values.at[indicator, self.baseline])):
            return "same"
        lower = INDICATORS[indicator].better == "lower"
        return "better" if (delta < 0) == lower else "worse"

    def table(self, language: str = "fr") -> pd.DataFrame:
        """One row per indicator: label, unit, baseline value, each scenario's value and delta."""
        rows = []
        for key in self.values.index:
            spec = INDICATORS[key]
            row = {"indicator": key, "label": spec.label(language), "unit": spec.unit_in(language),
                   "dimension": dimension_label(spec.dimension, language)}
            for scenario in self.scenarios:
                row[scenario] = self.values.at[key, scenario]
                if scenario != self.baseline:
                    row[f"{scenario} Δ"] = self.deltas.at[key, scenario]
            rows.append(row)
        return pd.DataFrame(rows)


def compare(runs: str | os.PathLike | Mapping[str, Result | str | os.PathLike], baseline: str = "baseline",
            weights: dict[str, float] | None = None) -> Comparison:
    """Compare scenario results (a runs folder, or scenario → result or folder) against ``baseline``."""
    if isinstance(runs, Mapping):
        results = {s: r if isinstance(r, Result) else Result(r) for s, r in runs.items()}
    else:
        results = find_runs(runs)
    if baseline not in results:
        raise InputError(f"baseline {baseline!r} is not among the results ({', '.join(results)}). Name it with --baseline.")
    weights = {**{d: 1.0 for d in DIMENSIONS}, **(weights or {})}
    unknown = sorted(set(weights) - set(DIMENSIONS))
    if unknown or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise InputError(f"weights: give non-negative weights, not all zero, for {', '.join(DIMENSIONS)} (got {weights}).")
    order = [baseline, *sorted(s for s in results if s != baseline)]
    table = pd.DataFrame({s: results[s].indicators["value"] for s in order})
    values = table.loc[[k for k in INDICATORS if k in table.index]]
    deltas = values.sub(values[baseline], axis=0)
    shown = {s: results[s] for s in order}
    return Comparison(baseline, order, {s: results[s].titles for s in order}, values, deltas,
                      _derived(values, baseline, shown), scorecard(values, baseline, weights), weights, shown)


def heat_effect(base: xr.Dataset, grids: xr.Dataset, where: np.ndarray) -> tuple[float, float]:
    """Fall of the hours of very strong heat stress against ``base`` over the cells ``where``: their mean (h),
    and the total over those of them that are outdoor ground (m²·h)."""
    if not where.any():
        return 0.0, 0.0
    fall = (base["very_strong_stress_hours"] - grids["very_strong_stress_hours"]).values.astype("float64")
    cell_area = abs(float(grids["x"][1] - grids["x"][0]) * float(grids["y"][1] - grids["y"][0]))
    outdoor = grids["building_id"].values == 0
    return float(fall[where].mean()), float(fall[where & outdoor].sum() * cell_area)


def intervention_effects(comparison: Comparison) -> pd.DataFrame:
    """Per intervention of each scenario: the fall of the hours of very strong heat stress where it acts
    (mean, h; total over its outdoor ground, m²·h) and its cost per m²·h avoided (when real and paid)."""
    base = comparison.results[comparison.baseline].grids
    rows = []
    for scenario in comparison.scenarios[1:]:
        result = comparison.results[scenario]
        for rank, row in enumerate(result.interventions.itertuples(index=False), start=1):
            area = result.grids["works_area"].values == rank
            if not area.any():
                continue
            mean, avoided = heat_effect(base, result.grids, area)
            real = mean >= REAL_EFFECT and avoided > 0 and row.investment_eur > 0
            rows.append({"scenario": scenario, "intervention": row.intervention, "type": row.type,
                         "investment_eur": row.investment_eur, "stress_hours_avoided": mean,
                         "stress_m2h_avoided": avoided,
                         "cost_per_m2h_avoided": row.investment_eur / avoided if real else np.nan})
    return pd.DataFrame(rows, columns=["scenario", "intervention", "type", "investment_eur", "stress_hours_avoided",
                                       "stress_m2h_avoided", "cost_per_m2h_avoided"])


def _derived(values: pd.DataFrame, baseline: str, results: Mapping[str, Result]) -> pd.DataFrame:
    investment = values.loc["investment"]
    retained = values.at["runoff_leaving", baseline] - values.loc["runoff_leaving"]
    base = results[baseline].grids
    effects = pd.DataFrame(
        [(heat_effect(base, results[s].grids, results[s].grids["works_area"].values > 0)[0],
          heat_effect(base, results[s].grids, np.ones(base["building_id"].shape, dtype=bool))[1])
         for s in values.columns],
        index=values.columns, columns=["stress_hours_avoided_works", "stress_m2h_avoided"])
    real = (effects["stress_hours_avoided_works"] >= REAL_EFFECT) & (effects["stress_m2h_avoided"] > 0) & (investment > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_m2h = np.where(real, investment / effects["stress_m2h_avoided"], np.nan)
        per_m3 = np.where(retained > 1e-6, investment / retained, np.nan)
    return effects.assign(cost_per_m2h_avoided=per_m2h, cost_per_m3_retained=per_m3, retained_m3=retained)


def scorecard(values: pd.DataFrame, baseline: str, weights: dict[str, float]) -> pd.DataFrame:
    """Dimension scores, overall score, value created and destroyed, and rank (see module doc)."""
    sign = pd.Series({k: (-1.0 if INDICATORS[k].better == "lower" else 1.0) for k in values.index})
    gains = values.sub(values[baseline], axis=0).mul(sign, axis=0)
    scale = gains.abs().max(axis=1).replace(0.0, np.nan)
    scores = gains.div(scale, axis=0).fillna(0.0)
    dimension = pd.Series({k: INDICATORS[k].dimension for k in values.index})
    total = sum(weights.values())
    rows = {}
    for scenario in values.columns:
        row = {d: float(scores.loc[dimension == d, scenario].mean()) if (dimension == d).any() else 0.0
               for d in DIMENSIONS}
        row["overall"] = sum(weights[d] * row[d] for d in DIMENSIONS) / total
        for part, clip in (("created", {"lower": 0}), ("destroyed", {"upper": 0})):
            clipped = scores[scenario].clip(**clip)
            row[part] = sum(weights[d] * float(clipped[dimension == d].mean()) for d in DIMENSIONS
                            if (dimension == d).any()) / total
        rows[scenario] = row
    table = pd.DataFrame(rows).T
    table["rank"] = table["overall"].rank(ascending=False, method="min").astype(int)
    return table.sort_values("rank")
