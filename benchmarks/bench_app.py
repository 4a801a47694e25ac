"""Viewer benchmark: the Streamlit app on the demo district, timed in a real headless Chromium.

Run from the repository root with the project's Python (``pip install -e '.[dev]'`` and
Debian's ``chromium``)::

    .venv/bin/python benchmarks/bench_app.py                  # warm figures
    .venv/bin/python benchmarks/bench_app.py --cold           # first a cold start (about 15 min here)
    .venv/bin/python benchmarks/bench_app.py --screenshots    # also docs/screenshots/demo-*.png

With ``--cold``, the demo's results folder ``benchmarks/results/app-runs`` is emptied and
a fresh server is opened in **two workshop tabs at once** (a projector and a facilitator's
laptop, at 1280×720), numba's compile cache being warm (any earlier run of the models):

* **cold: first useful page**: from starting the server to both tabs showing the district
  and the flood screening (target ≤ 60 s);
* **cold: baseline shown**: to both tabs showing the baseline's figures;
* **cold: every scenario ready**: to both tabs with every scenario's button enabled
  (target ≤ 3 min); the server computes each scenario once for both tabs (the run folders'
  provenance is checked: one computation each).

Without it, the demo scenarios are computed once into that folder if needed (the warm
cache). Then, ``ROUNDS`` times, a fresh ``python -m viewer`` server process is started and
a new browser page opened on it:

* **first complete page, warm cache**: from starting the server process to the page
  showing the headline indicators and the map with the app idle — what a user waits
  for after typing the README's command once results exist (target ≤ 10 s);
* **page on a running server**: the same from a new browser tab on that server;
* **scenario switch**: in workshop mode, from clicking a scenario's button to its
  indicators shown with the app idle, every demo scenario in turn (target ≤ 0.5 s);
* **3-D view**: from clicking the "Vue 3D" tab to a WebGL canvas in its frame (target
  ≤ 2 s), and the size of the scene page sent to the browser (building it is timed in
  ``bench_scene.py``).

Medians over rounds are printed and written to ``benchmarks/results/app.json``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time

from targets import DEMO_DIR, ROOT, SCENARIO_DIR, report

sys.path.insert(0, str(ROOT))  # the viewer package sits beside app.py, outside the installed jumeau
from viewer.launch import serve

RESULTS_DIR = ROOT / "benchmarks" / "results"
RUNS = RESULTS_DIR / "app-runs"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ROUNDS = 3
FIRST_PAGE_TARGET_S = 5.0
SWITCH_TARGET_S = 0.5
SCENE_TARGET_S = 2.0
COLD_FIRST_TARGET_S = 60.0
COLD_ALL_TARGET_S = 180.0
BROWSER_ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def warm_cache() -> None:
    from jumeau import load_site
    from jumeau.study.runner import run
    from viewer.data import site_results

    started = time.perf_counter()
    site = load_site(DEMO_DIR / "site.yaml")
    report = run(site, sorted(SCENARIO_DIR.glob("*.yaml")), site_results(RUNS, site), workers=2)
    if report.failed:
        raise SystemExit(report.table())
    print(f"demo results ready in {RUNS} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)


def cold_start(browser, screenshots: bool) -> list[dict]:
    """Both tabs' waits on a fresh server with nothing computed (see the module docstring)."""
    import json

    shutil.rmtree(RUNS, ignore_errors=True)
    started = time.perf_counter()
    marks: dict[str, float] = {}
    with serve({"JUMEAU_RUNS": str(RUNS)}, cwd=ROOT) as url:
        tabs = [browser.new_page(viewport={"width": 1280, "height": 720}) for _ in range(2)]
        for tab in tabs:
            tab.goto(f"{url}/?atelier=1")
        for tab in tabs:
            tab.locator('[data-testid="stImage"] img').first.wait_for(timeout=120_000)
        marks["first"] = time.perf_counter() - started
        for tab in tabs:
            tab.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=3_600_000)
        marks["baseline"] = time.perf_counter() - started
        if screenshots:
            tabs[0].screenshot(path=str(SCREENSHOTS / "demo-cold-start.png"))
        for tab in tabs:
            while tab.locator('[class*="st-key-pick_"] button:disabled').count() or \
                    tab.locator('[class*="st-key-pick_"] button').count() < 7:
                tab.wait_for_timeout(1000)
        marks["all"] = time.perf_counter() - started
        for tab in tabs:
            tab.close()
    computed = [json.loads(p.read_text(encoding="utf-8")).get("seconds") for p in RUNS.glob("*/*/provenance.json")]
    print(f"cold start: {len(computed)} scenarios computed, {sum(computed):.0f} s of computation", file=sys.stderr)
    return [
        {"stage": "cold: first useful page, two tabs at once", "seconds": marks["first"], "min": None,
         "target": COLD_FIRST_TARGET_S},
        {"stage": "cold: baseline shown in both tabs", "seconds": marks["baseline"], "min": None, "target": None},
        {"stage": "cold: every scenario ready in both tabs", "seconds": marks["all"], "min": None,
         "target": COLD_ALL_TARGET_S},
    ]


def metrics(page) -> list[str]:
    return page.locator('[data-testid="stMetricValue"]').all_inner_texts()


