"""``Backoff``: the one retry schedule every source adapter waits by."""

from __future__ import annotations

import pytest

from desktop.sources.base import Backoff


def waits(backoff: Backoff, n: int) -> list[float]:
    return [backoff.next_wait() for _ in range(n)]


def test_doubling_from_first_up_to_the_cap():
    assert waits(Backoff(first=5.0, cap=320.0), 9) == [5, 10, 20, 40, 80, 160, 320, 320, 320]


def test_linear_steps_up_to_the_cap():
    backoff = Backoff(first=0.25, step=0.25, factor=1.0, cap=16.0)
    got = waits(backoff, 66)
    assert got[:4] == [0.25, 0.5, 0.75, 1.0]
    assert got[63:] == [16.0, 16.0, 16.0]  # 64 steps of 250 ms reach the cap exactly
    assert max(got) == 16.0


def test_a_cap_below_first_caps_the_first_wait_too():
    assert waits(Backoff(first=2.0, cap=1.5), 2) == [1.5, 1.5]


def test_reset_starts_again_from_first():
    backoff = Backoff(first=1.0, cap=60.0)
    assert waits(backoff, 3) == [1, 2, 4]
    assert backoff.failures == 3
    backoff.reset()
    assert backoff.failures == 0
    assert waits(backoff, 2) == [1, 2]


def test_the_same_failures_always_give_the_same_waits():
    # No clock and no randomness: tests that inject a sleep can assert exact waits.
    assert waits(Backoff(first=2.0, cap=300.0), 10) == waits(Backoff(first=2.0, cap=300.0), 10)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"first": -1.0, "cap": 10.0},
        {"first": 1.0, "cap": -1.0},
        {"first": 1.0, "cap": 10.0, "factor": 0.5},  # waits would shrink
        {"first": 1.0, "cap": 10.0, "step": -1.0},
    ],
)
def test_a_schedule_that_makes_no_sense_is_refused(kwargs):
    with pytest.raises(ValueError, match="backoff"):
        Backoff(**kwargs)


def test_the_schedule_is_keyword_only():
    with pytest.raises(TypeError):
        Backoff(1.0, 60.0)  # type: ignore[misc]
