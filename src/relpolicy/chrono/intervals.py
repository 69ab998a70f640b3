"""Half-open intervals of instants, and the set operations the time rules need."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True, slots=True)
class Interval:
    """``[start, end)`` between two aware instants; ordered by start, then end."""

    start: dt.datetime
    end: dt.datetime

    @property
    def length(self) -> dt.timedelta:
        """Elapsed time from start to end."""
        return self.end - self.start

    def overlaps(self, other: Interval) -> bool:
        """Do the two intervals share an instant?"""
        return self.start < other.end and other.start < self.end

    def contains(self, instant: dt.datetime) -> bool:
        """Is ``instant`` inside ``[start, end)``?"""
        return self.start <= instant < self.end

    def clip(self, start: dt.datetime, end: dt.datetime) -> Interval | None:
        """The part of this interval inside ``[start, end)``, or None when they do not meet."""
        low, high = max(self.start, start), min(self.end, end)
        return Interval(low, high) if low < high else None


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same instants; touching intervals are joined."""
    merged: list[Interval] = []
    for interval in sorted(intervals):
        if interval.start >= interval.end:
            continue
        if merged and interval.start <= merged[-1].end:
            if interval.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, interval.end)
        else:
            merged.append(interval)
    return merged


def covered(intervals: Sequence[Interval], start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Time inside ``[start, end)`` covered by sorted, disjoint ``intervals``."""
    result = dt.timedelta()
    for interval in intervals:
        if interval.start >= end:
            break
        part = interval.clip(start, end)
        if part is not None:
            result += part.length
    return result


def outside(intervals: Sequence[Interval], cover: Sequence[Interval]) -> list[Interval]:
    """The ``intervals`` that share no instant with any interval of sorted, disjoint ``cover``."""
    found = []
    j = 0
    for interval in sorted(intervals):
        while j < len(cover) and cover[j].end <= interval.start:
            j += 1
        if j == len(cover) or not cover[j].overlaps(interval):
            found.append(interval)
    return found


class Timeline:
    """Sorted, disjoint intervals with running totals, for fast "how much is covered in [a, b)?"."""

    def __init__(self, intervals: Iterable[Interval]) -> None:
        self.intervals = union(intervals)
        self._starts = [interval.start for interval in self.intervals]
        self._ends = [interval.end for interval in self.intervals]
        self._before: list[dt.timedelta] = [dt.timedelta()]
        for interval in self.intervals:
            self._before.append(self._before[-1] + interval.length)

    def covered(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Time inside ``[start, end)`` that the timeline covers."""
        if end <= start:
            return dt.timedelta()
        first = bisect.bisect_right(self._ends, start)  # first interval ending after start
        last = bisect.bisect_left(self._starts, end)  # intervals from here on start at or after end
        if first >= last:
            return dt.timedelta()
        inside = self._before[last] - self._before[first]
        inside -= max(dt.timedelta(), start - self._starts[first])
        inside -= max(dt.timedelta(), self._ends[last - 1] - end)
        return inside

    def __len__(self) -> int:
        return len(self.intervals)
