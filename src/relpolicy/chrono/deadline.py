"""When an incident's response and restore are due, on its priority level's clock.

Both targets run from the moment the incident is opened (restore is not counted from the
response). On a business clock opened outside working time, both start at the next working
instant. The days the clock skips between the opening and the last deadline (weekends, public
holidays, company days off) are listed with their reasons, so that a deadline four days away
explains itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from relpolicy.chrono.calendar import BusinessCalendar, DayOff
from relpolicy.chrono.wallclock import UTC
from relpolicy.errors import RelpolicyError
from relpolicy.model.calendar import ALWAYS
from relpolicy.model.priority import Level, PriorityPolicy
from relpolicy.policy import PolicySet


@dataclass(frozen=True, slots=True)
class Due:
    """One target and the instant it falls due (UTC)."""

    target: dt.timedelta
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The deadlines of one incident at one level."""

    level: Level
    clock: BusinessCalendar
    opened: dt.datetime
    clock_starts: dt.datetime
    """The first working instant at or after the opening (UTC)."""
    response: Due
    restore: Due | None
    """None when restoring is scheduled case by case."""
    skipped: tuple[DayOff, ...]
    """Days the clock does not run from the opening to the last deadline."""

    @property
    def status_update_every(self) -> dt.timedelta | None:
        """How often stakeholders hear about the incident (real time, not the clock's)."""
        return self.level.status_update_every


def clock_named(policy: PolicySet, name: str) -> BusinessCalendar | None:
    """The business calendar called ``name`` (``always`` is built in); None when there is none."""
    if name == ALWAYS:
        return BusinessCalendar.always()
    calendar = policy.calendar(name)
    return None if calendar is None else BusinessCalendar.from_model(calendar)


def level_and_clock(policy: PolicySet, priorities: PriorityPolicy, name: str) -> tuple[Level, BusinessCalendar]:
    """The level ``name`` of ``priorities`` and the clock it runs on; a RelpolicyError when either is missing."""
    level = priorities.spec.level(name)
    if level is None:
        known = ", ".join(level.name for level in priorities.spec.levels)
        msg = f"priority policy `{priorities.name}` has no level `{name}`; its levels: {known}"
        raise RelpolicyError(msg)
    clock = clock_named(policy, level.clock)
    if clock is None:
        msg = f"level {level.name} runs on calendar `{level.clock}`, which is not defined (or not valid)"
        raise RelpolicyError(msg)
    return level, clock


def deadlines(level: Level, clock: BusinessCalendar, opened: dt.datetime) -> Deadlines:
    """Response and restore due times of an incident at ``level`` opened at the aware instant ``opened``."""
    if opened.tzinfo is None or opened.utcoffset() is None:
        msg = "the opening time needs a UTC offset"
        raise ValueError(msg)
    response = Due(level.response, clock.add(opened, level.response))
    restore = None if level.restore is None else Due(level.restore, clock.add(opened, level.restore))
    last = max(response.at, restore.at) if restore is not None else response.at
    return Deadlines(
        level=level,
        clock=clock,
        opened=opened,
        clock_starts=clock.next_working_instant(opened),
        response=response,
        restore=restore,
        skipped=tuple(clock.days_off_between(opened, last)) if opened.astimezone(UTC) < last else (),
    )
