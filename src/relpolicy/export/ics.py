"""An iCalendar (RFC 5545) calendar of the maintenance windows, change freezes and holidays.

What each event holds:

- **A recurring window** is one ``VEVENT``: its ``RRULE`` exactly as the policy writes it, and a
  ``DTSTART;TZID=<timezone>`` at its local ``start`` time. The policy language has no ``DTSTART``:
  relpolicy counts every recurrence from :data:`relpolicy.timebase.recurrence.ANCHOR` (Monday
  2000-01-03). RFC 5545 counts ``DTSTART`` itself as an occurrence even when the rule does not
  give it, so ``DTSTART`` is the rule's *first occurrence* from the anchor instead (the anchor
  when the rule gives it): the same occurrences, ``COUNT`` counted from the same first one.
  A ``VTIMEZONE`` is written for every zone used, from 1999 on (see :func:`vtimezone`).
- **A one-off window** (``at``) is a single event; **a change freeze** one event from its start
  to its end. Both are written in UTC (``...Z``): the policy gives them an offset, not a zone.
- **Durations** are written as ``DURATION:PT…H…M…S``, never in days or weeks, because RFC 5545
  reads only those as exact time: a window lasts its duration of real time across a DST change,
  as relpolicy reads it (``P1D`` would be a nominal day).
- **Holidays** (optional) are all-day, free-time events, one per day off of each business
  calendar in the years asked for: public holidays (observed days too) and the calendar's dates.

Summaries name the services and their owner teams; a window's description lists the services
down, the hard dependents that go down with them (the graph's impact walk) and the degraded
soft dependents, and links each service's runbook page when a base URL is known.

**Stable output.** ``UID`` is made of the resource's kind and name and what kind of occurrence
the event is (``maintenancewindow.orders-db-weekly.recurring@relpolicy``; a holiday adds its
date), so importing the file again updates the events instead of duplicating them. ``DTSTAMP``
never reads the clock: it is :data:`DEFAULT_STAMP` (midnight UTC at the start of the anchor date)
unless the caller gives one (``--stamp``, e.g. the commit time of the policies). The text is
byte-stable: events in a fixed order, lines ending in CRLF, folded at 75 octets (never inside
a UTF-8 character), TEXT values escaped (``\\ ; ,`` and newlines).

The file is written here rather than with the ``icalendar`` library: the format is a few dozen
lines of code, and the library costs ~0.1 s of import and a runtime dependency. The tests parse
the output back with ``icalendar`` and expand it with ``recurring-ical-events``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from dateutil.rrule import rrulestr

from relpolicy.chrono.calendar import BusinessCalendar
from relpolicy.chrono.wallclock import UTC, zone_named
from relpolicy.chrono.windows import targeted_services
from relpolicy.errors import RelpolicyError
from relpolicy.model.build import did_you_mean
from relpolicy.model.maintenance import ChangeFreeze, MaintenanceWindow, MaintenanceWindowSpec
from relpolicy.model.service import Service
from relpolicy.model.team import Team
from relpolicy.model.types import MAX_YEAR, MIN_YEAR
from relpolicy.timebase.recurrence import ANCHOR, Recurrence

if TYPE_CHECKING:
    from relpolicy.graph import ServiceGraph
    from relpolicy.policy import PolicySet

PRODID: Final = "-//relpolicy//relpolicy export ics//EN"
"""No version in it, so that a new release does not change every exported file."""
DEFAULT_STAMP: Final = dt.datetime.combine(ANCHOR, dt.time(), tzinfo=UTC)
"""``DTSTAMP`` of every event unless one is given: fixed, so that the output is byte-stable."""
UID_DOMAIN: Final = "relpolicy"
FIRST_ZONE_YEAR: Final = ANCHOR.year - 1
"""``VTIMEZONE`` observances start here: one begins before every ``DTSTART`` (from the anchor on)."""
LAST_ZONE_YEAR: Final = 2037
"""Transitions are read up to here; a yearly pattern that still holds then has no ``UNTIL``."""
MAX_HOLIDAY_YEARS: Final = 50
"""The most years of holidays one export may list."""
_LINE_OCTETS: Final = 75
_UNSAFE: Final = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
"""What a TEXT value may not hold (RFC 5545 CONTROL but tab; newlines are escaped first) or UTF-8 encode."""


class ExportError(RelpolicyError):
    """The calendar cannot be exported as asked."""


# --- Text ----------------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    r"""A TEXT value (RFC 5545 3.3.11): ``\``, ``;``, ``,`` escaped, newlines as ``\n``.

    Control characters TEXT may not hold (all but tab) and lone surrogates, which YAML's
    double-quoted escapes can make, become U+FFFD.
    """
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")
    return _UNSAFE.sub("\N{REPLACEMENT CHARACTER}", value)


def fold(line: str) -> str:
    """One content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character, CRLF ended."""
    pieces: list[str] = []
    current: list[str] = []
    size, limit = 0, _LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append("".join(current))
            current, size, limit = [], 0, _LINE_OCTETS - 1  # a continuation starts with a space
        current.append(char)
        size += width
    pieces.append("".join(current))
    return "\r\n ".join(pieces) + "\r\n"


def _utc(instant: dt.datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def duration_text(duration: dt.timedelta) -> str:
    """``PT2H30M``: a duration as exact time (hours, minutes, seconds), never nominal days."""
    seconds = int(duration.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{seconds}S" if seconds or text == "PT" else "")


def _offset(delta: dt.timedelta | None) -> str:
    total = int((delta or dt.timedelta()).total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


# --- Time zones ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of a zone's offset or name."""

    instant: dt.datetime
    before: dt.timedelta
    after: dt.timedelta
    name: str
    is_dst: bool

    @property
    def onset(self) -> dt.datetime:
        """The local time the change starts at, read with the offset before it (as VTIMEZONE writes it)."""
        return (self.instant + self.before).replace(tzinfo=None)


