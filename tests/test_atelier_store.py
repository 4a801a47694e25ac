"""The workshop store: anonymous participation, contributions stored exactly once, moderation, purge."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sqlite3

import pytest
from postgres_server import binaries, postgres_server

from jumeau.atelier.store import Store
from jumeau.errors import InputError

SCENARIOS = ["baseline", "trees", "depave"]


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "atelier.sqlite")


def test_a_participant_rates_weighs_pins_and_changes_their_mind(store):
    workshop = store.create_workshop("Atelier du quartier", SCENARIOS, place="École Jean Jaurès")
    assert len(workshop.code) == 6 and store.workshop(workshop.code.lower()) == workshop
    token = store.join(workshop.code, group="habitant", area="Nord")
    store.rate(token, "trees", 4, favourite=True)
    store.rate(token, "depave", 2, favourite=True)  # one favourite: the last
    store.rate(token, "trees", 5)  # changed: replaced, not added
    store.set_weights(token, {"health": 3.0, "cost": 0.5})
    store.set_weights(token, {"health": 2.0})
    pin = store.add_pin(token, "trop_chaud", 430700.0, 6712400.0, comment="La cour <b>brûle</b>")
    tally = store.tally(workshop.id)
    assert tally.participants == 1 and tally.groups == {"habitant": 1}
    assert tally.ratings["trees"].count == 1 and tally.ratings["trees"].mean == 5.0
    assert tally.ratings["trees"].favourites == 0 and tally.ratings["depave"].favourites == 1
    assert tally.weights == {"health": 2.0, "cost": 0.5} and tally.weights_by_group["habitant"]["health"] == 2.0
    assert [p["id"] for p in tally.pins] == [pin] and tally.pins[0]["comment"] == "La cour <b>brûle</b>"


def test_nothing_personal_is_stored(store, tmp_path):
    workshop = store.create_workshop("Atelier", SCENARIOS)
    token = store.join(workshop.code)
    store.rate(token, "trees", 3)
    dump = "\n".join(sqlite3.connect(tmp_path / "atelier.sqlite").iterdump())
    assert token not in dump  # only its hash


@pytest.mark.parametrize("call,message", [
    (lambda s, t: s.rate(t, "trees", 6), "from 1 to 5"),
    (lambda s, t: s.rate(t, "unknown", 3), "not shown in this workshop"),
    (lambda s, t: s.set_weights(t, {"beauty": 1.0}), "unknown dimension"),
    (lambda s, t: s.set_weights(t, {"health": 9.0}), "from 0 to 3"),
    (lambda s, t: s.add_pin(t, "fire", 0.0, 0.0), "choose one of"),
    (lambda s, t: s.add_comment(t, "trees", "x" * 501), "at most 500"),
    (lambda s, t: s.add_comment(t, "trees", "   "), "empty"),
    (lambda s, t: s.rate("not-a-token", "trees", 3), "join again"),
    (lambda s, t: s.join("ZZZZZZ"), "No workshop with the code"),
    (lambda s, t: s.join(s.workshops()[0].code, group="maire"), "choose one of"),
    (lambda s, t: s.report(t, "pin", "nope"), "No pin"),
])
def test_bad_contributions_are_refused_in_plain_words(store, call, message):
    workshop = store.create_workshop("Atelier", SCENARIOS)
    token = store.join(workshop.code)
    with pytest.raises(InputError, match=message):
        call(store, token)


def test_reports_hide_at_the_threshold_and_the_facilitator_decides(tmp_path):
    store = Store(tmp_path / "a.sqlite", report_threshold=2)
    workshop = store.create_workshop("Atelier", SCENARIOS)
    author, first, second = (store.join(workshop.code) for _ in range(3))
    comment = store.add_comment(author, "trees", "Un avis")
    store.report(first, "comment", comment)
    store.report(first, "comment", comment)  # the same participant twice counts once
    assert [c["id"] for c in store.tally(workshop.id).comments] == [comment]
    store.report(second, "comment", comment)
    assert store.tally(workshop.id).comments == []
    store.moderate("comment", comment, hidden=False)  # reviewed: restored, and further reports do not hide it
    third = store.join(workshop.code)
    store.report(third, "comment", comment)
    assert [c["id"] for c in store.tally(workshop.id).comments] == [comment]
    store.moderate("comment", comment, hidden=True)
    assert store.tally(workshop.id).comments == []


def test_a_resent_pin_is_stored_once(store):
    workshop = store.create_workshop("Atelier", SCENARIOS)
    token = store.join(workshop.code)
    for _ in range(3):
        store.add_pin(token, "eau", 1.0, 2.0, submission="7d1d6f1e-0000-4000-8000-000000000001")
    assert len(store.tally(workshop.id).pins) == 1


def test_purge_removes_old_workshops_and_everything_said_in_them(store):
    old = store.create_workshop("Ancien", SCENARIOS)
    token = store.join(old.code)
    store.add_pin(token, "idee", 0.0, 0.0)
    assert store.purge(older_than_days=1) == 0
    assert store.purge(older_than_days=-1) == 1
    assert store.workshops() == []
    with pytest.raises(InputError):
        store.rate(token, "trees", 3)


def _participate(url: str, code: str, number: int) -> None:
    """One participant's whole session, as a phone would send it."""
    store = Store(url)
    token = store.join(code, group=["habitant", "association", None][number % 3])
    for scenario in SCENARIOS:
        store.rate(token, scenario, 1 + (number + len(scenario)) % 5, favourite=scenario == "trees")
    store.set_weights(token, {"health": 1.0 + number % 3, "cost": 1.0})
    for pin in range(2):
        submission = f"00000000-0000-4000-8000-{number:06d}{pin:06d}"
        store.add_pin(token, "ombre", float(number), float(pin), submission=submission)
        store.add_pin(token, "ombre", float(number), float(pin), submission=submission)  # a retry
    store.add_comment(token, "trees", f"avis {number}")


