"""The participant's page, on a phone: join a workshop with its code, then rate the scenarios, pick a
favourite, say what matters, drop pins on the district map, comment and report.

Everything is optional and anonymous. The page keeps the participant's random token in its own
address (``?rejoindre=CODE&jeton=…``), so that reloading it, or coming back to it later in the
evening, shows and changes their answers. The page reads only the workshop's code and that token
from the browser: never a path or a file.
"""

from __future__ import annotations

import base64
import io
import os
import uuid
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st
from pyproj import Transformer

from jumeau.atelier.store import CATEGORIES, GROUPS, LABELS, MAX_COMMENT, MAX_VERTICES, SCORES, WEIGHT_RANGE, Answers, Store
from jumeau.errors import InputError
from jumeau.io.runfolder import Result
from jumeau.plan.scenario import ScenarioSet
from jumeau.site.state import Site
from jumeau.study.indicators import DIMENSIONS, INDICATORS, dimension_label
from viewer.views import fitting_zoom, format_value

JOIN_PARAMS = ("rejoindre", "join")  # the address a phone opens: ?rejoindre=CODE
TOKEN_PARAM = "jeton"
FIGURES = ("residents_flooded", "stress_hours_outdoor", "investment")  # what a phone shows of each scenario
# What the privacy notice says, set by the server's operator (the municipality is the controller).
CONTROLLER = os.environ.get("JUMEAU_CONTROLLER", "")
RETENTION_DAYS = os.environ.get("JUMEAU_RETENTION_DAYS", "365")  # as `jumeau atelier purge --older-than` is run
SECTION_TITLES = {"rate": "p_rate", "weights": "p_weights", "pins": "p_pin", "comments": "p_comment_title"}
SHAPES = {"point": 1, "line": 2, "area": 3}  # what a pin marks, and the taps it needs
PIN_CELLS = 2500  # about as many tap targets over the district: tens of metres each


def joined_code() -> str | None:
    """The workshop code the page was opened with, if any."""
    return next((st.query_params[p] for p in JOIN_PARAMS if st.query_params.get(p)), None)


def word(code: str | None, language: str) -> str:
    return LABELS[code or ""][0 if language == "fr" else 1]


def participant_page(store: Store, code: str, scenarios: ScenarioSet, results: dict[str, Result], site: Site,
                     text: dict, language: str) -> None:
    """The whole phone page for the workshop ``code``."""
    try:
        workshop = store.workshop(code)
    except InputError:
        st.error(text["p_unknown_code"].format(code=code))
        return
    st.title(workshop.title)
    if workshop.place or workshop.held_on:
        st.caption(" · ".join(x for x in (workshop.place, workshop.held_on and workshop.held_on.strftime("%d/%m/%Y"))
                              if x))
    answers = _answers(store, text)
    if answers is None:
        _join_form(store, workshop.code, text, language)
        return
    if answers.workshop.id != workshop.id:  # a token of another workshop: this page is not theirs
        st.query_params.pop(TOKEN_PARAM, None)
        st.rerun()
    known = {s.id for s in scenarios}
    shown = [s for s in workshop.scenarios if s in known]
    st.success(text["p_welcome"])
    sections = {"rate": lambda: _rate_section(store, answers, shown, scenarios, results, text, language),
                "weights": lambda: _weights_section(store, answers, text, language),
                "pins": lambda: _pin_section(store, answers, site, text, language),
                "comments": lambda: _comment_section(store, answers, shown, scenarios, text, language)}
    for number, question in enumerate(workshop.questions, start=1):  # only what the facilitator asks
        st.header(f"{number}. {text[SECTION_TITLES[question]]}")
        sections[question]()
    if workshop.asks("pins") or workshop.asks("comments"):
        _others_section(store, answers, scenarios, text, language)


def _answers(store: Store, text: dict) -> Answers | None:
    token = st.query_params.get(TOKEN_PARAM)
    if not token:
        return None
    try:
        return store.answers(token)
    except InputError:
        st.query_params.pop(TOKEN_PARAM, None)
        st.warning(text["p_token_unknown"])
        return None


def _token() -> str:
    return st.query_params[TOKEN_PARAM]


