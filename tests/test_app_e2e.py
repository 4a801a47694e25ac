"""The viewer end to end: a real Streamlit server driven in Debian's headless Chromium.

The test starts the server itself on a free port, on a small site whose scenarios it
computes first (the app then reads them from the cache, as after a CLI run).
Screenshots land in ``tests/artifacts/``. Every view of both modes fails on any error a
person would see: a Python exception, an error box (a component's JavaScript error is shown
as one), an uncaught JavaScript error or a console error.
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
FACILITATOR = "1357"


def long_titled(folder: Path, count: int = 4) -> list[Path]:
    """Scenarios named as the demo's longest titles (no works): seven buttons in all, as on the demo, for the
    projector layout to fit."""
    import yaml

    titles = sorted((yaml.safe_load(p.read_text(encoding="utf-8"))["title"] for p in (ROOT / "scenarios").glob("*.yaml")),
                    key=len, reverse=True)[:count]
    written = []
    for number, title in enumerate(titles):
        path = folder / f"long{number}.yaml"
        path.write_text(yaml.safe_dump({"id": f"long{number}", "title": title}, allow_unicode=True), encoding="utf-8")
        written.append(path)
    return written


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
    scenarios += long_titled(folder / "scenarios")
    runs = (folder / "runs").resolve()
    report = run(site, scenarios, site_results(runs, load_site(site)), workers=1)
    assert not report.failed, report.table()
    env = {"JUMEAU_SITE": str(site), "JUMEAU_SCENARIOS": str(folder / "scenarios"), "JUMEAU_RUNS": str(runs),
           "JUMEAU_FACILITATOR_CODE": FACILITATOR}
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


class Watched:
    """A browser page whose uncaught JavaScript errors and console errors are collected."""

    def __init__(self, browser, url: str, width: int = 1600, height: int = 1100, **device):
        """``device``: Playwright's page options beyond the viewport (``is_mobile``, ``has_touch``…)."""
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height}, **device)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught JavaScript error: {error}"))
        self.page.on("console", lambda message: self.errors.append(f"console error: {message.text}")
                     if message.type == "error" else None)
        self.page.goto(url, wait_until="networkidle")

    def check(self, where: str) -> None:
        """Fail on anything wrong the page shows or logs."""
        page = self.page
        page.wait_for_timeout(500)  # let components report what they failed to draw
        exceptions = page.locator('[data-testid="stException"]').all_inner_texts()
        boxes = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
        assert not exceptions and not boxes and not self.errors, \
            f"{where}: {exceptions + boxes + self.errors}"

    def view(self, name: str) -> None:
        self.page.get_by_text(name, exact=True).click()
        self.page.wait_for_load_state("networkidle")


def wait_for_change(page, before: list[str]) -> None:
    deadline = time.monotonic() + 30
    while metrics(page) == before and time.monotonic() < deadline:
        page.wait_for_timeout(250)


def test_app_loads_switches_scenario_and_shows_3d(server, browser):
    watched = Watched(browser, f"{server}/?atelier=1")
    page = watched.page
    page.get_by_text("Combien d'habitants ont les pieds dans l'eau").first.wait_for(timeout=120_000)
    watched.check("workshop, first page")
    before = metrics(page)
    page.get_by_role("button", name="Arbres").click()
    wait_for_change(page, before)
    watched.check("workshop, after a scenario switch")
    assert metrics(page) != before
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workshop.png"), full_page=True)

    watched.view("Vue 3D")
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
    watched.check("workshop, 3-D view")
    watched.view("Comparer")
    page.get_by_text("Tableau de bord de la valeur publique").first.wait_for(timeout=120_000)
    watched.check("workshop, comparison")
    page.close()


def hovered_building(page) -> str:
    """The hover map's tooltip text once the mouse passes over a building ('' if none shows)."""
    chart = page.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    tooltip = page.locator(".deck-tooltip")
    for fy in np.linspace(0.1, 0.9, 17):
        for fx in np.linspace(0.1, 0.9, 17):
            page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
            page.wait_for_timeout(30)
            if tooltip.count() and tooltip.first.is_visible() and tooltip.first.inner_text().strip():
                return tooltip.first.inner_text()
    return ""


def test_planner_mode_every_view_without_error_and_buildings_show_their_values(server, browser):
    watched = Watched(browser, server)
    page = watched.page
    page.get_by_text("Ce que montre la carte").first.wait_for(timeout=120_000)
    page.get_by_text("Carte interactive : survoler les bâtiments").click()
    # the hover map draws, or shows its error
    page.locator('[data-testid="stDeckGlJsonChart"], [data-testid="stAlertContentError"]').first.wait_for(
        timeout=120_000)
    watched.check("planner, map")
    page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "planner.png"), full_page=False)
    tooltip = hovered_building(page)
    assert "Bâtiment" in tooltip and "Habitants" in tooltip, f"no building shows its values on hover: {tooltip!r}"
    watched.check("planner, map after hovering")
    building = tooltip.strip().splitlines()[0]  # "Bâtiment 3"
    page.mouse.down()  # a click where the tooltip showed: what changes at this building
    page.mouse.up()
    use = tooltip.strip().splitlines()[1].split(" : ")[1]  # "Usage : école"
    page.get_by_text(f"{building} — {use}", exact=True).wait_for(timeout=30_000)  # its before/after, under the map
    watched.check("planner, a building clicked")
    code = page.get_by_label("Code de l'animateur (charger un site, lancer un calcul)")
    code.fill(FACILITATOR)
    code.press("Enter")
    page.get_by_text("Lancer un calcul", exact=True).wait_for(timeout=60_000)
    for view, sign in (("Vue 3D", None), ("Comparer", "Tableau de bord de la valeur publique"),
                       ("Lancer un calcul", None), ("Télécharger", None)):
        watched.view(view)
        if sign:
            page.get_by_text(sign).first.wait_for(timeout=120_000)
        watched.check(f"planner, {view}")
    page.close()


