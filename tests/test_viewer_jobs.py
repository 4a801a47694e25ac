"""The viewer's server-wide computation: each scenario once whatever the sessions, baseline first, progress,
and nothing left running when every session has gone."""

from __future__ import annotations

import threading
import time

import pytest
from test_runner import write_scenarios

import jumeau
from jumeau.io.runfolder import is_complete
from jumeau.study.runner import scenario_set
from viewer import jobs


def wait_until_idle(job: jobs.Computation, timeout: float = 600.0) -> list[dict[str, jobs.Progress]]:
    """Look every 0.05 s until the computation ends; every look seen on the way."""
    seen = []
    deadline = time.monotonic() + timeout
    while job.busy and time.monotonic() < deadline:
        seen.append(job.look())
        time.sleep(0.05)
    assert not job.busy, "the computation did not end"
    return seen


@pytest.fixture
def asked(city, tmp_path, monkeypatch):
    """A small site, its three scenarios, and the runner's calls recorded."""
    site = jumeau.load_site(city.write())
    scenarios = scenario_set(write_scenarios(tmp_path / "scenarios"))
    calls: list[list[str]] = []
    real_run = jobs.run

    def recording_run(*args, **kwargs):
        calls.append(list(kwargs["only"]))
        return real_run(*args, **kwargs)

    monkeypatch.setattr(jobs, "run", recording_run)
    return site, scenarios, tmp_path / "runs", calls


def test_two_sessions_compute_each_scenario_once_baseline_first_with_progress(asked):
    site, scenarios, runs, calls = asked
    job = jobs.Computation(runs, cores=1)
    sessions = [threading.Thread(target=job.request, args=(site, scenarios)) for _ in range(2)]
    for session in sessions:
        session.start()
    for session in sessions:
        session.join()
    first = job.request(site, scenario_set(write_scenarios(runs.parent / "again")))  # a third session, same files
    assert list(first) == ["baseline", "depave", "trees"]
    seen = wait_until_idle(job)
    assert calls == [["baseline"], ["depave", "trees"]]  # the baseline alone first, each scenario once
    final = job.look()
    assert {p.status for p in final.values()} == {"done"}, final
    assert all(is_complete(runs / s) for s in final)
    running = [p for look in seen for p in look.values() if p.status == "running"]
    assert running and {p.stage for p in running} <= {"flood", "heat", "indicators"}
    assert all(0.0 <= p.share <= 1.0 and 0.0 <= p.fraction <= 1.0 for p in running)
    # a 20-minute storm and 10 minutes after it
    assert {p.flood_minutes for look in seen for p in look.values() if not p.finished} == {30.0}
    assert job.seconds_left() == 0.0 and job.typical_seconds() is not None

    again = jobs.Computation(runs, cores=1)  # a new server on the same folder: everything from the cache
    assert {p.status for p in again.request(site, scenarios).values()} == {"cached"}
    assert not again.busy and calls == [["baseline"], ["depave", "trees"]]


def test_scenarios_nobody_waits_for_are_dropped_and_asked_again_later(asked, monkeypatch):
    site, scenarios, runs, calls = asked
    monkeypatch.setattr(jobs, "IDLE_SECONDS", -1.0)  # every session has gone the moment it asked
    job = jobs.Computation(runs, cores=1)
    job.request(site, scenarios)
    wait_until_idle(job)
    assert {p.status for p in job.look().values()} == {"cancelled"}
    assert not any((runs / s.id).exists() for s in scenarios)
    monkeypatch.setattr(jobs, "IDLE_SECONDS", 600.0)
    asked_again = job.request(site, scenarios, only=["baseline"])
    assert asked_again["baseline"].status in ("queued", "running")
    wait_until_idle(job)
    assert job.look(["baseline"])["baseline"].status == "done"
    assert is_complete(runs / "baseline")


def test_estimates_come_from_the_pace_of_the_running_scenario():
    start = time.monotonic() - 100.0
    running = jobs.Progress("x", {"fr": "x", "en": "x"}, "running", stage="flood", share=0.5, flood_minutes=60,
                            started=start)
    assert running.fraction == pytest.approx(0.425)
    assert running.seconds_left(time.monotonic(), None) == pytest.approx(100 * 0.575 / 0.425, rel=0.01)
    queued = jobs.Progress("y", {"fr": "y", "en": "y"}, "queued")
    assert queued.seconds_left(time.monotonic(), None) is None and queued.seconds_left(0.0, 42.0) == 42.0


def test_work_ahead_does_only_the_latest_job_once_the_pages_are_quiet():
    from viewer import data

    done, release = [], threading.Event()
    ahead = data.Ahead("test-ahead", quiet=0.2)

    def job(name: str, wait: bool = False):
        def run() -> bool:
            if wait:
                release.wait(10)
            if ahead.superseded():
                return False
            done.append(name)
            return True
        return run

    with data.ACTIVITY.page():  # a page is running: nothing starts
        ahead.want("first", job("first"))
        time.sleep(0.3)
        assert done == []
        ahead.want("second", job("second"))  # someone moved on before it began: only this one is done
    assert ahead.wait_idle(timeout=10) and done == ["second"]
    ahead.want("second", job("second"))  # done already: not again
    assert ahead.wait_idle(timeout=10) and done == ["second"]
    ahead.want("slow", job("slow", wait=True))
    time.sleep(0.5)  # running, waiting
    ahead.want("third", job("third"))  # the running job sees it waits and stops
    release.set()
    assert ahead.wait_idle(timeout=10) and done == ["second", "third"]
    ahead.want("slow", job("slow"))  # stopped early, so not done: asked again, it runs
    assert ahead.wait_idle(timeout=10) and done == ["second", "third", "slow"]
