"""Wall-clock times to instants: the DST gap and fold policy, hand-checked on real transitions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from relpolicy.chrono.wallclock import LocalTime, classify, event_instant, first_reading, offset_label

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
CHATHAM = ZoneInfo("Pacific/Chatham")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def _local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "local", "kind", "event", "first"),
    [
        # US spring forward 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
        (NEW_YORK, "2026-03-08 02:30", LocalTime.GAP, "2026-03-08 07:30", "2026-03-08 07:00"),
        (NEW_YORK, "2026-03-08 01:59", LocalTime.NORMAL, "2026-03-08 06:59", "2026-03-08 06:59"),
        (NEW_YORK, "2026-03-08 03:00", LocalTime.NORMAL, "2026-03-08 07:00", "2026-03-08 07:00"),
        # US fall back 2026-11-01: 02:00 EDT goes back to 01:00 EST; 01:30 happens at 05:30 and 06:30 UTC.
        (NEW_YORK, "2026-11-01 01:30", LocalTime.FOLD, "2026-11-01 05:30", "2026-11-01 05:30"),
        (NEW_YORK, "2026-11-01 02:00", LocalTime.NORMAL, "2026-11-01 07:00", "2026-11-01 07:00"),
        # UK spring forward 2026-03-29 at 01:00 UTC: 01:00-01:59 does not exist; 02:00 does.
        (LONDON, "2026-03-29 01:30", LocalTime.GAP, "2026-03-29 01:30", "2026-03-29 01:00"),
        (LONDON, "2026-03-29 02:00", LocalTime.NORMAL, "2026-03-29 01:00", "2026-03-29 01:00"),
        # UK fall back 2026-10-25 at 01:00 UTC: 01:00-01:59 happens twice; 02:00 once.
        (LONDON, "2026-10-25 01:30", LocalTime.FOLD, "2026-10-25 00:30", "2026-10-25 00:30"),
        (LONDON, "2026-10-25 02:00", LocalTime.NORMAL, "2026-10-25 02:00", "2026-10-25 02:00"),
        # Chatham springs forward at 02:45 local (+12:45 -> +13:45) on 2026-09-27.
        (CHATHAM, "2026-09-27 03:00", LocalTime.GAP, "2026-09-26 14:15", "2026-09-26 14:00"),
        # Lord Howe moves by 30 minutes: 02:00 -> 02:30 on 2026-10-04.
        (LORD_HOWE, "2026-10-04 02:15", LocalTime.GAP, "2026-10-03 15:45", "2026-10-03 15:30"),
    ],
)
def test_gaps_and_folds(zone: ZoneInfo, local: str, kind: LocalTime, event: str, first: str) -> None:
    """Events follow RFC 5545 (first occurrence; past a gap by its offset); working hours the first reading."""
    assert classify(_local(local), zone) is kind
    assert event_instant(_local(local), zone) == _utc(event)
    assert first_reading(_local(local), zone) == _utc(first)


def test_offset_labels() -> None:
    """Abbreviations where the zone has them, else the numeric offset."""
    winter, summer = _utc("2026-01-15 12:00"), _utc("2026-07-15 12:00")
    assert (offset_label(winter, NEW_YORK), offset_label(summer, NEW_YORK)) == ("EST", "EDT")
    assert (offset_label(winter, LONDON), offset_label(summer, LONDON)) == ("GMT", "BST")
    assert offset_label(winter, dt.UTC) == "UTC"
    assert offset_label(winter, dt.timezone(dt.timedelta(hours=-5))) == "-05:00"
    assert offset_label(winter, ZoneInfo("America/Sao_Paulo")) == "-03:00"  # tzdata names it "-03"
