"""The facilitator's desk (behind the facilitator's code): create a workshop, open its shared screen,
moderate what participants said, and download the exports for the council.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import streamlit as st

from jumeau.atelier.export import export_workshop
from jumeau.atelier.store import QUESTIONS, Store, Workshop
from jumeau.errors import JumeauError
from jumeau.io.runfolder import Result
from viewer.participant import word
from viewer.room import join_address, join_panel
from viewer.views import file_name

SCREEN_PARAM = "atelier"  # the shared screen: ?atelier=CODE


def facilitation_view(store: Store, results: dict[str, Result], runs: Path, text: dict, language: str) -> None:
    _new_workshop(store, results, text, language)
    known = store.workshops()
    if not known:
        return
    chosen = st.selectbox(text["f_workshop"], known, format_func=lambda w: f"{w.title} — {w.code}", key="f_workshop")
    if chosen is None:
        return
    left, right = st.columns([1, 2], gap="large")
    with left:
        join_panel(chosen, text, scale=5)
        st.link_button(text["f_open_screen"], f"?{SCREEN_PARAM}={chosen.code}", type="primary")
        st.caption(text["f_screen_help"].format(address=join_address(chosen.code).split("?")[0]
                                                + f"?{SCREEN_PARAM}={chosen.code}"))
    with right:
        _moderation(store, chosen, results, text, language)
        _export(store, chosen, runs if "baseline" in results else None, text, language)


def _new_workshop(store: Store, results: dict[str, Result], text: dict, language: str) -> None:
    with st.expander(text["f_new"], expanded=not store.workshops()):
        with st.form("f_new_form"):
            title = st.text_input(text["f_title"], max_chars=200, key="f_title")
            place = st.text_input(text["f_place"], max_chars=200, key="f_place")
            held_on = st.date_input(text["f_date"], value=dt.date.today(), key="f_date", format="DD/MM/YYYY")
            shown = st.multiselect(text["f_scenarios"], list(results), default=list(results),
                                   format_func=lambda s: results[s].title(language), key="f_scenarios")
            asked = st.multiselect(text["f_questions"], list(QUESTIONS), default=list(QUESTIONS),
                                   format_func=lambda q: text[f"q_{q}"], key="f_questions")
            if st.form_submit_button(text["f_create"], type="primary"):
                try:
                    made = store.create_workshop(title, shown, place=place, held_on=held_on, questions=asked)
                except JumeauError as exc:
                    st.error(str(exc))
                else:
                    st.session_state["f_workshop"] = made
                    st.success(text["f_created"].format(code=made.code))


def _moderation(store: Store, workshop: Workshop, results: dict[str, Result], text: dict, language: str) -> None:
    """Every pin and comment, hidden ones included, each with the button that hides or restores it."""
    found = store.contributions(workshop.id)
    items = [("pin", p["id"], word(p["category"], language), p["comment"], p) for p in found["pins"]] + \
            [("comment", c["id"], results[c["scenario"]].title(language) if c["scenario"] in results
              else c["scenario"], c["text"], c) for c in found["comments"]]
    st.subheader(text["f_moderation"].format(count=len(items)))
    if not items:
        st.caption(text["f_nothing_yet"])
    for kind, item, about, said, row in sorted(items, key=lambda i: i[4]["created"], reverse=True):
        left, right = st.columns([5, 1], vertical_alignment="center")
        state = text["f_hidden"] if row["hidden"] else ""
        reports = text["f_reports"].format(count=row["reports"]) if row["reports"] else ""
        left.text(" ".join(x for x in (f"{about} — {said or '…'}", reports, state) if x))  # as text: never run
        if right.button(text["f_restore"] if row["hidden"] else text["f_hide"], key=f"f_mod_{item}"):
            store.moderate(kind, item, hidden=not row["hidden"])
            st.rerun()


def _export(store: Store, workshop: Workshop, runs: Path | None, text: dict, language: str) -> None:
    """The workshop's exports (compte rendu, pins, ratings, weights) as one zip, made when asked."""
    st.subheader(text["f_export"])
    st.download_button(text["f_download"], lambda: export_archive(store, workshop, runs, language),
                       file_name=file_name(text["f_export_file"], workshop.title, suffix=".zip"),
                       mime="application/zip", key="f_download")


def export_archive(store: Store, workshop: Workshop, runs: Path | None, language: str) -> bytes:
    """What ``jumeau atelier export`` writes, zipped for a browser's download."""
    with tempfile.TemporaryDirectory() as folder:
        written = export_workshop(store, workshop.code, Path(folder) / "export", runs=runs, language=language)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
            for path in sorted(written.iterdir()):
                packed.write(path, path.name)
        return buffer.getvalue()
