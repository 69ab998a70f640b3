"""Half-open intervals of instants, and the set operations the time rules need."""

from __future__ import annotations

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


def total(intervals: Iterable[Interval]) -> dt.timedelta:
    """The summed length of ``intervals`` (callers pass disjoint ones)."""
    return sum((interval.length for interval in intervals), dt.timedelta())


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
