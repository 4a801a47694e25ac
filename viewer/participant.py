"""The participant's page, on a phone: join a workshop with its code, then rate the scenarios, pick a
favourite, say what matters, drop pins on the district map, comment and report.

Everything is optional and anonymous. The page keeps the participant's random token in its own
address (``?rejoindre=CODE&jeton=…``), so that reloading it, or coming back to it later in the
evening, shows and changes their answers. The page reads only the workshop's code and that token
from the browser: never a path or a file.
"""

from __future__ import annotations

import os
import uuid

import numpy as np
import pandas as pd
import pydeck as pdk
import streamlit as st
from pyproj import Transformer

from jumeau.atelier.store import CATEGORIES, GROUPS, LABELS, MAX_COMMENT, SCORES, WEIGHT_RANGE, Answers, Store
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
    _rate_section(store, answers, shown, scenarios, results, text, language)
    _weights_section(store, answers, text, language)
    _pin_section(store, answers, site, text, language)
    _comment_section(store, answers, shown, scenarios, text, language)
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


def _submit(action, done: str) -> None:
    """Run a store call; its refusal (a value out of range, a purged workshop) is shown, never raised."""
    try:
        action()
    except InputError as exc:
        st.error(str(exc))
        return
    st.toast(done)


def _rate_section(store: Store, answers: Answers, shown: list[str], scenarios: ScenarioSet,
                  results: dict[str, Result], text: dict, language: str) -> None:
    st.header(text["p_rate"])
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
            if score is not None and score != given:
                _submit(lambda s=scenario_id, v=score: store.rate(_token(), s, v, favourite=answers.favourite == s),
                        text["p_saved"])
                answers.scores[scenario_id] = score
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
    st.header(text["p_weights"])
    st.caption(text["p_weights_help"])
    with st.form("weights"):
        chosen = {d: st.slider(dimension_label(d, language), *WEIGHT_RANGE, float(answers.weights.get(d, 1.0)), 0.5,
                               key=f"p_weight_{d}") for d in DIMENSIONS}
        if st.form_submit_button(text["p_save"], width="stretch"):
            _submit(lambda: store.set_weights(_token(), chosen), text["p_saved"])


def _pin_section(store: Store, answers: Answers, site: Site, text: dict, language: str) -> None:
    st.header(text["p_pin"])
    st.caption(text["p_pin_help"])
    category = st.segmented_control(text["p_category"], list(CATEGORIES), format_func=lambda c: word(c, language),
                                    key="p_category")
    tapped = _place_on_map(site, text)
    where = _place_from_list(site, text) or tapped
    comment = st.text_area(text["p_comment"], max_chars=MAX_COMMENT, key="p_pin_comment")
    if st.button(text["p_drop"], type="primary", width="stretch", key="p_drop",
                 disabled=category is None or where is None):
        submission = st.session_state.setdefault("p_pin_submission", str(uuid.uuid4()))
        _submit(lambda: store.add_pin(_token(), category, *where, comment=comment, submission=submission),
                text["p_pin_saved"])
        st.session_state.pop("p_pin_submission", None)  # the next pin is another one


def _tap_grid(site: Site) -> tuple[pd.DataFrame, float]:
    """Squares covering the district, a tap target each: their corners in longitude/latitude and their
    centre in the site's CRS (where the pin goes)."""
    xmin, ymin, xmax, ymax = site.grid.rio.bounds()
    size = max(10.0, 5.0 * round(np.sqrt((xmax - xmin) * (ymax - ymin) / PIN_CELLS) / 5.0))
    xs, ys = np.meshgrid(np.arange(xmin, xmax, size), np.arange(ymin, ymax, size))
    xs, ys = xs.ravel(), ys.ravel()
    to_lonlat = Transformer.from_crs(site.crs, "EPSG:4326", always_xy=True)
    corners = [to_lonlat.transform(xs + dx, ys + dy) for dx, dy in ((0, 0), (0, size), (size, size), (size, 0))]
    polygons = np.stack([np.column_stack(c) for c in corners], axis=1).tolist()
    return pd.DataFrame({"polygon": polygons, "x": xs + size / 2, "y": ys + size / 2}), size