def _join_form(store: Store, code: str, text: dict, language: str) -> None:
    st.markdown(text["p_intro"])
    with st.form("join"):
        group = st.radio(text["p_group"], [None, *GROUPS], format_func=lambda g: text["p_no_group"] if g is None
                         else word(g, language), key="p_group")
        area = st.text_input(text["p_area"], max_chars=80, key="p_area")
        joined = st.form_submit_button(text["p_join"], type="primary", width="stretch")
    with st.expander(text["p_privacy_title"]):
        st.markdown(text["p_privacy"].format(controller=CONTROLLER or text["p_controller"], days=RETENTION_DAYS))
    if joined:
        try:
            st.query_params[TOKEN_PARAM] = store.join(code, group=group, area=area)
        except InputError as exc:
            st.error(str(exc))
            return
        st.rerun()


def _submit(action, done: str) -> bool:
    """Run a store call; its refusal (a value out of range, a purged workshop) is shown, never raised."""
    try:
        action()
    except InputError as exc:
        st.error(str(exc))
        return False
    st.toast(done)
    return True


def _rate_section(store: Store, answers: Answers, shown: list[str], scenarios: ScenarioSet,
                  results: dict[str, Result], text: dict, language: str) -> None:
    st.caption(text["p_rate_help"])
    baseline = results.get("baseline")
    for scenario_id in shown:
        scenario = scenarios[scenario_id]
        with st.container(border=True):
            st.subheader(scenario.title_in(language))
            if scenario.description_in(language):
                st.text(scenario.description_in(language))
            result = results.get(scenario_id)
            if result is not None:
                st.markdown("\n".join(f"- {_figure(result, baseline, key, language)}" for key in FIGURES))
            given = answers.scores.get(scenario_id)
            score = st.segmented_control(text["p_score"], list(SCORES), default=given,
                                         format_func=lambda s: text[f"p_score_{s}"], key=f"p_score_{scenario_id}")
            if score is not None and score != given and _submit(
                    lambda s=scenario_id, v=score: store.rate(_token(), s, v, favourite=answers.favourite == s),
                    text["p_saved"]):
                answers.scores[scenario_id] = score
            if scenario_id in answers.scores:  # what the server holds, so that a phone on a poor network knows
                st.caption(text["p_score_saved"].format(score=answers.scores[scenario_id]))
    rated = [s for s in shown if s in answers.scores]
    if rated:
        favourite = st.radio(text["p_favourite"], rated, index=rated.index(answers.favourite)
                             if answers.favourite in rated else None,
                             format_func=lambda s: scenarios[s].title_in(language), key="p_favourite")
        if favourite is not None and favourite != answers.favourite:
            _submit(lambda: store.rate(_token(), favourite, answers.scores[favourite], favourite=True),
                    text["p_saved"])


def _figure(result: Result, baseline: Result | None, key: str, language: str) -> str:
    """One indicator of a scenario as a phone shows it: its label, value and change against the baseline."""
    spec = INDICATORS[key]
    value = float(result.indicators["value"].get(key, np.nan))
    line = f"{spec.label(language)} : {format_value(value, spec.unit_in(language), language)}"
    if baseline is not None and result.scenario != baseline.scenario:
        delta = value - float(baseline.indicators["value"].get(key, np.nan))
        if np.isfinite(delta) and delta != 0:
            line += f" ({'+' if delta > 0 else '−'}{format_value(abs(delta), spec.unit_in(language), language)})"
    return line


def _weights_section(store: Store, answers: Answers, text: dict, language: str) -> None:
    st.caption(text["p_weights_help"])
    with st.form("weights"):
        chosen = {d: st.slider(dimension_label(d, language), *WEIGHT_RANGE, float(answers.weights.get(d, 1.0)), 0.5,
                               key=f"p_weight_{d}") for d in DIMENSIONS}
        if st.form_submit_button(text["p_save"], width="stretch"):
            _submit(lambda: store.set_weights(_token(), chosen), text["p_saved"])


def _pin_section(store: Store, answers: Answers, site: Site, text: dict, language: str) -> None:
    st.caption(text["p_pin_help"])
    category = st.segmented_control(text["p_category"], list(CATEGORIES), format_func=lambda c: word(c, language),
                                    key="p_category")
    shape = st.segmented_control(text["p_shape"], list(SHAPES), default="point",
                                 format_func=lambda k: text[f"p_shape_{k}"], key="p_shape") or "point"
    taps = _taps_on_map(site, shape, text)
    places = _named_places(site) if shape == "point" else {}
    listed = st.selectbox(text["p_place"], list(places), index=None, key="p_place", placeholder=text["p_place_none"]) \
        if places else None
    st.text_area(text["p_comment"], max_chars=MAX_COMMENT, key="p_pin_comment")
    ready = listed is not None or len(taps) >= SHAPES[shape]
    st.button(text["p_drop"], type="primary", width="stretch", key="p_drop", on_click=_drop_pin,
              args=(store, places, text), disabled=category is None or not ready)


