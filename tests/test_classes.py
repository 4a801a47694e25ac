"""The shipped land-cover class table: InVEST columns, published ranges, physical consistency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jumeau.data import CLASS_TABLE, REMAP_DIR
from jumeau.errors import InputError
from jumeau.site.classes import REQUIRED_COLUMNS, ClassTable

IMPERVIOUS = ("building", "road_asphalt", "paving", "parking", "cool_roof", "cool_pavement")
VEGETATED = ("lawn", "garden", "meadow", "woodland", "cropland", "wetland")


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return ClassTable.read().table.set_index("name")


def test_table_has_invest_columns_and_french_labels():
    classes = ClassTable.read()
    assert set(REQUIRED_COLUMNS) <= set(classes.table.columns)
    assert classes.table["label_fr"].str.len().min() > 2
    assert classes.label(1, "fr") != classes.label(1, "en")


def test_curve_numbers_follow_tr55_order_and_values(table):
    cn = table[["CN_A", "CN_B", "CN_C", "CN_D"]]
    assert (cn.diff(axis=1).iloc[:, 1:] >= 0).all().all(), "CN must not decrease from soil group A to D"
    assert (cn.loc[["building", "road_asphalt", "parking"]] == 98).all().all()  # TR-55 Table 2-2a, impervious areas
    assert cn.loc["woodland"].tolist() == [30, 55, 70, 77]  # TR-55 woods, good condition


def test_physical_consistency(table):
    assert (table.loc[list(IMPERVIOUS), "impervious"] >= 0.9).all()
    assert (table.loc[list(IMPERVIOUS), "green_area"] == 0).all()
    assert (table.loc[list(VEGETATED), "impervious"] <= 0.1).all()
    assert (table.loc[list(VEGETATED), "green_area"] == 1).all()
    assert table.at["cool_roof", "albedo"] > table.at["building", "albedo"]
    assert table.at["cool_pavement", "albedo"] > table.at["paving", "albedo"]
    curve_numbers = ["CN_A", "CN_B", "CN_C", "CN_D"]
    assert (table.loc["green_roof", curve_numbers] < table.loc["building", curve_numbers]).all()
    assert table.at["woodland", "mannings_n"] > table.at["lawn", "mannings_n"] > table.at["road_asphalt", "mannings_n"]
    assert table.at["woodland", "shade"] > table.at["garden", "shade"] > table.at["lawn", "shade"]


def test_lookup_maps_codes_to_values():
    classes = ClassTable.read()
    codes = np.array([[1, 7], [10, 200]])
    values = classes.lookup("impervious", codes)
    assert values[0, 0] == classes.table.at[1, "impervious"]
    assert np.isnan(values[1, 1])


@pytest.mark.parametrize("preset", ["umep", "corine"])
def test_remap_presets_target_existing_classes(preset):
    remap = pd.read_csv(REMAP_DIR / f"{preset}.csv")
    assert set(remap["lucode"]) <= set(ClassTable.read().codes)
    assert remap["code"].is_unique
    expected = 7 if preset == "umep" else 44  # UMEP ground-cover classes; CORINE level-3 nomenclature
    assert len(remap) == expected


def test_default_table_path_is_shipped():
    assert CLASS_TABLE.is_file()


def test_roles_name_the_classes_the_engine_needs():
    table = ClassTable.read()
    assert {role: table.code_for(role) for role in ("roof", "garden", "lawn", "green_roof", "cool_roof",
                                                    "cool_pavement", "floodable_park", "bare_soil")} == {
        "roof": 1, "garden": 8, "lawn": 7, "green_roof": 15, "cool_roof": 16, "cool_pavement": 17,
        "floodable_park": 13, "bare_soil": 6}


def test_a_table_without_roles_names_none(tmp_path):
    path = tmp_path / "invest.csv"
    pd.read_csv(CLASS_TABLE).drop(columns="role").to_csv(path, index=False)
    assert ClassTable.read(path).code_for("roof") is None


@pytest.mark.parametrize(("role", "message"), [("toit", "role' holds 'toit'"), ("garden", "given to more than one class")])
def test_unknown_or_repeated_roles_are_refused(tmp_path, role, message):
    table = pd.read_csv(CLASS_TABLE)
    table.loc[table["lucode"] == 9, "role"] = role  # the meadow
    path = tmp_path / "classes.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputError, match=message):
        ClassTable.read(path)
