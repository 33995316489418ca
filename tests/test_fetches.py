"""Background fetches (the map's): found again while running, kept a while once finished, started
again after a failure or a stop, and only the most recent few results held."""

from __future__ import annotations

import threading

import pytest

from centroid_explorer.fetches import Fetches, Stopped


def _finished(fetches: Fetches, key, value, weight: int = 0):
    fetch = fetches.start(key, lambda progress: value, weight)
    assert fetch.future.result(timeout=10) == value
    while fetch.finished_at is None:  # set by the future's done callback, which may run a moment later
        threading.Event().wait(0.01)
    return fetch


def test_a_running_fetch_is_found_again_and_reports_progress():
    fetches, release = Fetches(ttl=60), threading.Event()

    def slow(progress):
        progress(1, 4)
        release.wait(10)
        return "done"

    first = fetches.start("k", slow)
    again = fetches.start("k", lambda progress: "another")
    assert again is first
    release.set()
    assert first.future.result(timeout=10) == "done" and (first.done, first.total) == (1, 4)


def test_a_finished_fetch_is_kept_and_a_failed_or_stopped_one_starts_again():
    fetches = Fetches(ttl=60)
    kept = _finished(fetches, "ok", 1)
    assert fetches.start("ok", lambda progress: 2) is kept

    failed = fetches.start("bad", lambda progress: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failed.future.result(timeout=10)
    assert fetches.start("bad", lambda progress: "fine").future.result(timeout=10) == "fine"

    gate = threading.Event()

    def stoppable(progress):
        gate.wait(10)
        progress(1, 2)  # raises Stopped once stop() was called
        return "not stopped"

    running = fetches.start("stop", stoppable)
    running.stop()
    gate.set()
    with pytest.raises(Stopped):
        running.future.result(timeout=10)
    assert fetches.start("stop", lambda progress: "again").future.result(timeout=10) == "again"


def test_only_the_most_recent_finished_results_are_held():
    fetches = Fetches(ttl=60, keep=2)
    a = _finished(fetches, "a", "A")
    _finished(fetches, "b", "B")
    _finished(fetches, "c", "C")  # starting c lets go of a, the oldest
    assert fetches.start("b", lambda progress: "B again").future.result(timeout=10) == "B"
    fresh = fetches.start("a", lambda progress: "A again")
    assert fresh is not a and fresh.future.result(timeout=10) == "A again"


def test_results_are_held_within_the_budget_counting_the_one_about_to_run():
    fetches = Fetches(ttl=60, keep=5, budget=250)
    small = _finished(fetches, "small", "S", weight=10)
    large = _finished(fetches, "large", "L", weight=200)  # 210 held: both kept
    assert fetches.start("small", lambda progress: "again") is small
    assert fetches.start("large", lambda progress: "again") is large
    _finished(fetches, "other large", "O", weight=200)  # large goes before this one runs; small still fits
    assert fetches.start("small", lambda progress: "again") is small
    fresh = fetches.start("large", lambda progress: "L again", 200)
    assert fresh is not large and fresh.future.result(timeout=10) == "L again"


def test_a_finished_result_past_its_ttl_is_fetched_again():
    fetches = Fetches(ttl=0, keep=5)
    old = _finished(fetches, "x", 1)
    _finished(fetches, "y", 2)  # any later start lets go of results past the ttl
    assert fetches.start("x", lambda progress: 3) is not old