def _state(zone: dt.tzinfo, instant: dt.datetime) -> tuple[dt.timedelta | None, str | None, bool]:
    local = instant.astimezone(zone)
    return local.utcoffset(), local.tzname(), bool(local.dst())


def transitions(zone: dt.tzinfo, first_year: int, last_year: int) -> list[Transition]:
    """Every change of offset or name of ``zone`` from ``first_year`` to ``last_year``, to the second."""
    found: list[Transition] = []
    step = dt.timedelta(hours=6)
    moment = dt.datetime(first_year, 1, 1, tzinfo=UTC)
    end = dt.datetime(last_year + 1, 1, 1, tzinfo=UTC)
    state = _state(zone, moment)
    while moment < end:
        following = moment + step
        if (new := _state(zone, following)) != state:
            low, high = moment, following
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) // 2
                low, high = (low, middle) if _state(zone, middle) != state else (middle, high)
            found.append(Transition(high, state[0] or dt.timedelta(), new[0] or dt.timedelta(), new[1] or "", new[2]))
            state = new
        moment = following
    return found


def _pattern(onset: dt.datetime) -> str:
    """``2SU`` or ``-1SU``: which weekday of its month a date is (``-1`` for the last one)."""
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[onset.weekday()]
    next_week = onset + dt.timedelta(days=7)
    return f"-1{weekday}" if next_week.month != onset.month else f"{(onset.day - 1) // 7 + 1}{weekday}"


