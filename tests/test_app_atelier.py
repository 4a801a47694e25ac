"""A workshop in the viewer, through streamlit.testing (no browser): the participant's phone page, the
shared screen's live verdict, and the facilitator's desk (create, moderate, export)."""

from __future__ import annotations

import io
import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import Point
from test_app import FACILITATOR, server

from jumeau.atelier.store import Store

SCRIPT = "<script>alert('x')</script>"
# what a city file or a scenario file could hold: HTML that runs if a page ever inserts it as HTML
HOSTILE_SITE = '<img src=x onerror="window.__pwned=2">Crèche Les Lutins'
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=3">Arbres et bancs'


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A small site with named places (a school, a crèche) and its scenarios computed."""
    from conftest import CRS, X0, Y0, CityFiles
    from test_runner import write_scenarios

    from jumeau import load_site
    from jumeau.study.runner import run
    from viewer.data import site_results

    folder = tmp_path_factory.mktemp("atelier")
    city = CityFiles(folder)
    city.vector(gpd.GeoDataFrame({"type": ["École", "Crèche"], "nom": ["École Jules Ferry", HOSTILE_SITE]},
                                 geometry=[Point(X0 + 45, Y0 + 45), Point(X0 + 35, Y0 + 20)], crs=CRS), "sites.gpkg")
    site = city.write(sites={"path": "sites.gpkg", "type": "type", "name": "nom"})
    scenarios = write_scenarios(folder / "scenarios")
    (folder / "scenarios" / "hostile.yaml").write_text(f"id: hostile\ntitle: '{HOSTILE_TITLE}'\n", encoding="utf-8")
    scenarios = [*scenarios, folder / "scenarios" / "hostile.yaml"]
    report = run(site, scenarios, site_results((folder / "runs").resolve(), load_site(site)), workers=1)
    assert not report.failed, report.table()
    return site, folder / "scenarios", folder / "runs"


@pytest.fixture
def store(workspace, tmp_path, monkeypatch):
    """The server's workshop database (the operator's JUMEAU_DB) with one workshop."""
    database = tmp_path / "atelier.sqlite"
    monkeypatch.setenv("JUMEAU_DB", str(database))
    made = Store(database)
    made.create_workshop(f"Place du marché {SCRIPT}", ["baseline", "trees"], place="Salle des fêtes")
    return made


def phone(workspace, monkeypatch, code: str, token: str | None = None):
    test = server(workspace, monkeypatch)
    test.query_params["rejoindre"] = code
    if token:
        test.query_params["jeton"] = token
    test.run()
    assert not test.exception, test.exception
    return test


def joined(workspace, monkeypatch, store, group: str | None = "habitant"):
    code = store.workshops()[0].code
    test = phone(workspace, monkeypatch, code)
    if group:
        test.radio(key="p_group").set_value(group)
    test.button[0].click().run()  # the join form's only button
    assert not test.exception, test.exception
    return test


def test_a_phone_joins_anonymously_and_keeps_its_token_in_its_address(workspace, monkeypatch, store):
    page = phone(workspace, monkeypatch, store.workshops()[0].code.lower())  # a code typed in lower case
    assert page.title[0].value.startswith("Place du marché")
    assert "anonyme" in " ".join(m.value for m in page.markdown)
    assert "jeton" not in page.query_params
    page.radio(key="p_group").set_value("commercant")
    page.button[0].click().run()
    token = page.query_params["jeton"]
    answers = store.answers(token)
    assert answers.group == "commercant" and answers.scores == {}
    assert store.tally(answers.workshop.id).participants == 1
    again = phone(workspace, monkeypatch, answers.workshop.code, token)  # reloaded: the same participant
    assert again.segmented_control(key="p_score_trees") is not None
    assert store.tally(answers.workshop.id).participants == 1


def test_an_unknown_code_or_token_is_said_plainly(workspace, monkeypatch, store):
    page = phone(workspace, monkeypatch, "ZZZZZZ")
    assert "Aucun atelier" in page.error[0].value
    page = phone(workspace, monkeypatch, store.workshops()[0].code, token="not-a-token")
    assert "rejoignez" in page.warning[0].value and "jeton" not in page.query_params


def test_ratings_favourite_weights_pin_and_comment_reach_the_store(workspace, monkeypatch, store):
    page = joined(workspace, monkeypatch, store)
    token = page.query_params["jeton"]
    page.segmented_control(key="p_score_trees").set_value(5).run()
    page.segmented_control(key="p_score_baseline").set_value(2).run()
    page.radio(key="p_favourite").set_value("trees").run()
    page.slider(key="p_weight_environment").set_value(3.0)
    page.slider(key="p_weight_cost").set_value(0.0)
    page.button(key="FormSubmitter:weights-Enregistrer").click().run()
    page.segmented_control(key="p_category").set_value("trop_chaud")
    page.selectbox(key="p_place").set_value(page.selectbox(key="p_place").options[0])
    page.text_area(key="p_pin_comment").set_value(SCRIPT).run()  # the button waits for a category and a place
    page.button(key="p_drop").click().run()
    assert page.text_area(key="p_pin_comment").value == ""  # emptied for the next pin
    page.selectbox(key="p_comment_scenario").set_value("trees")
    page.text_area(key="p_comment_text").set_value("Plus d'ombre devant l'école, merci")
    page.button(key="FormSubmitter:comment-Envoyer").click().run()
    assert not page.exception, page.exception
    answers = store.answers(token)
    assert answers.scores == {"trees": 5, "baseline": 2} and answers.favourite == "trees"
    assert answers.weights["environment"] == 3.0 and answers.weights["cost"] == 0.0
    tally = store.tally(answers.workshop.id)
    assert [p["comment"] for p in tally.pins] == [SCRIPT]
    assert [c["text"] for c in tally.comments] == ["Plus d'ombre devant l'école, merci"]
    assert tally.ratings["trees"].favourites == 1
    # a rating changed later replaces the first, and keeps the favourite
    page.segmented_control(key="p_score_trees").set_value(4).run()
    assert store.answers(token).scores["trees"] == 4 and store.answers(token).favourite == "trees"
    assert store.tally(answers.workshop.id).ratings["trees"].count == 1


def test_others_contributions_can_be_reported_and_are_shown_as_text(workspace, monkeypatch, store):
    author = joined(workspace, monkeypatch, store)
    author.selectbox(key="p_comment_scenario").set_value("trees")
    author.text_area(key="p_comment_text").set_value(SCRIPT)
    author.button(key="FormSubmitter:comment-Envoyer").click().run()
    code = store.workshops()[0].code
    reader = joined(workspace, monkeypatch, store, group=None)
    shown = [t.value for t in reader.text]
    assert any(SCRIPT in value for value in shown)  # st.text: shown as typed, never as HTML
    assert not [m for m in reader.markdown if SCRIPT in m.value]
    report = next(b for b in reader.button if b.key and b.key.startswith("p_report_"))
    report.click().run()
    assert not reader.exception
    found = store.contributions(store.workshop(code).id)["comments"]
    assert found[0]["reports"] == 1


def test_the_shared_screen_shows_the_join_code_and_the_room_s_verdict(workspace, monkeypatch, store):
    workshop = store.workshops()[0]
    for score, group in ((5, "habitant"), (4, "elu"), (2, None)):
        token = store.join(workshop.code, group=group)
        store.rate(token, "trees", score, favourite=score == 5)
        store.set_weights(token, {"cost": 3.0, "environment": 0.0})
    store.add_pin(token, "eau", 0.0, 0.0, comment="ici")
    screen = server(workspace, monkeypatch)
    screen.query_params["atelier"] = workshop.code
    screen.run()
    assert not screen.exception, screen.exception
    screen.radio(key="view").set_value("tab_room").run()
    assert not screen.exception, screen.exception
    figures = {m.label: m.value for m in screen.metric}
    assert figures["Participants"] == "3" and figures["Notes données"] == "3" and figures["Épingles"] == "1"
    assert workshop.code in " ".join(m.value for m in screen.markdown)
    tables = [t.value for t in screen.table]
    ratings = next(t for t in tables if "Moyenne (1 à 5)" in t.columns)
    assert ratings.loc["Arbres", "Moyenne (1 à 5)"] == "3,7"
    ranking = next(t for t in tables if "Technique" in t.columns)
    assert {"Salle", "Élus", "Habitants", "Valeur créée", "Valeur détruite"} <= set(ranking.columns)
    assert ranking.loc["Actuel", "Valeur créée"] == "0,00"  # the baseline against itself
    # the screen is a workshop screen: leaving it needs the facilitator's code
    assert screen.session_state["workshop_on"]


def test_the_facilitator_creates_moderates_and_exports(workspace, monkeypatch, store):
    desk = server(workspace, monkeypatch)
    desk.run()
    assert "tab_atelier" not in desk.radio(key="view").options  # not without the facilitator's code
    desk.sidebar.text_input(key="tools_entry").set_value(FACILITATOR).run()
    desk.radio(key="view").set_value("tab_atelier").run()
    assert not desk.exception, desk.exception
    desk.text_input(key="f_title").set_value("Atelier du 3 décembre")
    desk.button(key="FormSubmitter:f_new_form-Créer").click().run()
    assert not desk.exception, desk.exception
    made = next(w for w in store.workshops() if w.title == "Atelier du 3 décembre")
    assert "baseline" in made.scenarios and len(made.scenarios) > 1  # every computed scenario by default
    token = store.join(made.code)
    pin = store.add_pin(token, "idee", 1.0, 2.0, comment="Un banc ici")
    desk.selectbox(key="f_workshop").set_value(made).run()
    desk.button(key=f"f_mod_{pin}").click().run()
    assert not desk.exception, desk.exception
    assert store.tally(made.id).pins == []  # hidden
    desk.button(key=f"f_mod_{pin}").click().run()
    assert len(store.tally(made.id).pins) == 1  # restored
    download = desk.get("download_button")[0]
    assert download.proto.label == "Compte rendu et contributions (ZIP)"


def test_the_export_zip_holds_the_compte_rendu(workspace, store):
    from viewer.facilitation import export_archive

    _, _, runs = workspace
    workshop = store.workshops()[0]
    store.rate(store.join(workshop.code), "trees", 4)
    packed = zipfile.ZipFile(io.BytesIO(export_archive(store, workshop, None, "fr")))
    assert {"compte_rendu.html", "pins.gpkg", "ratings.csv"} <= set(packed.namelist())
    assert "&lt;script&gt;" in packed.read("compte_rendu.html").decode()


def test_a_phone_shows_only_the_questions_asked(workspace, monkeypatch, store):
    short = store.create_workshop("Atelier épingles", ["baseline", "trees"], questions=["pins"])
    page = phone(workspace, monkeypatch, short.code)
    page.button[0].click().run()
    headers = [h.value for h in page.header]
    assert headers == ["1. Un lieu à signaler"]
    assert not [c for c in page.get("button_group") if c.key and c.key.startswith("p_score_")]


def test_the_report_threshold_is_the_operator_s_and_a_bad_one_is_said_plainly(workspace, monkeypatch, store):
    code = store.workshops()[0].code
    author = store.join(code)
    pin = store.add_pin(author, "idee", 0.0, 0.0, comment="Un banc")
    monkeypatch.setenv("JUMEAU_REPORT_THRESHOLD", "1")
    reader = joined(workspace, monkeypatch, store, group=None)
    reader.button(key=f"p_report_{pin}").click().run()
    assert store.tally(store.workshop(code).id).pins == []  # one report hides it, as the operator set
    monkeypatch.setenv("JUMEAU_REPORT_THRESHOLD", "beaucoup")
    page = phone(workspace, monkeypatch, code)
    assert "JUMEAU_REPORT_THRESHOLD='beaucoup'" in page.error[0].value


def test_a_pin_may_mark_an_area_tapped_point_by_point(workspace, monkeypatch, store):
    from conftest import X0, Y0

    page = joined(workspace, monkeypatch, store)
    token = page.query_params["jeton"]
    page.segmented_control(key="p_category").set_value("ombre")
    page.segmented_control(key="p_shape").set_value("area").run()
    assert page.button(key="p_drop").disabled  # no point tapped yet
    page.session_state["p_taps"] = [(X0 + 10, Y0 + 10), (X0 + 50, Y0 + 10), (X0 + 50, Y0 + 40)]  # three taps
    page.run()
    assert "3 point(s) touché(s)" in " ".join(c.value for c in page.caption)
    page.button(key="p_drop").click().run()
    assert not page.exception, page.exception
    pins = store.tally(store.answers(token).workshop.id).pins
    assert len(pins) == 1 and pins[0]["shape"].startswith("POLYGON")
    assert (pins[0]["x"], pins[0]["y"]) == pytest.approx((X0 + 110 / 3, Y0 + 20))  # its pin at the middle
    assert page.session_state["p_taps"] == []  # the next pin starts afresh
