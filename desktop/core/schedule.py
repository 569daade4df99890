"""When a scheduled jam is recorded: a little before its start until a little after its end.

Jams rarely start on the minute: early birds introduce themselves and late
answers trickle in, so recording opens ``LEAD_IN`` before the scheduled start
and closes ``LEAD_OUT`` after the scheduled end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

LEAD_IN = timedelta(minutes=5)
LEAD_OUT = timedelta(minutes=5)


class ScheduleError(ValueError):
    """A schedule that cannot be recorded (naive times, an end before the start)."""


@dataclass(frozen=True)
class NewSession:
    """What the new-session dialog asks for; plain data the store can take as is."""

    name: str
    hashtags: tuple[str, ...]  # without "#"
    hosts: tuple[str, ...]  # without the leading "@"
    sources: tuple[str, ...]  # source specs: "x", "mastodon", "bluesky"
    start_utc: datetime
    end_utc: datetime
    mastodon_instance: str | None = None  # the instance URL when "mastodon" is a source
    time_zone: str = "UTC"  # the zone the user scheduled in (for showing it back)


def _aware_utc(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ScheduleError(f"{what} must carry a time zone, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def recording_window(
    start_utc: datetime,
    end_utc: datetime,
    *,
    lead_in: timedelta = LEAD_IN,
    lead_out: timedelta = LEAD_OUT,
) -> tuple[datetime, datetime]:
    """The (begin, end) of recording, in UTC, for a jam scheduled from start to end."""
    start = _aware_utc(start_utc, "the start")
    end = _aware_utc(end_utc, "the end")
    if end <= start:
        raise ScheduleError(
            f"the end ({end.isoformat()}) must be after the start ({start.isoformat()})"
        )
    return start - lead_in, end + lead_out


def should_record(now: datetime, start: datetime, end: datetime) -> bool:
    """True while ``now`` is inside the recording window (begin inclusive, end exclusive)."""
    begin, stop = recording_window(start, end)
    return begin <= _aware_utc(now, "now") < stop


def next_change(now: datetime, start: datetime, end: datetime) -> datetime | None:
    """When recording next starts or stops after ``now``; None once the window is over.

    A scheduler sets one timer for this moment instead of polling the clock.
    """
    begin, stop = recording_window(start, end)
    now = _aware_utc(now, "now")
    if now < begin:
        return begin
    if now < stop:
        return stop
    return None
