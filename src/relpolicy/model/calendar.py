"""Calendar: when someone is working (hours per weekday, a time zone, public holidays)."""

from __future__ import annotations

from typing import Annotated, Final, Literal, Self

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator

from relpolicy.model.base import Model, Resource, Spec
from relpolicy.model.types import Date, Text, TimeRange, TimeZone, _fail, _matching, _text, fail_at

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS: Final = "always"
"""The built-in 24x7 calendar, usable without being declared."""

DAY_MINUTES: Final = 24 * 60
WEEK_MINUTES: Final = 7 * DAY_MINUTES


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


_COUNTRY_PATTERN: Final = r"^[A-Z]{2}$"
_SUBDIVISION_PATTERN: Final = r"^[A-Z0-9]{1,3}$"


class WorkingHours(Model):
    """Working hours per weekday; a day left out is not a working day."""

    mon: list[TimeRange] = Field(default_factory=list)
    """Monday's working hours, as HH:MM-HH:MM ranges in the calendar's time zone; none: not a working day."""
    tue: list[TimeRange] = Field(default_factory=list)
    """Tuesday's working hours, as HH:MM-HH:MM ranges in the calendar's time zone; none: not a working day."""
    wed: list[TimeRange] = Field(default_factory=list)
    """Wednesday's working hours, as HH:MM-HH:MM ranges in the calendar's time zone; none: not a working day."""
    thu: list[TimeRange] = Field(default_factory=list)
    """Thursday's working hours, as HH:MM-HH:MM ranges in the calendar's time zone; none: not a working day."""
    fri: list[TimeRange] = Field(default_factory=list)
    """Friday's working hours, as HH:MM-HH:MM ranges in the calendar's time zone; none: not a working day."""
    sat: list[TimeRange] = Field(default_factory=list)
    """Saturday's working hours, as HH:MM-HH:MM ranges in the calendar's time zone; none: not a working day."""
    sun: list[TimeRange] = Field(default_factory=list)
    """Sunday's working hours, as HH:MM-HH:MM ranges in the calendar's time zone; none: not a working day."""

    def on(self, weekday: int) -> list[str]:
        """The ranges of ``weekday`` (0 = Monday)."""
        ranges: list[str] = getattr(self, WEEKDAYS[weekday])
        return ranges

    def weekly_minutes(self) -> int:
        """Working minutes in a week (overlapping ranges counted once, holidays ignored)."""
        spans: list[tuple[int, int]] = []  # minutes from Monday 00:00, a range past Sunday wrapping round
        for weekday in range(7):
            for text in self.on(weekday):
                start, end = (_minutes(part) for part in text.split("-"))
                if end <= start:
                    end += DAY_MINUTES  # crosses midnight into the next day
                first = weekday * DAY_MINUTES + start
                last = weekday * DAY_MINUTES + end
                spans.append((first, min(last, WEEK_MINUTES)))
                if last > WEEK_MINUTES:  # Sunday night into Monday morning
                    spans.append((0, last - WEEK_MINUTES))
        covered, reached = 0, 0
        for first, last in sorted(spans):
            covered += max(0, last - max(first, reached))
            reached = max(reached, last)
        return covered


class Holidays(Model):
    """Days off: public holidays of a country (and subdivision), plus explicit dates."""

    country: Annotated[
        str | None,
        BeforeValidator(_text("country", _COUNTRY_PATTERN, "an ISO 3166-1 country code, like US or GB")),
        _matching(_COUNTRY_PATTERN),
        WithJsonSchema({"type": "string", "pattern": _COUNTRY_PATTERN}),
    ] = None
    """ISO 3166-1 alpha-2 country code whose public holidays apply (US, GB...)."""
    subdivision: Annotated[
        str | None,
        BeforeValidator(_text("subdivision", _SUBDIVISION_PATTERN, "a subdivision code, like ENG or NY")),
        _matching(_SUBDIVISION_PATTERN),
        WithJsonSchema({"type": "string", "pattern": _SUBDIVISION_PATTERN}),
    ] = None
    """ISO 3166-2 subdivision within the country (ENG, SCT, NY...)."""
    dates: list[Date] = Field(default_factory=list)
    """Extra days off (company holidays, shutdowns)."""

    @model_validator(mode="after")
    def _subdivision_needs_country(self) -> Self:
        if self.subdivision is not None and self.country is None:
            raise _fail("dependency", "`subdivision` needs `country`")
        if self.country is not None:
            from relpolicy.timebase.daysoff import HolidaySourceError, check_source  # noqa: PLC0415 - on demand

            try:
                check_source(self.country, self.subdivision)
            except HolidaySourceError as error:
                field = "subdivision" if self.subdivision is not None else "country"
                raise fail_at(field, "holidays", error.message) from None
        return self

    model_config = {"json_schema_extra": {"dependentRequired": {"subdivision": ["country"]}}}


class CalendarSpec(Spec):
    """When someone is working."""

    description: Text | None = None
    """What the calendar is for, in a sentence."""
    timezone: TimeZone
    """The IANA time zone the hours are written in."""
    hours: WorkingHours
    """The working hours of each day of the week; a day left out is not worked."""
    holidays: Holidays | None = None
    """Days off although their weekday is worked: a country's public holidays and extra dates."""

    @property
    def has_days_off(self) -> bool:
        """Are public holidays or extra dates taken off?"""
        return self.holidays is not None and (self.holidays.country is not None or bool(self.holidays.dates))

    def describe_hours(self) -> str:
        """``40h a week, holidays off``: how much of the week the calendar covers, for messages."""
        hours, minutes = divmod(self.hours.weekly_minutes(), 60)
        text = f"{hours}h{minutes:02d}" if minutes else f"{hours}h"
        return f"{text} a week" + (", holidays off" if self.has_days_off else "")

    @property
    def is_round_the_clock(self) -> bool:
        """Does it cover every minute of every day, holidays included (like `always`)?"""
        return self.hours.weekly_minutes() == WEEK_MINUTES and not self.has_days_off


class Calendar(Resource):
    """A working calendar."""

    KIND = "Calendar"
    kind: Literal["Calendar"]
    spec: CalendarSpec