@pytest.fixture(scope="module")
def postgres():
    """A real PostgreSQL server (Debian's package), started for these tests."""
    if binaries() is None:
        if os.environ.get("JUMEAU_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required here (JUMEAU_REQUIRE_POSTGRES=1) but not installed")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A database URL of each kind the store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'atelier.sqlite'}"
    return request.getfixturevalue("postgres")


def test_fifty_participants_at_once_in_threads_and_processes_are_each_counted_once(database):
    url = database
    store = Store(url)
    workshop = store.create_workshop("Atelier", SCENARIOS)
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as threads:
        list(threads.map(_participate, [url] * 25, [workshop.code] * 25, range(25)))
    with concurrent.futures.ProcessPoolExecutor(max_workers=4, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_participate, [url] * 25, [workshop.code] * 25, range(25, 50)))
    tally = store.tally(workshop.id)
    assert tally.participants == 50 and sum(tally.groups.values()) == 50
    assert all(r.count == 50 for r in tally.ratings.values())
    assert tally.ratings["trees"].favourites == 50
    expected = sum(1 + (n + len("trees")) % 5 for n in range(50)) / 50
    assert tally.ratings["trees"].mean == pytest.approx(expected)
    assert len(tally.pins) == 100 and len(tally.comments) == 50
    assert tally.weights == {"health": 2.0, "cost": 1.0}


def test_the_command_line_creates_lists_and_purges_workshops(tmp_path):
    from typer.testing import CliRunner

    from jumeau.cli import app

    db = str(tmp_path / "atelier.sqlite")
    made = CliRunner().invoke(app, ["atelier", "new", "Atelier du 12 mars", "--scenario", "baseline", "--scenario",
                                    "trees", "--date", "2026-03-12", "--place", "École", "--question", "rate",
                                    "--question", "pins", "--db", db])
    assert made.exit_code == 0, made.output
    code = made.output.split("code")[-1].strip()
    assert Store(db).workshop(code).scenarios == ("baseline", "trees")
    assert Store(db).workshop(code).questions == ("rate", "pins")
    listed = CliRunner().invoke(app, ["atelier", "list", "--db", db])
    assert code in listed.output and "2026-03-12" in listed.output
    bad = CliRunner().invoke(app, ["atelier", "new", "x", "--scenario", "a", "--date", "12/03", "--db", db])
    assert bad.exit_code == 2 and "2026-03-12" in bad.output
    assert "0 workshop(s) deleted" in CliRunner().invoke(app, ["atelier", "purge", "--older-than", "30",
                                                               "--db", db]).output


def test_a_database_server_that_does_not_answer_is_said_plainly_without_its_password():
    with pytest.raises(InputError, match="server runs and answers") as refused:
        Store("postgresql+pg8000://jumeau:s3cret@127.0.0.1:1/atelier")
    assert "s3cret" not in str(refused.value) and "127.0.0.1:1" in str(refused.value)


def test_a_workshop_asks_only_the_questions_the_facilitator_chose(store):
    workshop = store.create_workshop("Atelier court", SCENARIOS, questions=["pins", "rate"])
    assert workshop.questions == ("rate", "pins") and store.workshop(workshop.code).questions == ("rate", "pins")
    token = store.join(workshop.code)
    store.rate(token, "trees", 4)
    store.add_pin(token, "eau", 0.0, 0.0)
    with pytest.raises(InputError, match="does not ask for weights"):
        store.set_weights(token, {"health": 2.0})
    with pytest.raises(InputError, match="does not ask for comments"):
        store.add_comment(token, "trees", "Bien")
    with pytest.raises(InputError, match="ask one or more of"):
        store.create_workshop("Atelier", SCENARIOS, questions=["vote"])


def test_a_database_of_the_first_schema_is_brought_up_to_date(tmp_path):
    path = tmp_path / "atelier.sqlite"
    old = Store(path).create_workshop("Atelier de 2025", SCENARIOS)
    with sqlite3.connect(path) as connection:  # as jumeau's first schema wrote it
        connection.execute("ALTER TABLE workshops DROP COLUMN questions")
        connection.execute("ALTER TABLE pins DROP COLUMN shape")
        connection.execute("UPDATE jumeau_schema SET version = 1")
    reopened = Store(path)
    assert reopened.workshop(old.code).questions == ("rate", "weights", "pins", "comments")  # it asked everything
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version FROM jumeau_schema").fetchall() == [(3,)]
    assert reopened.create_workshop("Atelier de 2026", SCENARIOS, questions=["rate"]).questions == ("rate",)


def test_a_pin_may_mark_a_line_or_an_area(store):
    workshop = store.create_workshop("Atelier", SCENARIOS)
    token = store.join(workshop.code)
    store.add_pin(token, "eau", 5.0, 0.0, line=[(0.0, 0.0), (10.0, 0.0)], comment="Le caniveau déborde")
    store.add_pin(token, "ombre", 5.0, 5.0, line=[(0.0, 0.0), (10.0, 10.0), (10.0, 0.0), (0.0, 10.0)], area=True)
    shapes = [p["shape"] for p in store.tally(workshop.id).pins]
    assert shapes[0] == "LINESTRING (0 0, 10 0)"
    assert shapes[1].startswith("POLYGON") and "10 10" in shapes[1]  # a bow tie of taps: the area they surround
    with pytest.raises(InputError, match="zone needs 3"):
        store.add_pin(token, "ombre", 0.0, 0.0, line=[(0.0, 0.0), (1.0, 1.0), (1.0, 1.0)], area=True)
