"""jumeau viewer (Streamlit): the district in 3-D, maps, and scenarios compared side by side.

Run with ``python -m viewer`` (``streamlit run app.py``, the page's imports begun while the browser
loads); add ``?atelier=1`` to the address for the workshop mode (large type, plain French, no
technical controls). UI only: every number comes from the engine's public API
(``jumeau.study.runner``, ``jumeau.study.compare``, ``jumeau.render``), through the small page
functions of the ``viewer`` package.
"""

from __future__ import annotations

import hmac
import os
import secrets
import sys
from pathlib import Path

import streamlit as st

import jumeau
from jumeau.flood.forcing import StormForcing, storm_of
from jumeau.heat.forcing import HeatForcing
from jumeau.io.schema import field_range
from jumeau.plan.scenario import ScenarioSet
from viewer import data, scene3d, views
from viewer.facilitation import facilitation_view
from viewer.participant import joined_code, participant_page
from viewer.progress import progress_panel
from viewer.room import room_view
from viewer.style import apply_style
from viewer.text import TEXT

WORKSHOP_PARAMS = ("atelier", "workshop")
ROOT = Path(__file__).resolve().parent
# Deployments (and the end-to-end tests) choose the defaults without touching the code.
DEFAULT_SITE = data.default_site()
DEFAULT_SCENARIOS = os.environ.get("JUMEAU_SCENARIOS", str(ROOT / "scenarios"))
DEFAULT_RUNS = os.environ.get("JUMEAU_RUNS", "runs")
DATABASE = os.environ.get("JUMEAU_DB") or str(Path(DEFAULT_RUNS).resolve() / "atelier.sqlite")  # the workshops
REPORTS_TO_HIDE = os.environ.get("JUMEAU_REPORT_THRESHOLD", "3")  # reports that hide a pin or comment until reviewed
YES = ("1", "true", "oui", "yes")
NO = ("0", "false", "non", "no")
WORKSHOP_SERVER = os.environ.get("JUMEAU_WORKSHOP", "") in YES  # a projector's kiosk


def facilitator_code() -> str:
    """The code that unlocks the facilitator's controls: the server's setting, else one drawn for the server."""
    return os.environ.get("JUMEAU_FACILITATOR_CODE", "") or _drawn_code()


@st.cache_resource(show_spinner=False)
def _drawn_code() -> str:
    """Drawn once per server and shown in its log, for whoever started it."""
    code = f"{secrets.randbelow(10_000):04d}"
    print(f"jumeau: code de l'animateur / facilitator's code: {code}", file=sys.stderr, flush=True)
    return code


def room_code() -> str | None:
    """The workshop whose verdict the shared screen shows (``?atelier=CODE``), if any."""
    given = next((st.query_params[p] for p in WORKSHOP_PARAMS if st.query_params.get(p)), "")
    return given.upper() if given and given.lower() not in YES + NO else None


def asked_in_url() -> bool:
    return any(st.query_params.get(p) in YES for p in WORKSHOP_PARAMS) or room_code() is not None


def _code_given(entry: str) -> bool:
    """Whether the code typed in the ``entry`` field is the facilitator's (the field is then emptied)."""
    given = st.session_state.get(entry, "")
    st.session_state[entry] = ""
    if hmac.compare_digest(given, facilitator_code()):
        return True
    st.session_state["code_refused"] = True
    return False


def _leave_workshop() -> None:
    if _code_given("facilitator_entry"):
        st.session_state["workshop_on"] = False
        st.session_state["tools_unlocked"] = True  # the facilitator is at the desk now
        for name in WORKSHOP_PARAMS:
            st.query_params.pop(name, None)


def _unlock_tools() -> None:
    if _code_given("tools_entry"):
        st.session_state["tools_unlocked"] = True


def tools_unlocked(text: dict) -> bool:
    """Whether this session may load a site and start computations on the server (the facilitator's code)."""
    if st.session_state.get("tools_unlocked"):
        return True
    st.sidebar.text_input(text["tools_code"], type="password", key="tools_entry", on_change=_unlock_tools)
    if st.session_state.pop("code_refused", False):
        st.sidebar.warning(text["facilitator_wrong"])
    return False


def workshop_switch(text: dict) -> bool:
    """Whether the page is in workshop mode; once in it (``?atelier=1``, JUMEAU_WORKSHOP=1 on the server, or
    the toggle), a session leaves it only with the facilitator's code."""
    if "workshop_on" not in st.session_state and (asked_in_url() or WORKSHOP_SERVER):
        st.session_state["workshop_on"] = True
    if st.session_state.get("workshop_on"):
        with st.sidebar.expander(text["facilitator"]):
            st.text_input(text["facilitator_code"], type="password", key="facilitator_entry",
                          on_change=_leave_workshop)
            if st.session_state.pop("code_refused", False):
                st.warning(text["facilitator_wrong"])
        return True
    if st.sidebar.toggle(text["workshop"], value=False, key="workshop"):
        st.session_state["workshop_on"] = True
        st.query_params["atelier"] = "1"
        st.rerun()
    return False


