"""The viewer end to end: a real Streamlit server driven in Debian's headless Chromium.

The test starts the server itself on a free port, on a small site whose scenarios it
computes first (the app then reads them from the cache, as after a CLI run).
Screenshots land in ``tests/artifacts/``.
"""

from __future__ import annotations

import io
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from viewer.launch import serve

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import CityFiles
    from test_runner import write_scenarios

    from jumeau import load_site
    from jumeau.study.runner import run
    from viewer.data import site_results

    folder = tmp_path_factory.mktemp("e2e")
    site = CityFiles(folder).write()
    scenarios = write_scenarios(folder / "scenarios")
    runs = (folder / "runs").resolve()
    report = run(site, scenarios, site_results(runs, load_site(site)), workers=1)
    assert not report.failed, report.table()
    env = {"JUMEAU_SITE": str(site), "JUMEAU_SCENARIOS": str(folder / "scenarios"), "JUMEAU_RUNS": str(runs)}
    with serve(env, cwd=folder) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            # SwiftShader gives WebGL without a GPU; no background traffic on this closed network.
            args=["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic",
                  "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


def metrics(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def test_app_loads_switches_scenario_and_shows_3d(server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    page.goto(f"{server}/?atelier=1", wait_until="networkidle")
    page.get_by_text("Combien d'habitants ont les pieds dans l'eau").first.wait_for(timeout=120_000)
    no_exception(page)
    before = metrics(page)
    page.get_by_role("button", name="Arbres").click()
    deadline = time.monotonic() + 30
    while metrics(page) == before and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    no_exception(page)
    assert metrics(page) != before
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workshop.png"), full_page=True)

    page.get_by_text("Vue 3D", exact=True).click()
    frame_element = page.locator("iframe").first
    frame_element.wait_for(timeout=120_000)
    frame = frame_element.content_frame
    frame.locator("canvas").first.wait_for(timeout=120_000)
    has_webgl = frame.locator("canvas").first.evaluate(
        "c => !!(c.getContext('webgl2') || c.getContext('webgl'))")
    assert has_webgl
    time.sleep(2)  # let vtk.js draw its first frame
    image = frame_element.screenshot(path=str(ARTIFACTS / "scene3d.png"))
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(image)).convert("L"), dtype=float)
    assert pixels.std() > 5, "the 3-D frame is blank"
    no_exception(page)
    page.close()


def test_planner_mode_shows_maps_and_comparison(server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    page.goto(server, wait_until="networkidle")
    page.get_by_text("Ce que montre la carte").first.wait_for(timeout=120_000)
    no_exception(page)
    page.locator("[data-testid=\"stImage\"] img, img").first.wait_for(timeout=120_000)  # the map
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "planner.png"), full_page=False)
    page.get_by_text("Comparer", exact=True).click()
    page.get_by_text("Tableau de bord de la valeur publique").first.wait_for(timeout=120_000)
    no_exception(page)
    page.close()
