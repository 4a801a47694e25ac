"""Building uses and site-of-interest types, normalised from the many ways cities write them.

IGN BD TOPO (French), OpenStreetMap tags and free text all name the same uses
differently; jumeau maps them to a short vocabulary so that indicators can count
schools or care homes whatever the source. Sensitive uses are those whose occupants
are most vulnerable to heat and flooding (children, the elderly, patients).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

# category -> words found in source values (accents and case removed before matching)
_KEYWORDS: dict[str, tuple[str, ...]] = {
    "nursery": ("creche", "nursery", "kindergarten", "childcare", "halte garderie", "micro creche", "multi accueil"),
    "school": ("ecole", "school", "college", "lycee", "enseignement", "education", "maternelle", "primaire", "university", "universite"),
    "care_home": ("ehpad", "maison de retraite", "care home", "nursing home", "retirement", "residence senior", "social_facility", "foyer logement"),
    "hospital": ("hopital", "hospital", "clinique", "clinic", "sante", "health", "centre hospitalier"),
    "residential": ("residentiel", "residential", "logement", "habitation", "house", "apartments", "detached", "terrace", "maison", "immeuble", "dwelling"),
    "commercial": ("commerc", "retail", "shop", "supermarket", "services", "magasin"),
    "office": ("bureau", "office", "tertiaire"),
    "industrial": ("industri", "warehouse", "entrepot", "factory", "usine", "artisan", "hangar"),
    "public": ("administrati", "public", "civic", "mairie", "town hall", "sport", "religieux", "church", "eglise", "culte", "culture"),
    "annex": ("annexe", "garage", "shed", "abri", "outbuilding"),
}
# words of uses that are known and have no category of their own ("other", without a warning)
_OTHER_WORDS = ("agricol", "agricult", "farm", "barn", "ferme", "serre", "greenhouse", "silo", "parking", "transport",
                "gare", "station", "reservoir", "chateau", "monument", "tour", "moulin")
SENSITIVE_USES = frozenset({"school", "nursery", "care_home", "hospital"})
USES = (*_KEYWORDS, "other", "unknown")

LABELS_FR = {
    "nursery": "crèche", "school": "école", "care_home": "EHPAD / maison de retraite", "hospital": "hôpital",
    "residential": "logement", "commercial": "commerce et services", "office": "bureaux",
    "industrial": "industrie", "public": "équipement public", "annex": "annexe", "other": "autre", "unknown": "inconnu",
}


def fold(text: str) -> str:
    """Lower-case ASCII with separators as spaces, so 'École_maternelle' matches 'ecole maternelle'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\s_\-:/]+", " ", text.lower()).strip()


def normalise_use(value: object) -> str:
    """Map one source value to a category of :data:`USES` (first matching keyword wins).

    >>> normalise_use("École maternelle"), normalise_use("EHPAD Les Saules"), normalise_use("Indifférencié")
    ('school', 'care_home', 'unknown')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return "unknown"
    folded = fold(str(value))
    if folded in ("yes", "building", "indifferencie"):
        return "unknown"
    for category, words in _KEYWORDS.items():
        if any(word in folded for word in words):
            return category
    return "other"


def normalise_uses(values: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_use` (each distinct value is folded once)."""
    mapping = {value: normalise_use(value) for value in values.dropna().unique()}
    return pd.Series([mapping.get(value, "unknown") for value in values], index=values.index, dtype=object)


def unrecognised(values: pd.Series, use: pd.Series) -> dict[str, int]:
    """Source values mapped to "other" that are not known other uses, with their counts, most frequent first."""
    other = values[use.eq("other") & values.notna()].astype(str)
    counts = other.value_counts()
    return {value: int(count) for value, count in counts.items()
            if not any(word in fold(value) for word in _OTHER_WORDS)}
