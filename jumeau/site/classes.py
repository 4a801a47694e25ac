"""The land-cover class table: one row per class code, InVEST-compatible columns.

The table drives every per-cell parameter the models need (albedo, crop coefficient,
curve numbers, Manning's n, imperviousness...). Its columns follow InVEST's
biophysical tables so a city that already ran InVEST can bring its own table; the
shipped one is ``jumeau/data/landcover_classes.csv``, sourced in
``jumeau/data/landcover_classes.md``.

An optional ``role`` column says which class plays a part the engine needs to know of
(:data:`ROLES`): the class burnt under building footprints (``roof``), the class
depaved ground becomes by default (``garden``)... So no class code is written in the
code: a city's own table names its roles, or the scenario and site files give codes.

>>> table = ClassTable.read()
>>> table.code_for("roof"), table.code_for("green_roof"), table.label(8, "en")
(1, 15, 'Garden (grass, shrubs, some trees)')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jumeau.data import CLASS_TABLE
from jumeau.errors import InputError

# column -> (lowest, highest) accepted value
NUMERIC_COLUMNS: dict[str, tuple[float, float]] = {
    "shade": (0.0, 1.0),
    "kc": (0.0, 2.0),
    "albedo": (0.0, 1.0),
    "green_area": (0.0, 1.0),
    "CN_A": (0.0, 100.0),
    "CN_B": (0.0, 100.0),
    "CN_C": (0.0, 100.0),
    "CN_D": (0.0, 100.0),
    "mannings_n": (0.005, 1.0),
    "impervious": (0.0, 1.0),
}
REQUIRED_COLUMNS = ("lucode", "name", *NUMERIC_COLUMNS)
# optional columns: (lowest, highest, value when the column is absent)
OPTIONAL_COLUMNS: dict[str, tuple[float, float, float]] = {
    "canopy_height": (0.0, 80.0, 0.0),  # m of tree canopy the class carries (woods): it casts shade and shades people
    # the radiation model's ground: long-wave emissivity, and the sunlit surface's warming above the air
    # (jumeau.heat.surface_temperature), paved ground's values when absent (Lindberg et al. 2008)
    "emissivity": (0.5, 1.0, 0.95),
    "tg_slope": (0.0, 2.0, 0.37),
    "tg_intercept": (-30.0, 10.0, -3.41),
}
ROLES: dict[str, str] = {
    "roof": "building roofs: burnt under footprints, given to new buildings",
    "road": "roads and streets",
    "paving": "paved squares, pavements, yards",
    "parking": "car parks",
    "bare_soil": "bare soil: ground freed by a demolition",
    "lawn": "lawn: what greening and parks plant by default",
    "garden": "garden: what depaved ground becomes by default",
    "meadow": "meadow or rough grass",
    "woodland": "woodland",
    "cropland": "fields",
    "water": "open water",
    "floodable_park": "floodable park: the floor of a retention basin",
    "permeable_paving": "permeable paving",
    "green_roof": "green roof",
    "cool_roof": "cool (high-albedo) roof",
    "cool_pavement": "cool (high-albedo) pavement",
}


@dataclass(frozen=True)
class ClassTable:
    """A validated class table indexed by ``lucode``."""

    table: pd.DataFrame
    source: Path
    defaulted: tuple[str, ...] = ()  # optional columns the file lacks, given their default value

    @classmethod
    def read(cls, path: str | os.PathLike = CLASS_TABLE) -> ClassTable:
        """Read and validate a class table CSV (raises :class:`InputError`)."""
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: class table not found. Give the path of a CSV with columns {', '.join(REQUIRED_COLUMNS)}.")
        try:
            table = pd.read_csv(path, skipinitialspace=True)
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            raise InputError(f"{path}: not a readable CSV class table ({exc}).") from None
        table.columns = [c.strip() for c in table.columns]
        missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
        if missing:
            raise InputError(
                f"{path}: class table lacks column(s) {', '.join(missing)}. "
                f"Required: {', '.join(REQUIRED_COLUMNS)} (InVEST biophysical table names)."
            )
        absent = tuple(column for column in OPTIONAL_COLUMNS if column not in table.columns)
        for column in absent:
            table[column] = OPTIONAL_COLUMNS[column][2]
        for column in ("lucode", *NUMERIC_COLUMNS, *OPTIONAL_COLUMNS):
            values = pd.to_numeric(table[column], errors="coerce")
            bad = table.index[values.isna()]
            if len(bad):
                row = bad[0]
                raise InputError(
                    f"{path}: column {column!r}, row {row + 2}: {table.at[row, column]!r} is not a number. Fill in a value."
                )
            table[column] = values
        if (table["lucode"] % 1 != 0).any() or (table["lucode"] < 0).any():
            raise InputError(f"{path}: column 'lucode' must hold non-negative integer codes.")
        table["lucode"] = table["lucode"].astype(np.int64)
        duplicated = table["lucode"][table["lucode"].duplicated()].unique()
        if len(duplicated):
            raise InputError(f"{path}: lucode(s) {', '.join(map(str, duplicated))} appear more than once; "
                             "keep one row per class.")
        bounds = {**NUMERIC_COLUMNS, **{column: spec[:2] for column, spec in OPTIONAL_COLUMNS.items()}}
        for column, (low, high) in bounds.items():
            out = table[(table[column] < low) | (table[column] > high)]
            if len(out):
                row = out.index[0]
                raise InputError(
                    f"{path}: column {column!r}, class {table.at[row, 'lucode']} ({table.at[row, 'name']}): "
                    f"{table.at[row, column]} is outside [{low}, {high}]."
                )
        for label in ("label_fr", "label_en"):
            if label not in table.columns:
                table[label] = table["name"]
            table[label] = table[label].fillna(table["name"])
        table["role"] = _roles(table, path)
        return cls(table.set_index("lucode", drop=False).sort_index(), path, absent)

    @property
    def codes(self) -> np.ndarray:
        return self.table.index.to_numpy()

    def code_for(self, role: str) -> int | None:
        """The class that plays ``role`` (one of :data:`ROLES`), or None if the table names none."""
        found = self.table.index[self.table["role"] == role]
        return int(found[0]) if len(found) else None

    def label(self, code: int, language: str = "fr") -> str:
        return str(self.table.at[code, f"label_{language}"])

    def lookup(self, column: str, codes: np.ndarray, fill: float = np.nan) -> np.ndarray:
        """Per-cell values of ``column`` for an array of class codes (``fill`` where unknown)."""
        if column not in self.table.columns:
            raise InputError(f"{self.source}: class table has no column {column!r}.")
        codes = np.asarray(codes)
        size = int(max(self.codes.max(), codes.max(initial=0))) + 1
        lut = np.full(size, fill, dtype=np.float64)
        lut[self.codes] = self.table[column].to_numpy(dtype=np.float64)
        return lut[np.clip(codes, 0, size - 1)]

    def check_codes(self, codes: np.ndarray, where: str, nodata: int | None = None) -> None:
        """Refuse codes that the table does not define, listing them with their cell counts."""
        present, counts = np.unique(np.asarray(codes), return_counts=True)
        unknown = [(int(c), int(n)) for c, n in zip(present, counts, strict=True) if c not in self.table.index and c != nodata]
        if unknown:
            listed = ", ".join(f"{c} ({n} cells)" for c, n in unknown[:20])
            raise InputError(
                f"{where}: land-cover code(s) not in the class table {self.source}: {listed}. "
                "Add rows for them to the table, or map them to existing codes with `remap:` in the site file."
            )


def _roles(table: pd.DataFrame, path: Path) -> pd.Series:
    """The ``role`` column, empty where absent; refuse unknown roles and roles given twice."""
    if "role" not in table.columns:
        return pd.Series("", index=table.index, dtype=object)
    roles = table["role"].fillna("").astype(str).str.strip()
    unknown = sorted(set(roles) - set(ROLES) - {""})
    if unknown:
        raise InputError(f"{path}: column 'role' holds {', '.join(map(repr, unknown))}; known roles: "
                         f"{', '.join(ROLES)} (or leave it empty).")
    twice = roles[(roles != "") & roles.duplicated()].unique()
    if len(twice):
        raise InputError(f"{path}: role {twice[0]!r} is given to more than one class; give each role to one class.")
    return roles