def _drop_pin(store: Store, places: dict[str, tuple[float, float]], text: dict) -> None:
    """Store the pin as the page shows it now (a callback: the form can then be emptied for the next one)."""
    state = st.session_state
    shape, taps = state.get("p_shape") or "point", state.get("p_taps", [])
    listed = places.get(state.get("p_place") or "")
    if state.get("p_category") is None or (listed is None and len(taps) < SHAPES[shape]):
        return
    if listed is not None:
        (x, y), outline = listed, None
    elif shape == "point":
        (x, y), outline = taps[-1], None
    else:  # a line or an area: its pin at the middle of its points
        (x, y), outline = np.mean(taps, axis=0), list(taps)
    submission = state.setdefault("p_pin_submission", str(uuid.uuid4()))  # kept until stored: a retry is one pin
    if _submit(lambda: store.add_pin(_token(), state["p_category"], float(x), float(y), line=outline,
                                     area=shape == "area", comment=state.get("p_pin_comment", ""),
                                     submission=submission), text["p_pin_saved"]):
        for done in ("p_pin_submission", "p_taps"):
            state.pop(done, None)
        state.update(p_pin_comment="", p_place=None, p_category=None)


def _named_places(site: Site) -> dict[str, tuple[float, float]]:
    """The district's named places (schools, crèches, care homes…): a map is not for everyone."""
    if not len(site.sites):
        return {}
    points = site.sites.geometry.representative_point()
    return {str(name): (float(p.x), float(p.y)) for name, p in zip(site.sites["name"], points, strict=True)}


class TapMap(NamedTuple):
    """What the phone's map is drawn from, once per site: kept small, as every rerun sends it to every phone."""

    cells: pd.DataFrame  # one tap target per square: its index and south-west corner (longitude, latitude)
    centres: np.ndarray  # (n, 2): each square's centre in the site's CRS, where a pin goes
    size: float  # the squares' side (m)
    buildings: str  # the footprints as a PNG data address (a picture weighs a tenth of their outlines)
    bounds: list  # the district's corners in longitude/latitude


@st.cache_resource(show_spinner=False, max_entries=4)
def _tap_map(_site: Site, site_key: str) -> TapMap:
    xmin, ymin, xmax, ymax = _site.grid.rio.bounds()
    size = max(10.0, 5.0 * round(np.sqrt((xmax - xmin) * (ymax - ymin) / PIN_CELLS) / 5.0))
    xs, ys = (a.ravel() for a in np.meshgrid(np.arange(xmin, xmax, size), np.arange(ymin, ymax, size)))
    to_lonlat = Transformer.from_crs(_site.crs, "EPSG:4326", always_xy=True)
    lons, lats = to_lonlat.transform(xs, ys)
    # 1e-6 degree is about 0.1 m: the page's size halves and nobody taps that finely
    cells = pd.DataFrame({"i": np.arange(len(xs)), "p": np.round(np.column_stack([lons, lats]), 6).tolist()})
    rgba = np.zeros((*_site.grid["building_height"].shape, 4))
    rgba[_site.grid["building_height"].values > 0] = (0.35, 0.35, 0.35, 0.85)
    picture = io.BytesIO()
    plt.imsave(picture, rgba, format="png")
    buildings = "data:image/png;base64," + base64.b64encode(picture.getvalue()).decode()
    # the picture's four corners (the grid is rotated against the meridians)
    bounds = [list(to_lonlat.transform(x, y)) for x, y in ((xmin, ymin), (xmin, ymax), (xmax, ymax), (xmax, ymin))]
    return TapMap(cells, np.column_stack([xs, ys]) + size / 2, size, buildings, bounds)


