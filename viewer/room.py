"""The shared screen's workshop view: how to join (QR code and short code), then the room's verdict,
refreshed every few seconds without reloading the page: participation, ratings and favourites,
the scenarios ranked with the room's and each group's weights beside the technical ranking, the
value each creates and destroys, and the room's pins on the map. Aggregates only.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pandas as pd
import segno
import streamlit as st

from jumeau.atelier.store import Store, Tally, Workshop
from jumeau.atelier.verdict import ROOM, TECHNICAL, Verdict, pins_map, score_text, verdict
from jumeau.errors import JumeauError
from jumeau.io.runfolder import Result
from jumeau.render.maps import format_number
from viewer.participant import JOIN_PARAMS, word
from viewer.views import DRAWING, png_of

REFRESH_SECONDS = 3.0
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0")


def join_address(code: str) -> str:
    """The address a phone opens to join: the operator's public address (``JUMEAU_PUBLIC_URL``), else the
    one this screen's browser used."""
    base = os.environ.get("JUMEAU_PUBLIC_URL") or _page_origin()
    return f"{base.rstrip('/')}/?{JOIN_PARAMS[0]}={code}"


def _page_origin() -> str:
    parts = urlsplit(st.context.url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def reachable(address: str) -> bool:
    """Whether phones can open ``address``: not if it names this computer only."""
    return (urlsplit(address).hostname or "localhost") not in LOCAL_HOSTS


def qr_svg(address: str, scale: int = 8) -> str:
    """The address as a QR code (SVG), drawn here: no online service sees the workshop."""
    return segno.make(address, error="m").svg_inline(scale=scale, dark="#000", light="#fff")


def join_panel(workshop: Workshop, text: dict, scale: int = 8) -> None:
    """The QR code, the short code and the address, large enough to be read and scanned from the room."""
    address = join_address(workshop.code)
    st.image(qr_svg(address, scale))
    st.markdown(f"<div class='join-code'>{text['room_code']} <b>{workshop.code}</b></div>", unsafe_allow_html=True)
    st.text(address)
    if not reachable(address):
        st.warning(text["room_local_address"])


def room_view(store: Store, code: str, results: dict[str, Result], baseline_id: str, text: dict,
              language: str) -> None:
    """The join panel beside the live verdict of the workshop ``code``."""
    try:
        workshop = store.workshop(code)
    except JumeauError as exc:
        st.error(str(exc))
        return
    join, live = st.columns([1, 4], gap="large")
    with join:
        st.subheader(workshop.title)
        join_panel(workshop, text, scale=6)
    with live:
        _live_verdict(store, workshop, results, baseline_id, text, language)


@st.fragment(run_every=REFRESH_SECONDS)
def _live_verdict(store: Store, workshop: Workshop, results: dict[str, Result], baseline_id: str, text: dict,
                  language: str) -> None:
    tally = store.tally(workshop.id)
    shown = [s for s in workshop.scenarios if s in results]
    figures, pins = st.columns([3, 2], gap="large")
    with figures:
        counts = st.columns(3)
        counts[0].metric(text["room_participants"], tally.participants)
        counts[1].metric(text["room_ratings"], sum(r.count for r in tally.ratings.values()))
        counts[2].metric(text["room_pins"], len(tally.pins))
        if tally.groups:
            st.caption(" · ".join(f"{word(g, language)} : {n}" for g, n in sorted(tally.groups.items())))
        if workshop.asks("rate"):
            st.table(ratings_table(tally, shown, results, text, language).set_index(text["scenario"]))
    judged = None
    if baseline_id in results:
        weighed = repr((sorted(tally.weights.items()),
                        sorted((g, sorted(w.items())) for g, w in tally.weights_by_group.items()),
                        [results[s].key for s in (baseline_id, *shown)]))
        judged = _verdict(tally, results, tuple(shown), baseline_id, language, weighed)
    with pins:
        if judged is not None and tally.pins:
            st.image(_pins_png(judged.reference, tuple((p["category"], p["x"], p["y"], p["shape"]) for p in tally.pins),
                               text["room_pins_map"], language))
        for said in tally.comments[-5:]:  # the latest, as plain text: never run
            title = results[said["scenario"]].title(language) if said["scenario"] in results else said["scenario"]
            st.text(f"{title} — {said['text']}")
    if judged is not None:  # the whole width: a column per group
        st.markdown(f"**{text['room_ranking']}**")
        st.table(ranking_table(judged, text, language).set_index(text["scenario"]))


def ratings_table(tally: Tally, shown: list[str], results: dict[str, Result], text: dict,
                  language: str) -> pd.DataFrame:
    """One row per scenario shown: its title, how many rated it, their mean and its favourites."""
    rows = []
    for scenario in shown:
        rating = tally.ratings.get(scenario)
        rows.append({text["scenario"]: results[scenario].title(language),
                     text["room_count"]: rating.count if rating else 0,
                     text["room_mean"]: format_number(rating.mean, 1, language) if rating else "—",
                     text["room_favourites"]: rating.favourites if rating else 0})
    return pd.DataFrame(rows)


def ranking_table(judged: Verdict, text: dict, language: str) -> pd.DataFrame:
    """Each scenario's rank for the planners (equal weights), the room and each group, then the value it
    creates and destroys with the room's weights."""
    ranks = judged.ranks()
    table = pd.DataFrame({text["scenario"]: [judged.titles[s] for s in ranks.index],
                          text["room_technical"]: ranks[TECHNICAL].to_numpy(),
                          text["room_room"]: ranks[ROOM].to_numpy()})
    for group in judged.groups:
        table[word(group, language)] = ranks[group].to_numpy()
    value = judged.value()
    table[text["created"]] = [score_text(v, language) for v in value["created"]]
    table[text["destroyed"]] = [score_text(v, language) for v in value["destroyed"]]
    return table


@st.cache_resource(show_spinner=False, max_entries=16)
def _verdict(_tally: Tally, _results: dict[str, Result], shown: tuple[str, ...], baseline_id: str, language: str,
             weighed: str) -> Verdict:
    """The verdict, computed again only when someone's weights (``weighed``: all of them, and the runs) change."""
    return verdict(_tally, _results, shown, baseline=baseline_id, language=language)


@st.cache_data(show_spinner=False, max_entries=8)
def _pins_png(_reference: Result, pins: tuple[tuple[str, float, float, str | None], ...], title: str,
              language: str) -> bytes:
    """The pins map, drawn again only when a pin is added, hidden or restored."""
    with DRAWING:
        return png_of(pins_map(_reference, [{"category": c, "x": x, "y": y, "shape": shape} for c, x, y, shape in pins],
                               lambda c: word(c, language), title, language, projector=True), dpi=80)
