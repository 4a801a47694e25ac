"""Workshop benchmark: what a phone waits for when it submits, and what the shared screen's refresh costs.

Run from the repository root with the project's Python::

    .venv/bin/python benchmarks/bench_atelier.py                 # 100 participants, SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_atelier.py --participants 20 --rounds 5   # a quick look

Rows:

* **store, 100 participants at once**: each participant is a thread that joins, rates every
  scenario, sets weights, drops two pins and comments (what a phone sends over a workshop), all
  threads started together; every call is timed. SQLite (the default file, WAL) and, side by
  side in the same run, a real PostgreSQL server started from Debian's package when installed.
* **shared screen refresh**: ``Store.tally`` on the workshop those participants filled, then the
  verdict (rankings by the room's and each group's weights) when ``--runs`` names a results folder.
* **phone page, one rating**: the participant page's whole script run (Streamlit's AppTest, on the
  demo district) when a rating is tapped: the server's share of what the phone waits for.

Medians and 95th percentiles; the table is written to ``benchmarks/results/atelier.json``.

``--screenshots`` also takes the guide's pictures (``docs/screenshots/atelier-*.png``): a workshop
on the demo district, filled by a simulated room, on the shared screen at 1920×1080 and on a phone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway PostgreSQL server of the store's tests
sys.path.insert(0, str(ROOT))  # the viewer package sits beside app.py

from postgres_server import binaries, postgres_server  # noqa: E402

from jumeau.atelier.store import Store  # noqa: E402

SCENARIOS = ["baseline", "rues_arborees", "parc_inondable", "plan_combine"]
RESULTS = ROOT / "benchmarks" / "results"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def participate(store: Store, code: str, number: int, start: threading.Barrier, times: dict[str, list[float]],
                lock: threading.Lock) -> None:
    """One phone's whole workshop, each call timed."""
    mine: dict[str, list[float]] = defaultdict(list)

    def timed(kind: str, call, *args, **kwargs):
        began = time.perf_counter()
        value = call(*args, **kwargs)
        mine[kind].append(time.perf_counter() - began)
        return value

    start.wait()
    token = timed("join", store.join, code, group=["habitant", "commercant", "association", None][number % 4])
    for scenario in SCENARIOS:
        timed("rate", store.rate, token, scenario, 1 + (number + len(scenario)) % 5, favourite=scenario == "plan_combine")
    timed("weights", store.set_weights, token, {"health": 1.0 + number % 3, "cost": 0.5 * (number % 4)})
    for pin in range(2):
        timed("pin", store.add_pin, token, "trop_chaud", 431_000.0 + number, 6_712_500.0 + pin, comment="Trop chaud")
    timed("comment", store.add_comment, token, "plan_combine", f"Avis numéro {number}")
    with lock:
        for kind, values in mine.items():
            times[kind].extend(values)