def site_choice(text: dict, workshop: bool, tools: bool) -> str:
    """The server's site file (JUMEAU_SITE, the demo by default), or a zipped site folder the facilitator
    uploads. Page users never name a server path."""
    if not workshop and tools:
        upload = st.sidebar.file_uploader(text["upload"], type=["zip"], key="site_zip")
        if upload is None:
            st.session_state.pop("uploaded_site", None)
        else:
            st.session_state["uploaded_site"] = str(data.unpack_site(upload.getvalue()))
    return st.session_state.get("uploaded_site", DEFAULT_SITE)


def _choice(model, name: str, current: float, label: str, key: str, column) -> float:
    """A menu over the schema's suggested values (the current one kept if it is not among them)."""
    spec = field_range(model, name)
    options = sorted({*spec.choices, current})
    return column.select_slider(label, options, value=current, key=key)


def _slider(model, name: str, current: float, label: str, key: str, column) -> float:
    """A slider over the schema's typical range, never outside its bounds."""
    spec = field_range(model, name)
    low, high, step = spec.typical
    return column.slider(label, float(min(low, current)), float(max(high, current)), float(current), float(step),
                         key=key)


def run_view(site: jumeau.Site, site_path: str, scenarios: ScenarioSet, runs: Path, results: dict, text: dict,
             language: str) -> None:
    """Run a scenario under another storm or heat wave; the result joins the list (same cache as the CLI)."""
    base = st.selectbox(text["run_scenario"], list(results), format_func=lambda s: results[s].title(language),
                        key="run_base")
    storm, heat = results[base].forcing["storm"], results[base].forcing["heat"]
    columns = st.columns(3)
    period = _choice(StormForcing, "return_period", storm["return_period"], text["return_period"], "run_period",
                     columns[0])
    duration = _choice(StormForcing, "duration", storm["duration"], text["duration"], "run_duration", columns[1])
    t_ref = _slider(HeatForcing, "t_ref", heat["t_ref"], text["t_ref"], "run_tref", columns[2])
    run_column, preview_column = st.columns(2)
    if preview_column.button(text["preview"], key="preview_button"):
        storm_depth = storm_of(StormForcing(return_period=period, duration=duration)).total_depth
        views.screening_view(data.scenario_site(site_path, scenarios, base, tuple(s.id for s in scenarios)),
                             storm_depth, text, language)
    if run_column.button(text["run"], type="primary", key="run_button"):
        parent = scenarios[base].parents[0] if data.VARIANT_MARK in base else base
        variant = data.forcing_variant(parent, return_period=period, duration=duration, t_ref=t_ref)
        # computed by the server's background computation: the page shows its progress, then the scenario
        data.computation(str(runs)).request(site, ScenarioSet([*(s for s in scenarios if s.id != variant.id), variant]),
                                            only=[variant.id])
        st.session_state["scenario"] = variant.id
        st.rerun()


def participant_main(code: str) -> None:
    """A phone's page: the workshop ``code``'s questions, nothing computed, no server path read."""
    st.set_page_config(page_title="jumeau — atelier", layout="centered", initial_sidebar_state="collapsed")
    language = st.radio(TEXT["fr"]["language"], ["fr", "en"], horizontal=True, key="language",
                        format_func={"fr": "Français", "en": "English"}.get, label_visibility="collapsed")
    apply_style("phone")
    text = TEXT[language]
    try:
        site = data.load_site(DEFAULT_SITE)
        runs = data.site_results(Path(DEFAULT_RUNS).resolve(), site)
        scenarios = data.scenarios(data.scenario_files(Path(DEFAULT_SCENARIOS)), runs)
        store = data.workshop_store(DATABASE, REPORTS_TO_HIDE)
    except jumeau.JumeauError as exc:
        st.error(str(exc))
        return
    results = {s.id: r for s in scenarios if (r := data.load_result(runs / s.id)) is not None}
    participant_page(store, code, scenarios, results, site, text, language)