def _taps_on_map(site: Site, shape: str, text: dict) -> list[tuple[float, float]]:
    """The squares the participant tapped on the district map (their centres, site CRS): the last one for a
    point, each in turn for a line or an area.

    The taps are kept by the page, not by the map: drawing them changes the map, which forgets its
    selection, so that the next tap is a new one."""
    drawn = _tap_map(site, f"{site.source}:{site.grid.rio.bounds()}")
    size, bounds = drawn.size, drawn.bounds
    taps = st.session_state.setdefault("p_taps", [])
    if shape == "point":
        del taps[:-1]
    # pydeck reads a plain string as a JavaScript expression: the picture is a string literal
    layers = [pdk.Layer("BitmapLayer", data=None, id="buildings", image=pdk.types.String(drawn.buildings),
                        bounds=bounds),
              pdk.Layer("GridCellLayer", drawn.cells, id="tap", get_position="p", cell_size=size * 0.96,
                        extruded=False, get_fill_color=[0, 90, 200, 35], pickable=True, auto_highlight=True,
                        highlight_color=[230, 30, 30, 120])]
    if taps:
        lons, lats = Transformer.from_crs(site.crs, "EPSG:4326", always_xy=True).transform(*np.transpose(taps))
        path = np.column_stack([lons, lats]).tolist()
        if shape != "point" and len(taps) > 1:
            layers.append(pdk.Layer("PathLayer", [{"path": path + (path[:1] if shape == "area" else [])}],
                                    id="traced", get_path="path", get_color=[215, 48, 31], width_min_pixels=4))
        layers.append(pdk.Layer("ScatterplotLayer", pd.DataFrame({"lon": lons, "lat": lats}), id="chosen",
                                get_position=["lon", "lat"], get_radius=size / 2, radius_min_pixels=9,
                                get_fill_color=[215, 48, 31, 230], get_line_color=[0, 0, 0], stroked=True,
                                line_width_min_pixels=2))
    centre = np.mean(bounds, axis=0)
    deck = pdk.Deck(layers=layers, map_provider=None,  # no base map: the room may be offline
                    initial_view_state=pdk.ViewState(longitude=float(centre[0]), latitude=float(centre[1]),
                                                     zoom=fitting_zoom(np.asarray(bounds), 360, 360)))
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="p_map", height=360)
    picked = (event.selection.get("objects") or {}).get("tap") if event is not None else None
    if picked:
        tapped = tuple(float(v) for v in drawn.centres[int(picked[0]["i"])])
        if not taps or tapped != taps[-1]:
            taps[:] = [tapped] if shape == "point" else [*taps, tapped][-MAX_VERTICES:]
            st.rerun()  # to draw it
    if taps:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.caption(text["p_tapped"].format(size=f"{size:.0f}") if shape == "point" else
                     text["p_traced"].format(count=len(taps), least=SHAPES[shape]))
        if shape != "point" and right.button(text["p_retrace"], key="p_retrace"):
            taps.clear()
            st.rerun()
    return list(taps)


def _comment_section(store: Store, answers: Answers, shown: list[str], scenarios: ScenarioSet, text: dict,
                     language: str) -> None:
    with st.form("comment", clear_on_submit=True):
        scenario = st.selectbox(text["p_comment_on"], shown, format_func=lambda s: scenarios[s].title_in(language),
                                key="p_comment_scenario")
        said = st.text_area(text["p_comment"], max_chars=MAX_COMMENT, key="p_comment_text")
        if st.form_submit_button(text["p_send"], width="stretch"):
            submission = st.session_state.setdefault("p_comment_submission", str(uuid.uuid4()))
            if _submit(lambda: store.add_comment(_token(), scenario, said, submission=submission), text["p_saved"]):
                st.session_state.pop("p_comment_submission", None)  # kept until stored: a retry is one comment


def _others_section(store: Store, answers: Answers, scenarios: ScenarioSet, text: dict, language: str) -> None:
    """What others said (as the shared screen shows it), each with a button to report it."""
    tally = store.tally(answers.workshop.id)
    titles = {s.id: s.title_in(language) for s in scenarios}
    said = [("pin", p["id"], word(p["category"], language), p["comment"]) for p in tally.pins] + \
           [("comment", c["id"], titles.get(c["scenario"], c["scenario"]), c["text"]) for c in tally.comments]
    said = [item for item in said if item[1] not in answers.own and (item[3] or item[0] == "comment")]
    if not said:
        return
    with st.expander(text["p_others"].format(count=len(said))):
        st.caption(text["p_report_help"])
        for kind, item, about, words in said:
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.text(f"{about} — {words}")  # plain text: whatever anyone typed is shown, never run
            if right.button(text["p_report"], key=f"p_report_{item}"):
                _submit(lambda k=kind, i=item: store.report(_token(), k, i), text["p_reported"])
