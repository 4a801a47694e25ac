"""One computation per results folder for the whole server, whatever the number of sessions.

Every session asks the :class:`Computation` of its results folder for the scenarios it
shows (:meth:`Computation.request`). A scenario is known by its cache key: one already
cached, queued, running or done is never asked twice, so two tabs (a facilitator's laptop
and the projector) or ten sessions compute each scenario once. One background thread runs
what is asked through the engine's runner: the baseline first and alone, with every core,
so that a page can show it as soon as possible, then the others in parallel. Every
scenario runs in a worker process: the server's own process stays free to serve pages and
to read results (HDF5, under netCDF, must not be used from two threads at once). A
``jumeau run`` on the same folder is kept apart by the run folders' claims (it waits for
the scenario the server is computing, then reads it, and conversely).

Sessions read the progress (:meth:`Computation.look`): each scenario's stage, the flood's
simulated minutes and an estimate of the time left. Each look counts as a session still
waiting: when none has looked for :data:`IDLE_SECONDS` (every tab closed), the scenarios
not started are dropped (a running one ends and is written) and the next session asks
for them again.
"""

from __future__ import annotations

import logging
import os
import statistics
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import jumeau
from jumeau.flood.forcing import storm_of
from jumeau.io.runfolder import is_complete
from jumeau.plan.scenario import ScenarioSet
from jumeau.study.runner import STAGES, ScenarioRun, run, scenario_key, site_digest

log = logging.getLogger(__name__)
IDLE_SECONDS = 45.0  # no session has looked for this long: nobody waits any more
# Shares of a demo scenario's time (flood, heat, indicators and writing), for the estimates.
STAGE_WEIGHTS = {"flood": 0.85, "heat": 0.12, "indicators": 0.03}
BASELINE = "baseline"


@dataclass(frozen=True)
class Progress:
    """Where one scenario stands; ``stage`` is one of the runner's STAGES while it runs."""

    scenario: str
    title: dict[str, str]
    status: str  # "queued", "running", "done", "cached", "failed" or "cancelled"
    stage: str | None = None
    share: float = 0.0  # of the stage
    flood_minutes: float = 0.0  # simulated by the flood in all
    started: float | None = None
    seconds: float | None = None  # how long it took, once done
    error: str | None = None

    @property
    def ready(self) -> bool:
        return self.status in ("done", "cached")

    @property
    def finished(self) -> bool:
        return self.status in ("done", "cached", "failed")

    @property
    def fraction(self) -> float:
        """The share of the scenario's computation done."""
        if self.finished:
            return 1.0
        if self.status != "running" or self.stage is None:
            return 0.0
        before = sum(STAGE_WEIGHTS[s] for s in STAGES[:STAGES.index(self.stage)])
        return before + STAGE_WEIGHTS[self.stage] * self.share

    def seconds_left(self, now: float, typical: float | None) -> float | None:
        """Time left: from this scenario's own pace once it has one, else a typical scenario's duration."""
        if self.finished:
            return 0.0
        if self.status == "running" and self.started is not None and self.fraction >= 0.05:
            elapsed = now - self.started
            return elapsed * (1 - self.fraction) / self.fraction
        return typical


@dataclass
class _Task:
    site: jumeau.Site
    scenarios: ScenarioSet
    scenario: str
    key: str


