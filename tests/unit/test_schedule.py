"""The recording window of a scheduled jam: five minutes either side of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desktop.core.schedule import (
    LEAD_IN,
    LEAD_OUT,
    ScheduleError,
    next_change,
    recording_window,
    should_record,
)

START = datetime(2026, 3, 12, 19, 0, tzinfo=UTC)
END = datetime(2026, 3, 12, 20, 0, tzinfo=UTC)


def test_recording_opens_five_minutes_early_and_closes_five_minutes_late():
    assert LEAD_IN == LEAD_OUT == timedelta(minutes=5)
    assert recording_window(START, END) == (
        datetime(2026, 3, 12, 18, 55, tzinfo=UTC),
        datetime(2026, 3, 12, 20, 5, tzinfo=UTC),
    )


def test_window_is_in_utc_whatever_zone_the_jam_was_scheduled_in():
    new_york = ZoneInfo("America/New_York")
    begin, end = recording_window(
        datetime(2026, 3, 12, 15, 0, tzinfo=new_york), datetime(2026, 3, 12, 16, 0, tzinfo=new_york)
    )
    assert begin == datetime(2026, 3, 12, 18, 55, tzinfo=UTC)  # EDT is UTC-4 on 12 March 2026
    assert begin.tzinfo is UTC and end.tzinfo is UTC


@pytest.mark.parametrize(
    ("now", "recording"),
    [
        (START - timedelta(minutes=5, seconds=1), False),
        (START - timedelta(minutes=5), True),  # begin is inclusive
        (START, True),
        (END + timedelta(minutes=4, seconds=59), True),
        (END + timedelta(minutes=5), False),  # end is exclusive
    ],
)
def test_should_record_at_the_edges(now, recording):
    assert should_record(now, START, END) is recording


def test_next_change_is_the_next_start_or_stop():
    assert next_change(START - timedelta(hours=1), START, END) == START - LEAD_IN
    assert next_change(START, START, END) == END + LEAD_OUT
    assert next_change(END + timedelta(hours=1), START, END) is None


def test_bad_schedules_are_refused():
    with pytest.raises(ScheduleError, match="must be after the start"):
        recording_window(END, START)
    with pytest.raises(ScheduleError, match="must be after the start"):
        recording_window(START, START)
    with pytest.raises(ScheduleError, match="time zone"):
        recording_window(datetime(2026, 3, 12, 19, 0), END)
    with pytest.raises(ScheduleError, match="time zone"):
        should_record(datetime(2026, 3, 12, 19, 0), START, END)
