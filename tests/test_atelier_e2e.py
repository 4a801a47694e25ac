"""A workshop end to end in Debian's headless Chromium: ten phones join, rate, pin and comment while the
shared screen shows the room's verdict; every page fails on any error a person would see, and text
typed by a participant is shown as text, never run."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_app_atelier import HOSTILE_SITE, HOSTILE_TITLE, workspace  # noqa: F401  (a small computed site)
from test_app_e2e import ARTIFACTS, CHROMIUM, Watched, browser  # noqa: F401

from viewer.launch import serve

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
PHONES = 10
INJECTED = "<img src=x onerror=\"window.__pwned=1\">Trop de béton"
PHONE = {"width": 390, "height": 844}  # a common phone, held upright


@pytest.fixture(scope="module")
def workshop_server(workspace, tmp_path_factory):  # noqa: F811
    from jumeau.atelier.store import Store

    site, scenarios, runs = workspace
    database = tmp_path_factory.mktemp("db") / "atelier.sqlite"
    made = Store(database).create_workshop("Atelier du marché", ["baseline", "trees", "hostile"],
                                                     place="Salle des fêtes")
    env = {"JUMEAU_SITE": str(site), "JUMEAU_SCENARIOS": str(scenarios), "JUMEAU_RUNS": str(runs),
           "JUMEAU_DB": str(database), "JUMEAU_FACILITATOR_CODE": "1357",
           "JUMEAU_PUBLIC_URL": "http://192.168.1.20:8501"}
    with serve(env, cwd=runs.parent) as url:
        yield url, made.code, Store(database), site


def metric(page, label: str) -> str:
    found = page.locator('[data-testid="stMetric"]', has_text=label).locator('[data-testid="stMetricValue"]')
    return found.first.inner_text() if found.count() else ""


def join_and_rate(browser, url: str, code: str) -> list[Watched]:  # noqa: F811
    """The phones join and rate "Arbres" (half 5, half 2), one step for all of them at a time, as in a room."""
    phones = [Watched(browser, f"{url}/?rejoindre={code}", **PHONE, is_mobile=True, has_touch=True)
              for _ in range(PHONES)]
    for phone in phones:
        phone.page.get_by_role("button", name="Participer").click()
    for number, phone in enumerate(phones):
        phone.page.get_by_text("Vous participez").wait_for(timeout=60_000)
        rating = phone.page.get_by_role("radiogroup", name="Ma note").nth(1)  # the second project: Arbres
        rating.get_by_role("radio", name="5 ☺" if number % 2 else "2", exact=True).click()
    for number, phone in enumerate(phones):  # each phone shows what the server stored
        phone.page.get_by_text(f"Votre note, enregistrée : {5 if number % 2 else 2} sur 5").wait_for(timeout=60_000)
    return phones


def tap(page, box: dict, fx: float, fy: float, shown) -> None:
    """Tap the phone's map at (fx, fy) of its frame until ``shown`` appears: deck.gl answers taps once its
    layers are drawn."""
    for attempt in range(10):
        page.mouse.click(box["x"] + box["width"] * (fx + 0.01 * attempt), box["y"] + box["height"] * fy)
        if shown.count():
            return
        page.wait_for_timeout(1000)
    shown.wait_for(timeout=10_000)


def test_ten_phones_and_the_shared_screen(workshop_server, browser):  # noqa: F811
    import jumeau

    url, code, store, site_file = workshop_server
    screen = Watched(browser, f"{url}/?atelier={code}", width=1920, height=1080)
    screen.view("Avis de la salle")
    screen.page.get_by_text(f"Code : {code}").wait_for(timeout=60_000)
    screen.page.locator('[data-testid="stImage"] img[src^="data:image/svg+xml"]').wait_for()  # the QR code
    screen.page.get_by_text(f"http://192.168.1.20:8501/?rejoindre={code}").wait_for()
    screen.check("shared screen, before anyone joined")

    started = time.monotonic()
    phones = join_and_rate(browser, url, code)
    print(f"{PHONES} phones joined and rated in {time.monotonic() - started:.1f} s")

    # a pin dropped by tapping the map, the way a phone does it
    first = phones[0].page
    first.get_by_role("radio", name="Trop chaud ici").click()
    chart = first.locator('[data-testid="stDeckGlJsonChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    tap(first, box, 0.45, 0.5, first.get_by_text("Endroit choisi"))
    first.get_by_label("Un mot (facultatif)").first.fill(INJECTED)
    first.get_by_role("button", name="Déposer l'épingle").click()
    first.get_by_text("Épingle déposée").first.wait_for(timeout=30_000)
    # one from the list of named places
    second = phones[1].page
    second.get_by_role("radio", name="L'eau s'accumule").click()
    places = second.locator('[data-testid="stSelectbox"]', has_text="un lieu de la liste").locator("input")
    places.click()
    places.press_sequentially("Jules")  # a phone's keyboard filters the list
    second.keyboard.press("Enter")
    second.get_by_role("button", name="Déposer l'épingle").and_(second.locator(":enabled")).wait_for()
    second.get_by_role("button", name="Déposer l'épingle").click()
    second.get_by_text("Épingle déposée").first.wait_for(timeout=30_000)
    # a route: two squares tapped in turn
    third = phones[2].page
    third.get_by_role("radio", name="L'eau s'accumule").click()
    third.get_by_role("radio", name="Un trajet").click()
    route = third.locator('[data-testid="stDeckGlJsonChart"]').first
    route.scroll_into_view_if_needed()
    route.locator("canvas").first.wait_for()
    box = route.bounding_box()
    assert box is not None
    tap(third, box, 0.3, 0.5, third.get_by_text("1 point(s) touché(s)"))
    tap(third, box, 0.7, 0.5, third.get_by_text("2 point(s) touché(s)"))
    # Streamlit shows a run's elements as they come: the count above can be new while the button below is
    # still the last run's, disabled until a route has two points (a click on it did nothing under load)
    third.get_by_role("button", name="Déposer l'épingle").and_(third.locator(":enabled")).wait_for()
    third.get_by_role("button", name="Déposer l'épingle").click()
    third.get_by_text("Épingle déposée").first.wait_for(timeout=30_000)
    last = time.monotonic()

    # the shared screen catches up by itself, without a reload
    deadline = last + 5.0
    while time.monotonic() < deadline and (metric(screen.page, "Participants"), metric(screen.page, "Épingles")) \
            != (str(PHONES), "3"):
        screen.page.wait_for_timeout(200)
    assert (metric(screen.page, "Participants"), metric(screen.page, "Notes données"),
            metric(screen.page, "Épingles")) == (str(PHONES), str(PHONES), "3"), "the shared screen lagged over 5 s"
    workshop = store.workshop(code)
    tally = store.tally(workshop.id)
    assert tally.participants == PHONES and tally.ratings["trees"].count == PHONES
    assert tally.ratings["trees"].scores[5] == PHONES // 2 and tally.ratings["trees"].scores[2] == PHONES // 2
    pins = sorted(tally.pins, key=lambda p: (p["category"], p["shape"] or ""))
    assert [p["category"] for p in pins] == ["eau", "eau", "trop_chaud"] and pins[2]["comment"] == INJECTED
    assert pins[0]["shape"] is None and pins[1]["shape"].startswith("LINESTRING")  # the place listed; the route
    xmin, ymin, xmax, ymax = jumeau.load_site(site_file).grid.rio.bounds()
    assert xmin <= pins[2]["x"] <= xmax and ymin <= pins[2]["y"] <= ymax  # the tapped square is on the district

    # what a participant typed is text on every page: on another phone, under "what others say"
    third.reload(wait_until="networkidle")
    third.get_by_text("Ce que disent les autres").click()
    third.get_by_text(INJECTED).wait_for(timeout=30_000)
    third.get_by_text(HOSTILE_TITLE).first.wait_for()  # a scenario title from a file, on the phone
    places = third.locator('[data-testid="stSelectbox"]', has_text="un lieu de la liste").locator("input")
    places.click()
    places.press_sequentially("Lutins")
    third.get_by_text(HOSTILE_SITE).first.wait_for()  # a site name from the city's file, in the list
    third.keyboard.press("Escape")
    screen.page.get_by_text(HOSTILE_TITLE).first.wait_for()  # and on the shared screen's tables
    for watched in (screen, *phones[:3]):
        assert watched.page.evaluate("window.__pwned") is None
    ARTIFACTS.mkdir(exist_ok=True)
    screen.page.screenshot(path=str(ARTIFACTS / "atelier-screen.png"), full_page=True)
    first.screenshot(path=str(ARTIFACTS / "atelier-phone.png"), full_page=True)
    for number, phone in enumerate(phones):
        phone.check(f"phone {number}")
        phone.page.close()
    screen.check("shared screen, after the workshop")
    screen.page.close()