def machine_cores() -> int:
    """The cores this server may use. Not the engine's load-based guess: right after the baseline, the load
    average is the server's own work, and it made the other scenarios run one at a time on one core."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class Computation:
    """The scenarios of one results folder, computed once for every session of the server."""

    runs: Path
    cores: int = field(default_factory=machine_cores)  # the baseline's threads; then one scenario per core
    _progress: dict[str, Progress] = field(default_factory=dict)  # by cache key
    _queue: list[_Task] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)  # _work marks dropped tasks while holding it
    _thread: threading.Thread | None = None
    _seen: float = field(default_factory=time.monotonic)
    _digests: dict[int, tuple[jumeau.Site, str]] = field(default_factory=dict)

    def request(self, site: jumeau.Site, scenarios: ScenarioSet, only: list[str] | None = None
                ) -> dict[str, Progress]:
        """Ask for scenarios of ``scenarios`` (all, or ``only`` these ids); their progress by id, in order."""
        digest = self._digest(site)
        keys = {s.id: scenario_key(digest, scenarios, s.id) for s in scenarios if only is None or s.id in only}
        with self._lock:
            self._seen = time.monotonic()
            for scenario_id, key in keys.items():
                known = self._progress.get(key)
                if known is not None and known.status != "cancelled":
                    continue
                title = {"fr": scenarios[scenario_id].title, "en": scenarios[scenario_id].title_in("en")}
                if is_complete(self.runs / scenario_id, key):
                    self._progress[key] = Progress(scenario_id, title, "cached")
                    continue
                forcing = scenarios.forcing(scenario_id).storm
                minutes = (storm_of(forcing).duration + forcing.after_rain * 60.0) / 60.0
                self._progress[key] = Progress(scenario_id, title, "queued", flood_minutes=minutes)
                self._queue.append(_Task(site, scenarios, scenario_id, key))
            if self._queue and self._thread is None:
                self._thread = threading.Thread(target=self._work, name=f"jumeau-runs-{self.runs.name}", daemon=True)
                self._thread.start()
            return {scenario_id: self._progress[key] for scenario_id, key in keys.items()}

    def look(self, ids: list[str] | None = None) -> dict[str, Progress]:
        """The progress of the scenarios asked for (``ids`` only, if given); a session is still waiting."""
        with self._lock:
            self._seen = time.monotonic()
            return {p.scenario: p for p in self._progress.values() if ids is None or p.scenario in ids}

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._thread is not None

    def typical_seconds(self) -> float | None:
        """How long a scenario took here (median of those computed), for the estimates of those waiting."""
        with self._lock:
            taken = [p.seconds for p in self._progress.values() if p.status == "done" and p.seconds]
        return statistics.median(taken) if taken else None

    def seconds_left(self) -> float | None:
        """An estimate of the time until every scenario asked for is ready (None: not known yet)."""
        now = time.monotonic()
        typical = self.typical_seconds()
        with self._lock:
            waiting = [p for p in self._progress.values() if p.status in ("queued", "running")]
        running = [p for p in waiting if p.status == "running"]
        if typical is None and running:
            paces = [p.seconds_left(now, None) for p in running]
            known = [(now - p.started) + left for p, left in zip(running, paces, strict=True)
                     if left is not None and p.started is not None]
            typical = statistics.median(known) if known else None
        if not waiting:
            return 0.0
        lefts = [p.seconds_left(now, typical) for p in waiting]
        known = [left for left in lefts if left is not None]
        if len(known) < len(lefts):
            return None
        # the running ones end in parallel, then the queued ones share the same workers
        return max(max(known), sum(known) / max(1, len(running)))

    # -- the background thread -----------------------------------------------------------

    def _digest(self, site: jumeau.Site) -> str:
        with self._lock:
            known = self._digests.get(id(site))
        if known is not None and known[0] is site:
            return known[1]
        digest = site_digest(site)
        with self._lock:
            self._digests[id(site)] = (site, digest)  # the site is kept, so its id is never reused meanwhile
        return digest

    def _idle(self) -> bool:
        with self._lock:
            return time.monotonic() - self._seen > IDLE_SECONDS

    def _work(self) -> None:
        while True:
            with self._lock:
                tasks, self._queue = self._queue, []
                if not tasks or time.monotonic() - self._seen > IDLE_SECONDS:
                    for task in tasks:
                        self._set(task.key, status="cancelled")
                    self._thread = None
                    return
            first = [t for t in tasks if t.scenario == BASELINE]
            rest = [t for t in tasks if t.scenario != BASELINE]
            # the baseline alone, on every core, so that pages can show it first
            for group, workers in ((first, 1), (rest, self.cores)):
                for batch in _by_set(group):
                    self._run(batch, workers)

    def _run(self, tasks: list[_Task], workers: int) -> None:
        keys = {t.scenario: t.key for t in tasks}
        for key in keys.values():
            self._set(key, status="queued")

        def stage(scenario: str, name: str, share: float) -> None:
            key = keys[scenario]
            with self._lock:
                current = self._progress[key]
                started = current.started if current.started is not None else time.monotonic()
                self._progress[key] = replace(current, status="running", stage=name, share=share, started=started)

        def finished(outcome: ScenarioRun) -> None:
            self._set(keys[outcome.scenario], status=outcome.status, stage=None, error=outcome.error,
                      seconds=outcome.seconds if outcome.status == "done" else None)

        try:
            used = min(workers, len(keys))
            report = run(tasks[0].site, tasks[0].scenarios, self.runs, only=list(keys), workers=used,
                         progress=finished, stage_progress=stage, cancelled=self._idle, isolated=True,
                         threads=max(1, self.cores // used))
        except Exception as exc:  # noqa: BLE001 - shown to the sessions, the thread goes on with the queue
            log.exception("computing %s failed", list(keys))
            for key in keys.values():
                self._set(key, status="failed", error=f"{type(exc).__name__}: {exc}")
            return
        for outcome in report.runs:
            if outcome.status == "cancelled":
                self._set(keys[outcome.scenario], status="cancelled", stage=None)

    def _set(self, key: str, **changes) -> None:
        with self._lock:
            self._progress[key] = replace(self._progress[key], **changes)


def _by_set(tasks: list[_Task]) -> list[list[_Task]]:
    """Tasks grouped by the site and scenario set they were asked with (one runner call each)."""
    groups: dict[tuple[int, int], list[_Task]] = {}
    for task in tasks:
        groups.setdefault((id(task.site), id(task.scenarios)), []).append(task)
    return list(groups.values())