def store_round(url: str, participants: int) -> tuple[dict[str, list[float]], float, Store, str]:
    store = Store(url)
    workshop = store.create_workshop("Banc d'essai", SCENARIOS)
    times: dict[str, list[float]] = defaultdict(list)
    lock, start = threading.Lock(), threading.Barrier(participants)
    threads = [threading.Thread(target=participate, args=(store, workshop.code, n, start, times, lock))
               for n in range(participants)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    tally = store.tally(workshop.id)
    assert tally.participants == participants and len(tally.pins) == 2 * participants, "a contribution was lost"
    assert all(r.count == participants for r in tally.ratings.values()), "a rating was lost or counted twice"
    return times, wall, store, workshop.id


def refresh(store: Store, workshop_id: str, rounds: int, runs: Path | None) -> dict[str, float]:
    found = {}
    tallies = []
    for _ in range(rounds):
        began = time.perf_counter()
        tally = store.tally(workshop_id)
        tallies.append(time.perf_counter() - began)
    found["tally_median_s"] = statistics.median(tallies)
    if runs is not None:
        from jumeau.atelier.verdict import verdict

        verdicts = []
        for _ in range(rounds):
            began = time.perf_counter()
            verdict(tally, runs)
            verdicts.append(time.perf_counter() - began)
        found["verdict_median_s"] = statistics.median(verdicts)
    return found


def phone_page(rounds: int) -> dict[str, float]:
    """The participant page's script run when a rating is tapped, on the demo district."""
    from streamlit.testing.v1 import AppTest

    folder = Path(tempfile.mkdtemp(prefix="jumeau-bench-atelier-"))
    database = folder / "atelier.sqlite"
    code = Store(database).create_workshop("Banc d'essai", ["baseline", "rues_arborees"]).code
    os.environ.update(JUMEAU_DB=str(database), JUMEAU_RUNS=str(folder / "runs"),
                      JUMEAU_SITE=str(ROOT / "data" / "demo" / "site.yaml"),
                      JUMEAU_SCENARIOS=str(ROOT / "scenarios"))
    page = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    page.query_params["rejoindre"] = code
    page.run()
    page.button[0].click().run()  # join
    runs = []
    for number in range(rounds):
        control = page.segmented_control(key="p_score_rues_arborees")
        began = time.perf_counter()
        control.set_value(1 + number % 5).run()
        runs.append(time.perf_counter() - began)
        assert not page.exception, page.exception
    return {"median_s": statistics.median(runs), "p95_s": percentile(runs, 0.95)}


ROOM_SAYS = {  # what a simulated room says, for the guide's screenshots
    "trop_chaud": ["Pas un arbre sur ce parking", "La cour de l'école est un four", "Arrêt de bus en plein soleil"],
    "eau": ["Ça déborde à chaque orage", "Le passage souterrain est inondé", "Flaque devant l'EHPAD"],
    "ombre": ["Des bancs à l'ombre pour les anciens", "Ombrager la place du marché"],
    "idee": ["Une fontaine ici ?", "Dépaver le parvis"],
}


def screenshots() -> None:
    """The guide's pictures: the demo's results (bench_app's cache), a workshop a simulated room filled."""
    import random

    from bench_app import BROWSER_ARGS, CHROMIUM, RUNS, SCREENSHOTS, warm_cache
    from playwright.sync_api import sync_playwright

    import jumeau
    from viewer.launch import serve

    warm_cache()
    site = jumeau.load_site(ROOT / "data" / "demo" / "site.yaml")
    database = Path(tempfile.mkdtemp(prefix="jumeau-guide-")) / "atelier.sqlite"
    store = Store(database)
    workshop = store.create_workshop("Atelier du quartier, 3 décembre", ["baseline", "rues_arborees",
                                     "parc_inondable", "plan_combine"], place="Salle des fêtes")
    chance = random.Random(3)
    xmin, ymin, xmax, ymax = site.grid.rio.bounds()
    for number in range(24):
        token = store.join(workshop.code, group=chance.choice(["habitant"] * 3 + ["commercant", "association", "elu"]))
        for scenario, liking in (("baseline", 2), ("rues_arborees", 4), ("parc_inondable", 3), ("plan_combine", 4)):
            store.rate(token, scenario, max(1, min(5, liking + chance.choice([-1, 0, 0, 1]))),
                       favourite=scenario == chance.choice(["rues_arborees", "plan_combine", "plan_combine"]))
        store.set_weights(token, {d: chance.choice([0.5, 1.0, 2.0, 3.0]) for d in ("health", "environment", "cost",
                                                                                      "fairness")})
        if number % 2 == 0:
            category = chance.choice(list(ROOM_SAYS))
            store.add_pin(token, category, chance.uniform(xmin + 100, xmax - 100), chance.uniform(ymin + 100, ymax - 100),
                          comment=chance.choice(ROOM_SAYS[category]))
        if number % 5 == 0:
            said = ["Enfin des arbres dans nos rues !", "Et le stationnement des riverains ?",
                    "Le parc inondable, c'est rassurant", "Qui entretiendra les toitures ?", "À faire vite"]
            store.add_comment(token, "plan_combine", said[number // 5])
    env = {"JUMEAU_RUNS": str(RUNS), "JUMEAU_DB": str(database), "JUMEAU_PUBLIC_URL": "http://192.168.1.20:8501"}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serve(env, cwd=ROOT) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS)
        screen = browser.new_page(viewport={"width": 1920, "height": 1080})
        screen.goto(f"{url}/?atelier={workshop.code}", wait_until="networkidle")
        screen.get_by_text("Avis de la salle", exact=True).click(timeout=600_000)
        screen.locator('[data-testid="stImage"] img').nth(1).wait_for(timeout=120_000)  # the QR code, then the pins
        screen.wait_for_timeout(2000)
        screen.screenshot(path=str(SCREENSHOTS / "atelier-screen.png"))
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                 device_scale_factor=2)
        phone.goto(f"{url}/?rejoindre={workshop.code}", wait_until="networkidle")
        phone.get_by_role("button", name="Participer").click()
        phone.get_by_text("Vous participez").wait_for(timeout=120_000)
        rating = phone.get_by_role("radiogroup", name="Ma note").nth(1)
        rating.get_by_role("radio", name="4", exact=True).click()
        phone.get_by_text("Votre note, enregistrée : 4 sur 5").wait_for(timeout=60_000)
        phone.get_by_text("Votre note, enregistrée").scroll_into_view_if_needed()
        phone.wait_for_timeout(5000)  # the "saved" toast gone
        phone.screenshot(path=str(SCREENSHOTS / "atelier-phone.png"))
        browser.close()
    print(f"screenshots in {SCREENSHOTS}: atelier-screen.png, atelier-phone.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20, help="repetitions of the refresh and page timings")
    parser.add_argument("--runs", type=Path, help="a results folder (jumeau run) for the verdict's timing")
    parser.add_argument("--screenshots", action="store_true", help="only take the workshop guide's screenshots")
    options = parser.parse_args()
    if options.screenshots:
        screenshots()
        return

    report: dict = {"participants": options.participants, "cpus": os.cpu_count(), "stores": {}}
    backends = {"sqlite": lambda: f"sqlite:///{Path(tempfile.mkdtemp()) / 'atelier.sqlite'}"}
    if binaries() is not None:
        backends["postgresql"] = None
    print(f"{options.participants} participants at once, each: join, {len(SCENARIOS)} ratings, weights, "
          f"2 pins, 1 comment\n")
    print(f"{'store':<11} {'call':<8} {'calls':>6} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for name in backends:
        if name == "postgresql":
            with postgres_server() as url:
                times, wall, store, workshop_id = store_round(url, options.participants)
                screen = refresh(store, workshop_id, options.rounds, options.runs)
                store.engine.dispose()
        else:
            times, wall, store, workshop_id = store_round(backends[name](), options.participants)
            screen = refresh(store, workshop_id, options.rounds, options.runs)
        every = [t for values in times.values() for t in values]
        rows = {kind: {"calls": len(v), "median_ms": 1e3 * statistics.median(v), "p95_ms": 1e3 * percentile(v, 0.95),
                       "max_ms": 1e3 * max(v)} for kind, v in [*times.items(), ("all", every)]}
        for kind, row in rows.items():
            print(f"{name:<11} {kind:<8} {row['calls']:>6} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f} "
                  f"{row['max_ms']:>8.1f}")
        print(f"{name:<11} {'wall':<8} {len(every):>6} calls in {wall:.2f} s ({len(every) / wall:.0f} calls/s); "
              f"shared screen: tally {1e3 * screen['tally_median_s']:.1f} ms"
              + (f", verdict {1e3 * screen['verdict_median_s']:.1f} ms" if "verdict_median_s" in screen else ""))
        report["stores"][name] = {"calls": rows, "wall_s": wall, "screen": screen}
    page = phone_page(options.rounds)
    print(f"\nphone page, one rating tapped (script run, demo district): median {1e3 * page['median_s']:.0f} ms, "
          f"p95 {1e3 * page['p95_s']:.0f} ms")
    report["phone_page"] = page
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "atelier.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
