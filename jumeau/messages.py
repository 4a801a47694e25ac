"""Words people read in what the engine produces (the report) and that the viewer shares, French first.

Layer labels live with the layers (:mod:`jumeau.outputs`), indicator labels with the
indicators (:mod:`jumeau.study.indicators`); this catalogue holds the rest. The viewer
adds its own words to these (``viewer/text.py``) instead of repeating them.

>>> TEXT["fr"]["better"], TEXT["en"]["better"]
('mieux', 'better')
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "report_title": "Comparaison de scénarios",
        "scenarios": "Scénarios",
        "scenario": "Scénario",
        "investment": "Investissement",
        "maintenance": "Entretien par an",
        "heat_effect": "Heures de stress thermique très fort en moins là où le projet agit",
        "per_m2h": "Coût par m²·heure de stress très fort évitée",
        "per_m3": "Coût par m³ retenu",
        "intervention": "Intervention",
        "intervention_effects": "Effet de chaque intervention sur la chaleur ressentie",
        "intervention_effects_note": ("Heures de stress thermique très fort (UTCI ≥ 38 °C) en moins, là où chaque "
                                      "intervention agit (son emprise et 10 m autour), par rapport à la situation "
                                      "actuelle. Le coût par m²·heure n'est donné que si l'effet est réel (au moins "
                                      "un quart d'heure) et payé."),
        "heat_effect_here": "Heures de stress très fort en moins sur place",
        "stress_avoided": "Stress très fort évité dehors",
        "scorecard": "Tableau de bord de la valeur publique",
        "weights": "Poids des dimensions",
        "overall": "Note globale",
        "created": "Valeur créée",
        "destroyed": "Valeur détruite",
        "rank": "Rang",
        "indicators": "Indicateurs",
        "indicator": "Indicateur",
        "unit": "Unité",
        "difference_maps": "Cartes des différences",
        "difference_from_baseline": "Écart avec la situation actuelle",
        "better": "mieux",
        "worse": "moins bien",
        "same": "inchangé",
        "method": ("Chaque indicateur est comparé à la situation actuelle : le gain est ramené au plus grand gain "
                   "obtenu par un scénario (de −1, la pire perte, à +1, le meilleur gain). Une dimension fait la "
                   "moyenne de ses indicateurs ; la note globale, la moyenne pondérée des dimensions."),
    },
    "en": {
        "report_title": "Scenario comparison",
        "scenarios": "Scenarios",
        "scenario": "Scenario",
        "investment": "Investment",
        "maintenance": "Maintenance per year",
        "heat_effect": "Hours of very strong heat stress avoided where the works act",
        "per_m2h": "Cost per m²·hour of very strong heat stress avoided",
        "per_m3": "Cost per m³ retained",
        "intervention": "Intervention",
        "intervention_effects": "What each intervention does to felt heat",
        "intervention_effects_note": ("Hours of very strong heat stress (UTCI ≥ 38 °C) avoided where each "
                                      "intervention acts (its footprint and 10 m around), against the current "
                                      "situation. The cost per m²·hour is given only when the effect is real (a "
                                      "quarter of an hour at least) and paid for."),
        "heat_effect_here": "Hours of very strong stress avoided on the spot",
        "stress_avoided": "Very strong stress avoided outdoors",
        "scorecard": "Public-value scorecard",
        "weights": "Dimension weights",
        "overall": "Overall score",
        "created": "Value created",
        "destroyed": "Value destroyed",
        "rank": "Rank",
        "indicators": "Indicators",
        "indicator": "Indicator",
        "unit": "Unit",
        "difference_maps": "Difference maps",
        "difference_from_baseline": "Difference from the current situation",
        "better": "better",
        "worse": "worse",
        "same": "unchanged",
        "method": ("Each indicator is compared with the current situation: the gain is divided by the largest gain "
                   "any scenario reaches (from −1, the worst loss, to +1, the best gain). A dimension is the mean "
                   "of its indicators; the overall score the weighted mean of the dimensions."),
    },
}
