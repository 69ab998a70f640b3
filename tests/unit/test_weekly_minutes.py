"""Working minutes a week: a hand table, and a brute-force minute count on random calendars."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relpolicy.model.calendar import WEEKDAYS, WorkingHours

DAY = 24 * 60


@pytest.mark.parametrize(
    ("hours", "minutes"),
    [
        ({}, 0),
        ({day: ["09:00-17:00"] for day in WEEKDAYS[:5]}, 5 * 8 * 60),
        ({"mon": ["09:00-12:00", "11:00-13:00"]}, 4 * 60),  # overlap counted once
        ({"mon": ["09:00-12:30", "13:30-17:30"]}, 7 * 60 + 30),  # a lunch break
        ({"sun": ["22:00-06:00"]}, 8 * 60),  # Sunday night wraps into Monday morning
        ({"sun": ["22:00-06:00"], "mon": ["00:00-08:00"]}, 10 * 60),
        ({day: ["00:00-24:00"] for day in WEEKDAYS}, 7 * DAY),
        ({day: ["00:00-00:00"] for day in WEEKDAYS}, 7 * DAY),  # an end at the start is a whole day
    ],
)
def test_hand_table(hours: dict[str, list[str]], minutes: int) -> None:
    assert WorkingHours.model_validate(hours).weekly_minutes() == minutes


clock = st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 45])).map(lambda hm: f"{hm[0]:02d}:{hm[1]:02d}")
ranges = st.tuples(clock, clock | st.just("24:00")).map("-".join)


@given(st.dictionaries(st.sampled_from(WEEKDAYS), st.lists(ranges, max_size=3)))
def test_equals_counting_every_minute(hours: dict[str, list[str]]) -> None:
    covered: set[int] = set()
    for weekday, day in enumerate(WEEKDAYS):
        for text in hours.get(day, []):
            start, end = (int(t[:2]) * 60 + int(t[3:]) for t in text.split("-"))
            end += DAY if end <= start else 0
            covered.update((weekday * DAY + m) % (7 * DAY) for m in range(start, end))
    assert WorkingHours.model_validate(hours).weekly_minutes() == len(covered)
