"""The computation's progress on the page: what is ready, what runs (stage, simulated minutes), time left.

The panel is a Streamlit fragment that redraws itself every second from the server's
:class:`viewer.jobs.Computation`, without rerunning the page, and reruns the whole page
when a scenario becomes ready, so that it appears at once.
"""

from __future__ import annotations

import time

import streamlit as st

from viewer.jobs import Computation, Progress

COMPILING_AFTER_S = 15.0  # a flood still at 0 % after this long is numba compiling its kernels


def duration_text(seconds: float | None, text: dict) -> str:
    """``≈ 4 min restantes`` (or the words for an unknown estimate)."""
    if seconds is None:
        return text["progress_left_unknown"]
    minutes = f"{max(1, round(seconds / 60))} min" if seconds >= 60 else f"{max(5, round(seconds / 5) * 5)} s"
    return text["progress_left"].format(minutes=minutes)


def stage_text(progress: Progress, text: dict) -> str:
    if progress.status != "running" or progress.stage is None:
        return text["stage_queued"]
    if progress.stage == "flood":
        return text["stage_flood"].format(done=progress.share * progress.flood_minutes, total=progress.flood_minutes)
    return text[f"stage_{progress.stage}"]


@st.fragment(run_every=1.0)
def progress_panel(job: Computation, shown: frozenset[str], text: dict, language: str, compact: bool = False) -> None:
    """Progress of every scenario asked for; the page reruns when one not ``shown`` yet is ready. ``compact``
    (a projector, whose scenario buttons already say which are computing) leaves out the waiting list."""
    states = job.look()
    ready = {s for s, p in states.items() if p.ready}
    if ready - shown:
        st.rerun()
    waiting = [p for p in states.values() if p.status in ("queued", "running")]
    if not waiting:
        return
    st.markdown(f"**{text['progress_title'].format(ready=len(ready), total=len(states))}** · "
                f"{duration_text(job.seconds_left(), text)}")
    now = time.monotonic()
    for progress in waiting:
        if progress.status == "running":
            st.progress(min(progress.fraction, 1.0), text=f"{progress.title[language]} — {stage_text(progress, text)}")
            if (progress.stage == "flood" and progress.share == 0.0 and progress.started is not None
                    and now - progress.started > COMPILING_AFTER_S):
                st.caption(text["progress_compiling"])
    queued = [p.title[language] for p in waiting if p.status == "queued"]
    if queued and not compact:
        st.caption(text["progress_waiting"].format(titles=", ".join(queued)))