def first_screen_layout(page) -> dict:
    """Where the scenario buttons and the map sit, and any button whose title does not fit."""
    return page.evaluate("""() => {
        const buttons = [...document.querySelectorAll('[class*="st-key-pick_"] button')];
        const image = document.querySelector('[data-testid="stImage"] img');
        const box = image ? image.getBoundingClientRect() : null;
        return {
            buttons_bottom: Math.max(...buttons.map(b => b.getBoundingClientRect().bottom)),
            cut: buttons.filter(b => b.scrollWidth > b.clientWidth + 1 || b.scrollHeight > b.clientHeight + 1)
                        .map(b => b.innerText),
            map_top: box ? box.top : null, map_width: box ? box.width : null,
            toolbar: !!document.querySelector('[data-testid="stToolbar"]')
                     && getComputedStyle(document.querySelector('[data-testid="stToolbar"]')).display !== 'none',
            viewport: [window.innerWidth, window.innerHeight],
        };
    }""")


@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_workshop_fits_a_projector_screen(server, browser, width, height):
    watched = Watched(browser, f"{server}/?atelier=1", width=width, height=height)
    page = watched.page
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=120_000)
    page.get_by_role("button", name="Arbres").click()
    page.wait_for_timeout(1500)
    watched.check(f"workshop at {width}×{height}")
    layout = first_screen_layout(page)
    assert layout["buttons_bottom"] > 0, "no scenario button found"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"workshop-{width}x{height}.png"))
    assert not layout["cut"], f"scenario titles cut: {layout['cut']}"
    assert layout["buttons_bottom"] < height, layout
    # the map starts on the first screen, with room to see it
    assert layout["map_top"] is not None and layout["map_top"] < height - 250, layout
    assert not layout["toolbar"], "Streamlit's toolbar (Deploy, menu) is shown to the room"
    if width >= 1920:
        # map type is 16 pt at 110 dpi in a 1100-pixel-wide image: 20 px or more once shown this wide
        assert layout["map_width"] >= 900, layout
    page.close()


@pytest.fixture(scope="module")
def cold_server(tmp_path_factory):
    """The small site with nothing computed yet."""
    from conftest import CityFiles
    from test_runner import write_scenarios

    folder = tmp_path_factory.mktemp("cold")
    site = CityFiles(folder).write()
    write_scenarios(folder / "scenarios")
    env = {"JUMEAU_SITE": str(site), "JUMEAU_SCENARIOS": str(folder / "scenarios"),
           "JUMEAU_RUNS": str((folder / "runs").resolve())}
    with serve(env, cwd=folder) as url:
        yield url, folder / "runs"


def test_a_cold_start_shows_the_district_at_once_then_each_scenario_computed_once(cold_server, browser):
    url, runs = cold_server
    started = time.monotonic()
    tabs = [Watched(browser, f"{url}/?atelier=1", width=1280, height=720) for _ in range(2)]  # projector, laptop
    for tab in tabs:
        tab.page.get_by_text("Les résultats de la situation actuelle arrivent").first.wait_for(timeout=60_000)
        tab.page.locator('[data-testid="stImage"] img').first.wait_for(timeout=60_000)
    waiting_page = time.monotonic() - started
    tabs[0].check("cold start, waiting page")
    tabs[0].page.screenshot(path=str(ARTIFACTS / "cold-start.png"))
    for tab in tabs:
        tab.page.get_by_text("Combien d'habitants ont les pieds dans l'eau").first.wait_for(timeout=300_000)
    for tab in tabs:  # every scenario's button ends up enabled in both tabs
        tab.page.get_by_role("button", name="Arbres").and_(tab.page.locator("button:enabled")).wait_for(
            timeout=300_000)
        tab.check("cold start, every scenario ready")
    assert waiting_page < 30, f"the first page took {waiting_page:.0f} s"
    # computed once: every run folder was written by one computation (a second would have found it claimed
    # and cached, and the folder's write time would follow the other's)
    folders = sorted(p.name for p in runs.glob("*/*") if p.is_dir() and not p.name.startswith("."))
    assert folders == ["baseline", "depave", "trees"], folders
    # and each distinct flood once: the trees have the baseline's
    assert len(list(runs.glob("*/.floods/*.nc"))) == 2
    for tab in tabs:
        tab.page.close()