@lru_cache(maxsize=256)
def vtimezone(name: str, first_year: int = FIRST_ZONE_YEAR, last_year: int = LAST_ZONE_YEAR) -> tuple[str, ...]:
    """The ``VTIMEZONE`` of IANA zone ``name`` (content lines, unfolded), from the zone database.

    Transitions that follow a yearly pattern (the same weekday of the same month at the same
    local time, with the same offsets and name, in consecutive years) become one observance
    with a yearly ``RRULE``, ended by ``UNTIL`` unless it still holds in ``last_year``; any other
    is an observance of its own. A zone without change in those years has one observance.
    """
    zone = zone_named(name)
    changes = transitions(zone, first_year, last_year)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{name}"]
    if not changes:
        offset, label, _ = _state(zone, dt.datetime(first_year, 1, 1, tzinfo=UTC))
        lines += [
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{_offset(offset)}",
            f"TZOFFSETTO:{_offset(offset)}",
            f"TZNAME:{escape_text(label or name)}",
            "END:STANDARD",
        ]
        return (*lines, "END:VTIMEZONE")
    runs: list[list[Transition]] = []
    open_runs: dict[tuple[object, ...], list[Transition]] = {}
    for change in changes:
        onset = change.onset
        key = (change.before, change.after, change.name, change.is_dst, onset.month, _pattern(onset), onset.time())
        run = open_runs.get(key)
        if run is not None and run[-1].onset.year == onset.year - 1:
            run.append(change)
        else:
            run = [change]
            runs.append(run)
            open_runs[key] = run
    for run in sorted(runs, key=lambda r: r[0].instant):
        first, last = run[0], run[-1]
        kind = "DAYLIGHT" if first.is_dst else "STANDARD"
        lines += [
            f"BEGIN:{kind}",
            f"DTSTART:{_local(first.onset)}",
            f"TZOFFSETFROM:{_offset(first.before)}",
            f"TZOFFSETTO:{_offset(first.after)}",
        ]
        if len(run) > 1:
            until = "" if last.onset.year == last_year else f";UNTIL={_utc(last.instant)}"
            lines.append(f"RRULE:FREQ=YEARLY;BYMONTH={first.onset.month};BYDAY={_pattern(first.onset)}{until}")
        lines += [f"TZNAME:{escape_text(first.name)}", f"END:{kind}"]
    return (*lines, "END:VTIMEZONE")


# --- Events --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """Which services the calendar is about: None for all of them."""

    services: frozenset[str] | None

    def covers(self, names: Iterable[str]) -> bool:
        """Does an event about ``names`` belong in the calendar?"""
        return self.services is None or not self.services.isdisjoint(names)


def select(policy: PolicySet, services: Sequence[str] = (), teams: Sequence[str] = ()) -> Selection:
    """The services named, and those owned by the teams named (all services when neither is given).

    Raises ExportError for a name that is not a service or team of the policy.
    """
    if not services and not teams:
        return Selection(None)
    known = policy.named(Service)
    chosen: set[str] = set()
    for name in services:
        if name not in known:
            msg = f"no service `{name}`{did_you_mean(name, policy.names('Service'))}"
            raise ExportError(msg)
        chosen.add(name)
    team_names = policy.named(Team)
    for team in teams:
        if team not in team_names:
            msg = f"no team `{team}`{did_you_mean(team, policy.names('Team'))}"
            raise ExportError(msg)
        chosen.update(s.name for s in policy.services if s.spec.owner == team)
    return Selection(frozenset(chosen))


def goes_down(graph: ServiceGraph, names: Iterable[str]) -> tuple[list[str], list[str]]:
    """What goes down with ``names`` all down at once (through hard dependencies), and what is degraded.

    The walk of :meth:`ServiceGraph.impact`, started from several services: a hard ``anyOf``
    entry fails when every one of its services is down.
    """
    down = set(names)
    frontier = sorted(down)
    while frontier:
        failed = frontier.pop()
        for dependent in graph.dependents(failed):
            if dependent in down:
                continue
            for entry in graph.hard_entries(dependent):
                if down.issuperset(entry.targets) if entry.any_of else entry.targets[0] in down:
                    down.add(dependent)
                    frontier.append(dependent)
                    break
    degraded = {d for failed in down for d in graph.dependents(failed)} - down
    return sorted(down - set(names)), sorted(degraded)


