"""Page styles: the planner's desk layout, and the workshop mode for a shared screen."""

from __future__ import annotations

import streamlit as st

# Workshop mode: type readable from the back of a room, high contrast, big buttons.
WORKSHOP_CSS = """
<style>
html, body, [class*="css"], .stMarkdown p, .stMarkdown li { font-size: 1.45rem !important; }
h1 { font-size: 3.2rem !important; } h2 { font-size: 2.4rem !important; } h3 { font-size: 2rem !important; }
[data-testid="stMetricValue"] { font-size: 3.4rem !important; font-weight: 800 !important; color: #000 !important; }
[data-testid="stMetricLabel"] p { font-size: 1.5rem !important; color: #000 !important; }
[data-testid="stMetricDelta"] { font-size: 1.5rem !important; }
.stButton button { font-size: 1.7rem !important; padding: 1rem 1.6rem !important; min-height: 4.5rem;
                   border: 3px solid #000 !important; }
/* a scenario's whole title on its button, on two lines if need be, never cut with "…" */
.stButton button p { font-size: 1.3rem !important; font-weight: 700; white-space: normal !important;
                     overflow: visible !important; text-overflow: clip !important; line-height: 1.25;
                     word-break: normal !important; overflow-wrap: normal !important; }
[data-testid="stRadio"] label p { font-size: 1.35rem !important; }
.stApp { background: #fff; color: #000; }
.question { font-size: 1.7rem; font-weight: 700; margin-top: .6rem; }
.explain { font-size: 1.25rem; color: #222; }
</style>
"""

PLANNER_CSS = """
<style>
.question { font-weight: 600; } .explain { color: #444; font-size: .9rem; }
</style>
"""


def apply_style(workshop: bool) -> None:
    st.markdown(WORKSHOP_CSS if workshop else PLANNER_CSS, unsafe_allow_html=True)