def main() -> None:
    if (code := joined_code()) is not None:
        participant_main(code)
        return
    views.keep_choices()
    in_workshop = st.session_state.get("workshop_on", WORKSHOP_SERVER or asked_in_url())
    # the room's screen is the page's: the sidebar (language, facilitator's code) stays folded
    st.set_page_config(page_title="jumeau", layout="wide", initial_sidebar_state="collapsed" if in_workshop else "auto")
    language = st.sidebar.radio(TEXT["fr"]["language"], ["fr", "en"], horizontal=True, key="language")
    text = TEXT[language]
    workshop = workshop_switch(text)
    apply_style("workshop" if workshop else "planner")
    st.title(text["title"])
    if not workshop:  # the room's screen keeps its height for the scenarios and the map
        st.caption(text["subtitle"])

    tools = not workshop and tools_unlocked(text)
    try:
        site_path = site_choice(text, workshop, tools)
        site = data.load_site(site_path)
    except jumeau.JumeauError as exc:
        st.error(f"{text['error']} : {exc}")
        return
    # where scenarios and results are is the server operator's choice, never a page user's
    runs = data.site_results(Path(DEFAULT_RUNS).resolve(), site)
    scenario_paths = data.scenario_files(Path(DEFAULT_SCENARIOS))
    job = data.computation(str(runs))
    try:
        scenarios = data.scenarios(scenario_paths, runs)
        job.request(site, scenarios)
    except jumeau.JumeauError as exc:
        st.error(str(exc))
        return
    states = job.look()
    for failed in (p for p in states.values() if p.status == "failed"):
        st.error(f"{failed.title[language]} : {failed.error}")
    results = {s.id: r for s in scenarios if states.get(s.id) and states[s.id].ready
               and (r := data.load_result(runs / s.id)) is not None}
    if any(not p.finished for p in states.values()):  # the panel polls the server each second while it computes
        progress_panel(job, frozenset(results), text, language, compact=workshop and "baseline" in results)
    if "baseline" not in results:
        if states.get("baseline") is None or not states["baseline"].finished:
            views.waiting_view(site, storm_of(scenarios.forcing("baseline").storm).total_depth, job.seconds_left(),
                               text, language, workshop)
        return
    baseline = results["baseline"]
    pending = {s: p.title[language] for s, p in states.items() if not p.finished}
    shown = views.scenario_picker(results, text, language, workshop, pending)
    result = results[shown]
    scenario_ids = tuple(s.id for s in scenarios)
    site_now = data.scenario_site(site_path, scenarios, shown, scenario_ids)
    everything = list(results.values())
    room = room_code() if workshop else None
    names = ["tab_map", "tab_3d", "tab_compare"] + (["tab_room"] if room else []) + (
        [] if workshop else ["tab_download"]) + (["tab_run", "tab_atelier"] if tools else [])
    # One view at a time: Streamlit draws every tab on every rerun, so a scenario switch
    # would redraw maps, the 3-D scene and the comparison nobody is looking at.
    view = st.radio(text["view"], names, format_func=text.get, horizontal=True, key="view",
                    label_visibility="collapsed")
    # On a projector the map and the figures share the first screen; at a desk they follow each other.
    beside = workshop and view in ("tab_map", "tab_3d")
    if beside:
        view_area, facts = st.columns([3, 2], gap="medium")
    else:
        facts, view_area = st.container(), st.container()
    if view in ("tab_map", "tab_3d", "tab_download", "tab_run"):
        with facts:
            views.headline(result, baseline, language, workshop, per_row=2 if beside else 3 if workshop else 4)
            views.scenario_story(result, baseline, text, language, workshop)
            views.place_panel(result, baseline, text, language)
    with view_area:
        if view == "tab_map":
            views.map_view(site_now, result, baseline, everything, text, language, workshop,
                           lambda scenario: data.scenario_site(site_path, scenarios, scenario, scenario_ids))
        elif view == "tab_3d":
            views.scene_view(site_now, result, baseline, everything, text, language)
        elif view == "tab_compare":
            views.compare_view(site, results, "baseline", text, language, workshop)
        elif view == "tab_run":
            run_view(site, site_path, scenarios, runs, results, text, language)
        elif view in ("tab_room", "tab_atelier"):
            try:
                store = data.workshop_store(DATABASE, REPORTS_TO_HIDE)
            except jumeau.JumeauError as exc:
                st.error(str(exc))
                return
            if view == "tab_room":
                room_view(store, room, results, "baseline", text, language)
            else:
                facilitation_view(store, results, runs, text, language)
        else:
            views.downloads_view(results, shown, runs, "baseline", text, language)
    scene3d.prepare_renderer()  # the page is drawn: load the 3-D renderer while people look at it
    views.prepare_scene(site_now, result, tuple(everything), language)


if __name__ == "__main__":  # Streamlit runs the script as __main__; worker processes import it as __mp_main__
    with data.ACTIVITY.page():
        main()