@st.cache_resource(show_spinner=False, max_entries=4)
def _map_layers(_site: Site, site_key: str) -> tuple[pd.DataFrame, pd.DataFrame, float, list]:
    grid, size = _tap_grid(_site)
    buildings = _site.buildings.to_crs("EPSG:4326")
    outlines = pd.DataFrame({"polygon": [np.asarray(g.exterior.coords if g.geom_type == "Polygon"
                                                    else g.geoms[0].exterior.coords)[:, :2].tolist()
                                         for g in buildings.geometry]})
    xmin, ymin, xmax, ymax = _site.grid.rio.bounds()
    to_lonlat = Transformer.from_crs(_site.crs, "EPSG:4326", always_xy=True)
    bounds = [list(to_lonlat.transform(x, y)) for x, y in ((xmin, ymin), (xmin, ymax), (xmax, ymax), (xmax, ymin))]
    return grid, outlines, size, bounds


def _place_on_map(site: Site, text: dict) -> tuple[float, float] | None:
    """Where the participant tapped on the district map (the centre of the square tapped), if they did."""
    grid, outlines, size, bounds = _map_layers(site, str(site.grid.rio.bounds()))
    centre = np.mean(bounds, axis=0)
    deck = pdk.Deck(
        layers=[pdk.Layer("PolygonLayer", outlines, get_polygon="polygon", get_fill_color=[120, 120, 120, 200],
                          stroked=False),
                pdk.Layer("PolygonLayer", grid, id="tap", get_polygon="polygon", get_fill_color=[0, 90, 200, 25],
                          get_line_color=[0, 90, 200, 60], line_width_min_pixels=0.5, pickable=True,
                          auto_highlight=True, highlight_color=[230, 30, 30, 200])],
        initial_view_state=pdk.ViewState(longitude=float(centre[0]), latitude=float(centre[1]),
                                         zoom=fitting_zoom(np.asarray(bounds), 360, 360)),
        map_provider=None)  # no base map: the room may be offline
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="p_map", height=360)
    picked = (event.selection.get("objects") or {}).get("tap") if event is not None else None
    if picked:
        st.caption(text["p_tapped"].format(size=f"{size:.0f}"))
        return float(picked[0]["x"]), float(picked[0]["y"])
    return None


def _place_from_list(site: Site, text: dict) -> tuple[float, float] | None:
    """Or a named place: the district's schools, crèches, care homes… (a map is not for everyone)."""
    if not len(site.sites):
        return None
    points = site.sites.geometry.representative_point()
    places = {str(name): (float(p.x), float(p.y)) for name, p in zip(site.sites["name"], points, strict=True)}
    chosen = st.selectbox(text["p_place"], list(places), index=None, key="p_place", placeholder=text["p_place_none"])
    return places.get(chosen) if chosen else None


def _comment_section(store: Store, answers: Answers, shown: list[str], scenarios: ScenarioSet, text: dict,
                     language: str) -> None:
    st.header(text["p_comment_title"])
    with st.form("comment", clear_on_submit=True):
        scenario = st.selectbox(text["p_comment_on"], shown, format_func=lambda s: scenarios[s].title_in(language),
                                key="p_comment_scenario")
        said = st.text_area(text["p_comment"], max_chars=MAX_COMMENT, key="p_comment_text")
        if st.form_submit_button(text["p_send"], width="stretch"):
            submission = st.session_state.setdefault("p_comment_submission", str(uuid.uuid4()))
            _submit(lambda: store.add_comment(_token(), scenario, said, submission=submission), text["p_saved"])
            st.session_state.pop("p_comment_submission", None)


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
