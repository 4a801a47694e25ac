"""Design storms: Montana intensity–duration law, Chicago and block hyetographs, user hyetographs.

Every storm is described by its *cumulative depth* ``P(t)`` (mm) from the start of
the rain, so the rain of any time step is ``P(t + Δt) − P(t)`` and a storm integrates
exactly to its total depth whatever the step.

Montana law (French practice, e.g. Instruction technique 77-284, 1977; Météo-France
station coefficients): ``i = a · t^(−b)`` with ``i`` in mm/min and ``t`` the duration
in minutes, so the depth falling in ``t`` minutes is ``H(t) = a · t^(1−b)`` mm.

Chicago storm (Keifer & Chu, 1957, *Synthetic storm pattern for drainage design*,
J. Hydraulics Div. ASCE 83(4)): the hyetograph whose every window of duration ``t``
centred (in the ratio ``r``) on the peak holds the law's depth ``H(t)``. Its cumulative
depth, with ``τ`` the time from the peak::

    before the peak: P = r·H(D) − r·H(τ_b / r)            τ_b = time before the peak
    after the peak:  P = r·H(D) + (1 − r)·H(τ_a / (1 − r))  τ_a = time after the peak

(with H in the law's form) so that ``P(D) = H(D)``.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jumeau.data import STORM_DIR
from jumeau.errors import InputError

SHIPPED_DURATIONS = (6.0, 120.0)  # minutes: the range the shipped regional coefficients are meant for


@dataclass(frozen=True)
class Montana:
    """A Montana law of one return period: i (mm/min) = a · t (min)^(−b), per range of durations.

    ``ranges`` holds ``(start, end, a, b)`` in minutes, contiguous and increasing (Météo-France
    gives one set for 6 min–1 h and one for 1 h–24 h). Durations shorter than the first range
    take its law (a storm's first minutes); none may exceed the last range's end.
    """

    ranges: tuple[tuple[float, float, float, float], ...]
    return_period: float
    station: str

    @property
    def longest(self) -> float:
        """The longest duration (minutes) the coefficients cover."""
        return self.ranges[-1][1]

    def covers(self, minutes: float) -> None:
        """Refuse a duration beyond the coefficients' (the law is not extrapolated)."""
        if minutes > self.longest * (1 + 1e-12):
            raise InputError(f"storm: a {minutes:g}-min storm is beyond the Montana coefficients of {self.station!r} "
                             f"(up to {self.longest:g} min); give coefficients for longer durations, or a hyetograph "
                             "`file:`.")

    def depth(self, minutes: float | np.ndarray) -> np.ndarray:
        """Depth (mm) falling in ``minutes`` at the law's intensity."""
        t = np.maximum(np.asarray(minutes, dtype=float), 0.0)
        self.covers(float(t.max(initial=0.0)))
        depth = np.zeros_like(t)
        for _start, end, a, b in reversed(self.ranges):  # the earliest range that holds t is written last
            depth = np.where(t <= end, a * np.power(t, 1.0 - b), depth)
        return depth


def montana(return_period: float, station: str | None = None, path: str | os.PathLike | None = None) -> Montana:
    """Coefficients for a return period from a coefficient table (CSV: station, return_period, a, b).

    Between tabulated return periods, ``a`` is interpolated linearly in log(T) and ``b``
    too (the usual practice for Montana sets); outside them it is an error. A table gives
    one law per return period, for durations of :data:`SHIPPED_DURATIONS`.
    """
    path = Path(path) if path is not None else STORM_DIR / "montana.csv"
    rows = _read_table(path)
    stations = list(dict.fromkeys(r["station"] for r in rows))
    station = station or stations[0]
    chosen = [r for r in rows if r["station"] == station]
    if not chosen:
        raise InputError(f"{path}: no Montana coefficients for station {station!r}. Stations: {', '.join(stations)}.")
    sets: dict[float, tuple[tuple[float, float, float, float], ...]] = {
        r["return_period"]: ((*SHIPPED_DURATIONS, r["a"], r["b"]),) for r in chosen}
    return law_of(sets, return_period, station, f"{path}")


def law_of(sets: dict[float, tuple[tuple[float, float, float, float], ...]], return_period: float, station: str,
           where: str) -> Montana:
    """The law of ``return_period`` from coefficient sets per return period (ranges as in :class:`Montana`).

    A return period between two given ones whose duration ranges are the same is interpolated
    in log(T), ``a`` and ``b`` of each range alike; the law is never extrapolated.
    """
    periods = sorted(sets)
    if return_period in sets:
        return Montana(sets[return_period], return_period, station)
    if not periods[0] <= return_period <= periods[-1]:
        raise InputError(
            f"storm: return period {return_period:g} years is outside the coefficients of {station!r} "
            f"({periods[0]:g}–{periods[-1]:g} years, {where}). Choose one inside, or give the station's own set."
        )
    above = next(p for p in periods if p > return_period)
    below = max(p for p in periods if p < return_period)
    low, high = sets[below], sets[above]
    if [r[:2] for r in low] != [r[:2] for r in high]:
        raise InputError(f"storm: return period {return_period:g} years lies between {below:g} and {above:g} years, "
                         f"whose coefficients of {station!r} cover different durations ({where}); give the "
                         f"coefficients of {return_period:g} years.")
    share = (np.log(return_period) - np.log(below)) / (np.log(above) - np.log(below))
    ranges = tuple((start, end, float(a0 + share * (a1 - a0)), float(b0 + share * (b1 - b0)))
                   for (start, end, a0, b0), (_, _, a1, b1) in zip(low, high, strict=True))
    return Montana(ranges, return_period, station)


def stations(path: str | os.PathLike | None = None) -> dict[str, tuple[float, ...]]:
    """The return periods (years) tabulated for each station of a coefficient table (default: shipped).

    >>> periods = stations()["IT77 région I"]
    >>> periods[0], periods[-1]
    (1.0, 100.0)
    """
    rows = _read_table(Path(path) if path is not None else STORM_DIR / "montana.csv")
    table: dict[str, list[float]] = {}
    for row in rows:
        table.setdefault(row["station"], []).append(row["return_period"])
    return {station: tuple(sorted(periods)) for station, periods in table.items()}


def _read_table(path: Path) -> list[dict]:
    if not path.is_file():
        raise InputError(f"{path}: Montana coefficient table not found.")
    with open(path, encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = []
    for number, row in enumerate(csv.DictReader(lines), start=2):
        try:
            rows.append({"station": row["station"], "return_period": float(row["return_period"]),
                         "a": float(row["a"]), "b": float(row["b"])})
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}, row {number}: expected columns station, return_period, a, b with numbers.") from None
    return rows


class Storm:
    """A rain event: cumulative depth ``cumulative(t)`` in mm at ``t`` seconds from its start."""

    duration: float  # s

    @property
    def total_depth(self) -> float:
        return float(self.cumulative(self.duration))

    def cumulative(self, seconds: float) -> float:
        raise NotImplementedError

    def intensity(self, seconds: np.ndarray, step: float = 60.0) -> np.ndarray:
        """Mean intensity (mm/h) over ``[t, t + step)`` — for plots and reports."""
        seconds = np.asarray(seconds, dtype=float)
        ends = np.array([self.cumulative(t + step) - self.cumulative(t) for t in seconds])
        return ends * 3600.0 / step


@dataclass(frozen=True)
class BlockStorm(Storm):
    """Constant intensity ``depth / duration``."""

    depth: float  # mm
    duration: float  # s

    def cumulative(self, seconds: float) -> float:
        return self.depth * min(max(seconds, 0.0), self.duration) / self.duration


@dataclass(frozen=True)
class ChicagoStorm(Storm):
    """Keifer & Chu's synthetic storm for a Montana law (see module docstring)."""

    law: Montana
    duration: float  # s
    peak: float = 0.4  # peak time as a share of the duration

    def cumulative(self, seconds: float) -> float:
        minutes = min(max(seconds, 0.0), self.duration) / 60.0
        total = self.duration / 60.0
        r = self.peak
        peak = r * total
        if minutes <= peak:
            return float(r * (self.law.depth(total) - self.law.depth((peak - minutes) / r))) if r > 0 else 0.0
        after = (minutes - peak) / (1.0 - r)
        return float(r * self.law.depth(total) + (1.0 - r) * self.law.depth(after))


@dataclass(frozen=True)
class HyetographStorm(Storm):
    """A user hyetograph: intensities (mm/h) held from each time (s) to the next."""

    times: np.ndarray  # s, increasing, starting at 0
    intensities: np.ndarray  # mm/h over [times[k], times[k + 1])
    duration: float

    def cumulative(self, seconds: float) -> float:
        t = min(max(seconds, 0.0), self.duration)
        edges = np.append(self.times, self.duration)
        widths = np.clip(t - edges[:-1], 0.0, np.diff(edges))
        return float((self.intensities * widths).sum() / 3600.0)


def design_storm(return_period: float, duration_minutes: float, shape: str = "chicago", peak: float = 0.4,
                 station: str | None = None, path: str | os.PathLike | None = None) -> Storm:
    """The design storm of a return period and duration from the Montana law.

    >>> storm = design_storm(100, 60)            # the 100-year, 1-hour Chicago storm
    >>> round(storm.total_depth, 1), storm.duration
    (48.5, 3600.0)
    """
    return storm_of_law(montana(return_period, station, path), duration_minutes, shape, peak)


def storm_of_law(law: Montana, duration_minutes: float, shape: str = "chicago", peak: float = 0.4) -> Storm:
    """The design storm of a Montana law for a duration it covers."""
    law.covers(duration_minutes)
    if shape == "block":
        return BlockStorm(depth=float(law.depth(duration_minutes)), duration=duration_minutes * 60.0)
    if shape == "chicago":
        return ChicagoStorm(law=law, duration=duration_minutes * 60.0, peak=peak)
    raise InputError(f"storm: unknown hyetograph {shape!r}; use 'chicago' or 'block'.")


def read_hyetograph(path: str | os.PathLike) -> HyetographStorm:
    """A hyetograph CSV with columns ``time`` (min from the start) and ``intensity`` (mm/h).

    Each intensity holds until the next time; the last row's time is the end of the rain
    (its intensity is ignored).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: hyetograph file not found.")
    with open(path, encoding="utf-8") as handle:
        reader = csv.DictReader(line for line in handle if not line.startswith("#"))
        try:
            rows = [(float(r["time"]), float(r["intensity"])) for r in reader]
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}: expected columns 'time' (min) and 'intensity' (mm/h) holding numbers.") from None
    if len(rows) < 2:
        raise InputError(f"{path}: a hyetograph needs at least two rows (a start and an end).")
    times = np.array([r[0] for r in rows]) * 60.0
    intensities = np.array([r[1] for r in rows])
    if times[0] != 0 or np.any(np.diff(times) <= 0):
        raise InputError(f"{path}: times must start at 0 and increase strictly.")
    if np.any(intensities < 0):
        raise InputError(f"{path}: negative intensity {intensities.min():g} mm/h.")
    return HyetographStorm(times=times[:-1], intensities=intensities[:-1], duration=float(times[-1]))
