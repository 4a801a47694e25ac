"""jumeau viewer (Streamlit): look at a site's layers. UI only — it calls the public engine API.

Run with ``streamlit run app.py``. The full scenario viewer (3-D, comparison,
workshop mode) builds on this page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import jumeau
from jumeau.paths import DEMO_DIR
from jumeau.render.maps import draw_map

TEXT = {
    "fr": {
        "title": "Jumeau numérique du quartier",
        "site_file": "Fichier du site (YAML)",
        "layer": "Couche affichée",
        "cells": "Mailles",
        "buildings": "Bâtiments",
        "residents": "Habitants",
        "impervious": "Surfaces imperméables",
        "canopy": "Couvert arboré",
        "sensitive": "Établissements sensibles",
        "error": "Le site ne peut pas être chargé",
    },
    "en": {
        "title": "District digital twin",
        "site_file": "Site file (YAML)",
        "layer": "Layer shown",
        "cells": "Cells",
        "buildings": "Buildings",
        "residents": "Residents",
        "impervious": "Impervious surfaces",
        "canopy": "Tree canopy",
        "sensitive": "Sensitive sites",
        "error": "The site cannot be loaded",
    },
}


@st.cache_resource(show_spinner="Chargement du site… / Loading the site…")
def cached_site(path: str) -> jumeau.Site:
    return jumeau.load_site(path)


def summary_metrics(site: jumeau.Site, text: dict) -> None:
    summary = site.summary()
    columns = st.columns(5)
    columns[0].metric(text["buildings"], f"{summary['buildings']:,}".replace(",", " "))
    columns[1].metric(text["residents"], f"{summary['residents']:,.0f}".replace(",", " "))
    columns[2].metric(text["sensitive"], summary["sensitive_buildings"])
    columns[3].metric(text["impervious"], f"{summary['impervious_percent']:.0f} %")
    columns[4].metric(text["canopy"], f"{summary['canopy_cover_percent']:.0f} %")


def main() -> None:
    language = st.sidebar.radio("Langue / Language", ["fr", "en"], horizontal=True)
    text = TEXT[language]
    st.title(text["title"])
    # Stable keys: a relabelled widget (language switch) must keep its value.
    path = st.sidebar.text_input(text["site_file"], str(DEMO_DIR / "site.yaml"), key="site_path")
    try:
        site = cached_site(str(Path(path)))
    except jumeau.JumeauError as exc:
        st.error(f"{text['error']} : {exc}")
        return
    st.caption(f"{site.name} — {site.shape[1]} × {site.shape[0]} {text['cells'].lower()} à {site.resolution:g} m")
    summary_metrics(site, text)
    layer = st.sidebar.selectbox(text["layer"], list(site.grid.data_vars), index=list(site.grid.data_vars).index("landcover"), key="layer")
    st.pyplot(draw_map(site, layer, language=language))


main()
