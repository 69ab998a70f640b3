"""Days off: public holidays from the ``holidays`` library by country and subdivision, plus explicit dates.

The ``holidays`` package (maintained, yearly releases, ISO 3166 codes) knows observed days too:
when Boxing Day falls on a Saturday, England's bank holiday moves to Monday, and the Monday is
what closes the office. Observed days are therefore days off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache

import holidays

from relpolicy.errors import RelpolicyError

COMPANY_DAY_OFF = "day off (listed in the calendar)"


class HolidaySourceError(RelpolicyError):
    """The holiday library does not know a country or subdivision."""


@cache
def _public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[dt.date, str]:
    try:
        table = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError as error:
        where = country if subdivision is None else f"{country}-{subdivision}"
        msg = f"no public holidays known for `{where}`: {error}"
        raise HolidaySourceError(msg) from None
    return {day: name for day, name in table.items() if day.year == year}


def check_source(country: str, subdivision: str | None) -> None:
    """Raise :class:`HolidaySourceError` unless the library knows ``country`` (and ``subdivision``)."""
    _public_holidays(country, subdivision, 2000)


class DaysOff:
    """The days a calendar is closed besides its weekly pattern, each with its name."""

    def __init__(self, country: str | None = None, subdivision: str | None = None, dates: Iterable[dt.date] = ()):
        self.country = country
        self.subdivision = subdivision
        self.dates = frozenset(dates)
        if country is not None:
            check_source(country, subdivision)

    def name(self, day: dt.date) -> str | None:
        """Why ``day`` is off (the holiday's name), or None when it is not a day off."""
        if self.country is not None and (public := _public_holidays(self.country, self.subdivision, day.year).get(day)):
            return public
        return COMPANY_DAY_OFF if day in self.dates else None
