"""``python -m viewer [streamlit options]``: the viewer's server, ``streamlit run app.py`` with the page's
imports started early.

Streamlit runs the page's script only when a browser has connected, after loading
Streamlit's own page: a second or more during which a fresh server sits idle, and then the
first page waited for its imports (the engine, geopandas, rasterio, matplotlib: 2–3 s on two
cores). Here a thread imports them as soon as the server has started, while the browser loads;
the page's script then finds them loaded, or waits for the rest on Python's import lock. What
this thread imports is exactly what the page would: nothing more is kept. It then loads the
server's site into the cache the page reads it from.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time

from streamlit.runtime import Runtime, RuntimeState
from streamlit.web import cli

from viewer.launch import APP

# app.py's imports (tests/test_app.py checks that they are all here)
PAGE_IMPORTS = ("jumeau", "jumeau.flood.forcing", "jumeau.heat.forcing", "jumeau.io.schema", "jumeau.plan.scenario",
                "viewer.data", "viewer.scene3d", "viewer.views", "viewer.facilitation", "viewer.participant",
                "viewer.progress", "viewer.room", "viewer.style", "viewer.text")


def prepare_first_page() -> None:
    # Once the server answers: imports hold the GIL, and before it they only delayed the server's start.
    while not (Runtime.exists() and Runtime.instance().state != RuntimeState.INITIAL):
        time.sleep(0.02)
    for name in PAGE_IMPORTS:
        importlib.import_module(name)
    from jumeau.errors import JumeauError
    from viewer import data

    try:
        data.load_site(data.default_site())  # into the server's cache, where the first page looks for it
    except JumeauError:
        pass  # the page says what is wrong with it


def main(arguments: list[str]) -> None:
    threading.Thread(target=prepare_first_page, daemon=True, name="jumeau-first-page").start()
    sys.argv = ["streamlit", "run", str(APP), *arguments]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
