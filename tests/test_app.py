"""The Streamlit page, driven by streamlit.testing (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_app_shows_a_site_and_switches_language(city):
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.sidebar.text_input[0].set_value(str(city.write())).run()
    assert not app.exception
    assert app.title[0].value == "Jumeau numérique du quartier"
    assert [m.label for m in app.metric][:2] == ["Bâtiments", "Habitants"]
    assert app.metric[0].value == "3"
    app.sidebar.radio[0].set_value("en").run()
    assert app.title[0].value == "District digital twin"
    app.sidebar.selectbox[0].set_value("elevation").run()
    assert not app.exception


def test_app_reports_a_bad_site_file_in_plain_words(tmp_path):
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.sidebar.text_input[0].set_value(str(tmp_path / "absent.yaml")).run()
    assert "Le site ne peut pas être chargé" in app.error[0].value
    assert "file not found" in app.error[0].value