class _Calendar:
    """Builds the events of one export."""

    def __init__(
        self,
        policy: PolicySet,
        graph: ServiceGraph,
        selection: Selection,
        runbook_base_url: str | None,
        stamp: dt.datetime,
    ) -> None:
        self.policy = policy
        self.graph = graph
        self.selection = selection
        self.runbook_base_url = runbook_base_url
        self.stamp = _utc(stamp)
        self.zones: set[str] = set()

    def _owners(self, services: Sequence[Service]) -> str:
        owners = sorted({s.spec.owner for s in services if s.spec.owner is not None})
        return ", ".join(owners) if owners else "no owner"

    def _named(self, services: Sequence[Service]) -> str:
        return ", ".join(s.name for s in services) if services else "no service"

    def _runbooks(self, services: Sequence[Service]) -> list[str]:
        if self.runbook_base_url is None:
            return []
        from relpolicy.render.runbooks import page_file  # noqa: PLC0415 - jinja2 comes with it

        return [f"Runbook of {s.name}: {self.runbook_base_url}{page_file(s.name)}" for s in services]

    def _head(self, uid: str, summary: str, description: list[str]) -> list[str]:
        return [
            "BEGIN:VEVENT",
            f"UID:{uid}@{UID_DOMAIN}",
            f"DTSTAMP:{self.stamp}",
            f"SUMMARY:{escape_text(summary)}",
            f"DESCRIPTION:{escape_text(chr(10).join(description))}",
        ]

    def window(self, window: MaintenanceWindow) -> list[str] | None:
        spec = window.spec
        services = targeted_services(self.policy, spec.services, spec.selector)
        names = [s.name for s in services]
        if not self.selection.covers(names):
            return None
        down, degraded = goes_down(self.graph, names)
        description = [spec.description] if spec.description else []
        description += [
            f"Down during the window: {self._named(services)} (owner: {self._owners(services)}).",
            "Hard dependents that go down with it: " + (", ".join(down) if down else "none") + ".",
            "Soft dependents degraded: " + (", ".join(degraded) if degraded else "none") + ".",
            *self._runbooks(services),
        ]
        summary = f"Maintenance {window.name}: {self._named(services)} ({self._owners(services)})"
        if spec.at is not None:
            lines = [*self._head(f"maintenancewindow.{window.name}.once", summary, description)]
            lines.append(f"DTSTART:{_utc(spec.at)}")
        else:
            assert spec.timezone is not None  # noqa: S101 - a recurrence has its zone
            self.zones.add(spec.timezone)
            lines = [*self._head(f"maintenancewindow.{window.name}.recurring", summary, description)]
            lines += recurrence_lines(spec)
        lines += [f"DURATION:{duration_text(spec.duration)}", "CATEGORIES:MAINTENANCE", "TRANSP:OPAQUE"]
        if len(services) == 1 and (links := self._runbooks(services)):
            lines.append(f"URL:{links[0].split(': ', 1)[1]}")
        return [*lines, "END:VEVENT"]

    def freeze(self, freeze: ChangeFreeze) -> list[str] | None:
        spec = freeze.spec
        everyone = spec.services is None and spec.selector is None
        services = targeted_services(self.policy, spec.services, spec.selector, everyone=everyone)
        if not self.selection.covers(s.name for s in services):
            return None
        named = "every service" if everyone else self._named(services)
        summary = f"Change freeze {freeze.metadata.title}: {named} ({self._owners(services)})"
        description = [spec.reason, f"No planned change to: {self._named(services)}."]
        lines = self._head(f"changefreeze.{freeze.name}.period", summary, description)
        lines += [
            f"DTSTART:{_utc(spec.start)}",
            f"DTEND:{_utc(spec.end)}",
            "CATEGORIES:CHANGE FREEZE",
            "TRANSP:TRANSPARENT",
        ]
        return [*lines, "END:VEVENT"]

    def holidays(self, years: tuple[int, int]) -> Iterator[list[str]]:
        wanted: set[str] | None = None
        if self.selection.services is not None:
            services = self.policy.named(Service)
            wanted = {
                coverage
                for name in self.selection.services
                if (coverage := self.policy.coverage_of(services[name])) is not None
            }
        for calendar in sorted(self.policy.calendars, key=lambda c: c.name):
            if wanted is not None and calendar.name not in wanted:
                continue
            days_off = BusinessCalendar.from_model(calendar).days_off
            day, last = dt.date(years[0], 1, 1), dt.date(years[1], 12, 31)
            while day <= last:
                if (reason := days_off.name(day)) is not None:
                    lines = self._head(
                        f"calendar.{calendar.name}.holiday.{day:%Y%m%d}",
                        f"{calendar.name}: {reason}",
                        [f"A day off on the business calendar {calendar.name} ({calendar.spec.timezone}): {reason}."],
                    )
                    yield [
                        *lines,
                        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                        f"DTEND;VALUE=DATE:{day + dt.timedelta(days=1):%Y%m%d}",
                        "CATEGORIES:HOLIDAY",
                        "TRANSP:TRANSPARENT",
                        "END:VEVENT",
                    ]
                day += dt.timedelta(days=1)


