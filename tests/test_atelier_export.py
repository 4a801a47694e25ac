"""A workshop's exports: read back by geopandas and pandas, every contribution flagged, nothing personal."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from typer.testing import CliRunner

from jumeau.atelier.export import FILES, export_workshop
from jumeau.atelier.store import Store
from jumeau.cli import app
from jumeau.errors import InputError


@pytest.fixture
def session(tmp_path):
    """Three residents and an elected official: ratings, weights, pins and comments, one of them hidden."""
    store = Store(tmp_path / "atelier.sqlite")
    workshop = store.create_workshop("Atelier du 12 mars", ["baseline", "trees", "depave"])
    residents = [store.join(workshop.code, group="habitant", area="Nord") for _ in range(3)]
    official = store.join(workshop.code, group="elu")
    for token, score in zip(residents, (5, 4, 2), strict=True):
        store.rate(token, "trees", score, favourite=score == 5)
        store.set_weights(token, {"health": 3.0})
    store.rate(official, "trees", 1)
    store.set_weights(official, {"health": 1.0, "cost": 3.0})
    pin = store.add_pin(residents[0], "trop_chaud", 430700.5, 6712400.25, comment="La cour « brûle », l'été")
    store.add_pin(official, "idee", 430710.0, 6712410.0)
    store.add_pin(official, "ombre", 430705.0, 6712405.0, area=True,
                  line=[(430700.0, 6712400.0), (430710.0, 6712400.0), (430710.0, 6712410.0)])
    spam = store.add_comment(residents[1], "trees", "<script>alert(1)</script>")
    store.add_comment(residents[2], "depave", "Plus d'ombre ; moins de bitume")
    store.moderate("comment", spam, hidden=True)
    store.report(residents[2], "pin", pin)
    return store, workshop, residents + [official], pin


def test_the_export_round_trips_and_holds_no_token(session, tmp_path):
    store, workshop, tokens, pin = session
    folder = export_workshop(store, workshop.code, tmp_path / "export")
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    pins = gpd.read_file(folder / "pins.gpkg", layer="pins")
    assert pins.crs == "EPSG:2154" and len(pins) == 3
    areas = gpd.read_file(folder / "pins.gpkg", layer="pin_shapes")  # the area a pin marks, beside the points
    assert areas.geom_type.tolist() == ["Polygon"] and areas.area.iloc[0] == pytest.approx(50.0)
    assert areas["category"].tolist() == ["ombre"] and areas.crs == "EPSG:2154"
    first = pins.set_index("id").loc[pin]
    assert (first.geometry.x, first.geometry.y) == (430700.5, 6712400.25)
    assert first["comment"] == "La cour « brûle », l'été" and first["group"] == "habitant" and first["reports"] == 1
    comments = pd.read_csv(folder / "comments.csv")
    assert comments["hidden"].tolist() == [True, False]  # the facilitator's choice is kept, and can be checked
    assert comments["text"].tolist()[1] == "Plus d'ombre ; moins de bitume"
    ratings = pd.read_csv(folder / "ratings.csv").set_index(["group", "scenario"])
    assert ratings.loc[("(salle)", "trees"), "count"] == 4 and ratings.loc[("(salle)", "trees"), "median"] == 3.0
    assert ratings.loc[("habitant", "trees"), "mean"] == pytest.approx(11 / 3)
    assert ratings.loc[("elu", "trees"), "score_1"] == 1 and ratings.loc[("habitant", "trees"), "favourites"] == 1
    weights = pd.read_csv(folder / "weights.csv").set_index(["group", "dimension"])["median_weight"]
    assert weights[("(salle)", "health")] == 3.0 and weights[("elu", "cost")] == 3.0
    everything = "".join(p.read_bytes().decode("utf-8", "replace") for p in folder.iterdir())
    assert not any(token in everything for token in tokens)
    assert "participant_id" not in everything and "token" not in everything


def test_an_export_replaces_the_folder_whole(session, tmp_path):
    store, workshop, _, _ = session
    target = tmp_path / "export"
    target.mkdir()
    (target / "old.csv").write_text("stale")
    export_workshop(store, workshop.code, target)
    assert not (target / "old.csv").exists()


@pytest.mark.parametrize("code,crs,message", [("ZZZZZZ", "EPSG:2154", "No workshop with the code"),
                                              (None, "Lambert93", "not a coordinate reference system")])
def test_a_bad_export_is_refused_and_writes_nothing(session, tmp_path, code, crs, message):
    store, workshop, _, _ = session
    with pytest.raises(InputError, match=message):
        export_workshop(store, code or workshop.code, tmp_path / "export", crs=crs)
    assert not (tmp_path / "export").exists()


def test_the_command_line_exports(session, tmp_path):
    store, workshop, _, _ = session
    done = CliRunner().invoke(app, ["atelier", "export", workshop.code, "-o", str(tmp_path / "out"), "--db",
                                    str(tmp_path / "atelier.sqlite")])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "out" / "pins.gpkg").exists()
    bad = CliRunner().invoke(app, ["atelier", "export", "ZZZZZZ", "-o", str(tmp_path / "out2"), "--db",
                                   str(tmp_path / "atelier.sqlite")])
    assert bad.exit_code != 0 and "No workshop with the code" in bad.output and "Traceback" not in bad.output


def test_the_compte_rendu_tells_the_session_and_ranks_with_the_room_s_weights(session, tmp_path):
    from conftest import CityFiles
    from test_runner import write_scenarios

    import jumeau

    store, workshop, tokens, _ = session
    (tmp_path / "city").mkdir()
    city = CityFiles(tmp_path / "city")
    runs = tmp_path / "runs"
    jumeau.run(city.write(), write_scenarios(tmp_path / "scenarios"), runs, workers=1)
    folder = export_workshop(store, workshop.code, tmp_path / "export", runs=runs)
    page = (folder / "compte_rendu.html").read_text(encoding="utf-8")
    assert "Compte rendu d&#39;atelier — Atelier du 12 mars" in page and "4 participants" in page
    assert "<script>" not in page and "alert(1)" not in page  # hidden by the facilitator: counted, not shown
    assert "1 commentaire(s) masqué(s)" in page and "Plus d&#39;ombre ; moins de bitume" in page
    assert "La cour « brûle », l&#39;été" in page  # the pin's comment, escaped by the template engine
    ranking = page.split("<h2>Classement</h2>")[1].split("</table>")[0]
    assert all(title in ranking for title in ("Actuel", "Rue dépavée", "Arbres"))
    assert "<th>Élus</th><th>Habitants</th>" in ranking  # each group's ranking beside the room's
    value = page.split("<h3>Valeur créée / détruite</h3>")[1].split("</table>")[0]
    baseline_row = value.split("Actuel</td>")[1].split("</tr>")[0]
    assert baseline_row.count("<td>0,00 / 0,00</td>") == 3  # the baseline against itself, for the room and 2 groups
    assert "<td>+" in value and " / −" in value  # some value created and some destroyed, signed in French
    assert not any(token in page for token in tokens)
    assert page.count('src="data:image/png;base64,') == 1  # the pins over the baseline's water depths
    english = export_workshop(store, workshop.code, tmp_path / "en", language="en")
    english_page = (english / "compte_rendu.html").read_text(encoding="utf-8")
    assert "Workshop report" in english_page and "data:image/png" not in english_page  # no runs: no map
    with pytest.raises(InputError, match="give fr or en"):
        export_workshop(store, workshop.code, tmp_path / "de", language="de")
