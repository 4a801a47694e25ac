"""Page styles: the planner's desk layout, and the workshop mode for a shared screen."""

from __future__ import annotations

import streamlit as st

# Both modes: Streamlit's own controls (Deploy, the developer menu) are not for the users.
COMMON_CSS = """
[data-testid="stToolbar"], [data-testid="stAppDeployButton"], [data-testid="stMainMenu"],
[data-testid="stDecoration"] { display: none !important; }
.join-code { font-size: 2rem; letter-spacing: .08em; }
"""

# Workshop mode: type readable from the back of a room, high contrast, big buttons, and the
# scenario buttons and the map on the first screen of a 1280×720 projector.
WORKSHOP_CSS = """
[data-testid="stStatusWidget"] { display: none !important; }  /* no "Running… Stop" for the room */
[data-testid="stHeader"] { height: 2rem !important; background: transparent !important; }
[data-testid="stMainBlockContainer"], .block-container { padding: 1rem 1.5rem 2rem !important; max-width: 100% !important; }
html, body, [class*="css"], .stMarkdown p, .stMarkdown li { font-size: 1.35rem !important; }
h1 { font-size: 2.2rem !important; padding: 0 0 .3rem !important; } h2 { font-size: 2rem !important; }
h3 { font-size: 1.7rem !important; }
[data-testid="stMetricValue"] { font-size: 2.6rem !important; font-weight: 800 !important; color: #000 !important; }
[data-testid="stMetricValue"] div { white-space: normal !important; overflow: visible !important;
                                    text-overflow: clip !important; line-height: 1.1; }
[data-testid="stMetricLabel"] p { font-size: 1.35rem !important; color: #000 !important; }
[data-testid="stMetricDelta"] { font-size: 1.35rem !important; }
.stButton button { padding: .5rem 1rem !important; min-height: 3.4rem; border: 3px solid #000 !important; }
/* a scenario's whole title on its button, on two lines if need be, never cut with "…" */
.stButton button p { font-size: 1.3rem !important; font-weight: 700; white-space: normal !important;
                     overflow: visible !important; text-overflow: clip !important; line-height: 1.2;
                     word-break: normal !important; overflow-wrap: normal !important; }
/* a 1280×720 projector: seven scenario titles on two rows of buttons, the map still on the first screen */
@media (max-width: 1500px) {
  h1 { font-size: 1.8rem !important; }
  .stButton button { min-height: 2.6rem; padding: .25rem .6rem !important; }
  .stButton button p { font-size: 1.02rem !important; line-height: 1.15; }
}
[data-testid="stRadio"] label p, [data-testid="stWidgetLabel"] p, [data-testid="stSelectbox"] div,
[data-testid="stCheckbox"] p { font-size: 1.3rem !important; }
.stApp { background: #fff; color: #000; }
[data-testid="stTable"] th, [data-testid="stTable"] td { font-size: 1.3rem !important; color: #000 !important; }
.join-code { font-size: 2.6rem; }
.question { font-size: 1.45rem; font-weight: 700; margin-top: .4rem; line-height: 1.25; }
.explain { font-size: 1.15rem; color: #222; }
"""

# A participant's phone: big touch targets, no wasted margin, type that needs no zoom.
PHONE_CSS = """
[data-testid="stMainBlockContainer"], .block-container { padding: 1rem .8rem 3rem !important; }
html, body, .stMarkdown p, .stMarkdown li { font-size: 1.05rem; }
.stButton button, [data-testid="stFormSubmitButton"] button { min-height: 3rem; font-size: 1.1rem; }
[data-testid="stButtonGroup"] button { min-height: 2.8rem; min-width: 2.8rem; font-size: 1.1rem; }
h1 { font-size: 1.8rem !important; } h2 { font-size: 1.45rem !important; } h3 { font-size: 1.2rem !important; }
"""

PLANNER_CSS = """
.question { font-weight: 600; } .explain { color: #444; font-size: .9rem; }
"""


MODES = {"planner": PLANNER_CSS, "workshop": WORKSHOP_CSS, "phone": PHONE_CSS}


def apply_style(mode: str) -> None:
    """The page's style: ``planner`` (a desk), ``workshop`` (a shared screen) or ``phone`` (a participant)."""
    st.markdown(f"<style>{COMMON_CSS}{MODES[mode]}</style>", unsafe_allow_html=True)