def recurrence_lines(spec: MaintenanceWindowSpec) -> list[str]:
    """``DTSTART;TZID=...`` and ``RRULE:...`` of a recurring window (unfolded content lines).

    Raises RecurrenceError (from :meth:`Recurrence.of`) for a rule relpolicy cannot expand.
    """
    recurrence = Recurrence.of(spec)
    return [
        f"DTSTART;TZID={spec.timezone}:{_local(first_occurrence(recurrence))}",
        f"RRULE:{recurrence.text}",
    ]


def first_occurrence(recurrence: Recurrence) -> dt.datetime:
    """The naive local start of a recurrence's first occurrence, counting from the anchor."""
    anchor = dt.datetime.combine(ANCHOR, recurrence.start, tzinfo=recurrence.zone)
    first = rrulestr(recurrence.text, dtstart=anchor).after(anchor, inc=True)  # Recurrence.of checked it is near
    assert isinstance(first, dt.datetime)  # noqa: S101 - Recurrence.of refuses rules that never occur
    return first.replace(tzinfo=None)


def policy_years(policy: PolicySet) -> tuple[int, int] | None:
    """The first and last year of the dated resources (one-off windows, freezes), in UTC; None without."""
    instants = [w.spec.at for w in policy.maintenance_windows if w.spec.at is not None]
    for freeze in policy.change_freezes:
        instants += [freeze.spec.start, freeze.spec.end]
    if not instants:
        return None
    years = [i.astimezone(UTC).year for i in instants]
    return min(years), max(years)


def export_ics(  # noqa: PLR0913 - the policy, its graph and keyword-only options
    policy: PolicySet,
    graph: ServiceGraph,
    *,
    selection: Selection | None = None,
    holiday_years: tuple[int, int] | None = None,
    runbook_base_url: str | None = None,
    stamp: dt.datetime = DEFAULT_STAMP,
) -> str:
    """The calendar of the policy's windows and freezes (and holidays in ``holiday_years``), as text."""
    if holiday_years is not None:
        first, last = holiday_years
        if not MIN_YEAR <= first <= last <= MAX_YEAR or last - first >= MAX_HOLIDAY_YEARS:
            msg = (
                f"holiday years {first}-{last}: give at most {MAX_HOLIDAY_YEARS} years, in order, "
                f"from {MIN_YEAR} to {MAX_YEAR}"
            )
            raise ExportError(msg)
    builder = _Calendar(policy, graph, selection or Selection(None), runbook_base_url, stamp)
    windows = (builder.window(w) for w in sorted(policy.maintenance_windows, key=lambda w: w.name))
    freezes = (builder.freeze(f) for f in sorted(policy.change_freezes, key=lambda f: f.name))
    events = [event for event in (*windows, *freezes) if event is not None]
    if holiday_years is not None:
        events.extend(builder.holidays(holiday_years))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    for zone in sorted(builder.zones):
        lines += vtimezone(zone)
    for event in events:
        lines += event
    lines.append("END:VCALENDAR")
    return "".join(fold(line) for line in lines)