def wait_idle(page, timeout: float = 120.0) -> None:
    """Until Streamlit has finished the script run: no 'running' status widget, no stale elements."""
    deadline = time.monotonic() + timeout
    page.wait_for_timeout(50)  # let the click's rerun start before looking for its end
    while time.monotonic() < deadline:
        busy = page.evaluate(
            "() => !!document.querySelector('[data-testid=\"stStatusWidget\"]') ||"
            " !!document.querySelector('[data-stale=\"true\"]')")
        if not busy:
            return
        page.wait_for_timeout(20)
    raise SystemExit("the app did not become idle")


def complete_page(page, url: str) -> None:
    page.goto(url)
    page.locator('[data-testid="stMetricValue"]').nth(3).wait_for(timeout=120_000)
    page.locator('[data-testid="stImage"] img, [data-testid="stPlotlyChart"], img').first.wait_for(timeout=120_000)
    wait_idle(page)
    if page.locator('[data-testid="stException"]').count():
        raise SystemExit("the app shows an exception")


def switch_times(page, titles: list[str]) -> list[float]:
    times = []
    for title in titles:
        before = metrics(page)
        started = time.perf_counter()
        page.get_by_role("button", name=title, exact=True).click()
        deadline = time.monotonic() + 30
        while metrics(page) == before and time.monotonic() < deadline:
            page.wait_for_timeout(10)
        wait_idle(page)
        times.append(time.perf_counter() - started)
    return times


def scene_time(page) -> tuple[float, float]:
    started = time.perf_counter()
    page.get_by_text("Vue 3D", exact=True).click()
    frame = page.locator("iframe").first
    frame.wait_for(timeout=120_000)
    frame.content_frame.locator("canvas").first.wait_for(timeout=120_000)
    seconds = time.perf_counter() - started
    size = frame.evaluate("f => (f.srcdoc || '').length")
    return seconds, size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshots", action="store_true", help="save planner and workshop screenshots of the demo")
    parser.add_argument("--cold", action="store_true", help="first time a cold start in two tabs (empties the cache)")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from jumeau.plan.scenario import load_scenario

    cold_rows = []
    if options.cold:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
            cold_rows = cold_start(browser, options.screenshots)
            browser.close()
    warm_cache()
    scenarios = [load_scenario(path) for path in sorted(SCENARIO_DIR.glob("*.yaml"))]
    titles = [scenario.title for scenario in scenarios]
    shown_in_workshop = next(s.title for s in scenarios if s.id == "plan_combine")
    first, again, switches, scenes, sizes = [], [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        for round_number in range(ROUNDS):
            started = time.perf_counter()
            with serve({"JUMEAU_RUNS": str(RUNS)}, cwd=ROOT) as url:
                page = browser.new_page(viewport={"width": 1600, "height": 1000})
                complete_page(page, url)
                first.append(time.perf_counter() - started)
                if options.screenshots and round_number == 0:
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SCREENSHOTS / "demo-planner.png"))
                page.close()
                page = browser.new_page(viewport={"width": 1920, "height": 1080})  # a projector
                started = time.perf_counter()
                complete_page(page, f"{url}/?atelier=1")
                again.append(time.perf_counter() - started)
                switches.extend(switch_times(page, titles[1:] + titles[:1]))
                if options.screenshots and round_number == 0:
                    page.get_by_role("button", name=shown_in_workshop, exact=True).click()
                    wait_idle(page)
                    page.screenshot(path=str(SCREENSHOTS / "demo-workshop.png"))
                    page.set_viewport_size({"width": 1280, "height": 720})
                    page.wait_for_timeout(1500)
                    page.screenshot(path=str(SCREENSHOTS / "demo-workshop-1280.png"))
                    page.set_viewport_size({"width": 1920, "height": 1080})
                seconds, megabytes = scene_time(page)
                scenes.append(seconds)
                sizes.append(megabytes)
                if options.screenshots and round_number == 0:
                    page.wait_for_timeout(3000)  # vtk.js draws its first frame after the canvas appears
                    page.locator("iframe").first.screenshot(path=str(SCREENSHOTS / "demo-3d.png"))
                page.close()
        browser.close()
    rows = [
        *cold_rows,
        {"stage": "first complete page, fresh server, warm cache", "seconds": statistics.median(first),
         "min": min(first), "target": FIRST_PAGE_TARGET_S},
        {"stage": "complete page, new tab on a running server (workshop)", "seconds": statistics.median(again),
         "min": min(again), "target": None},
        {"stage": f"scenario switch (median of {len(switches)})", "seconds": statistics.median(switches),
         "min": min(switches), "target": SWITCH_TARGET_S},
        {"stage": "scenario switch, slowest", "seconds": max(switches), "min": None, "target": None},
        {"stage": "3-D tab click to WebGL canvas", "seconds": statistics.median(scenes), "min": min(scenes),
         "target": SCENE_TARGET_S},
        {"stage": f"3-D scene page size: {statistics.median(sizes):.1f} MB", "seconds": None, "min": None,
         "target": None},
    ]
    sys.exit(0 if report(rows, RESULTS_DIR / "app.json") else 1)


if __name__ == "__main__":
    main()
