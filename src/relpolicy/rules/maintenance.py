"""RP6xx: maintenance windows against freezes, business hours, DST and each other; RP403 against error budgets.

Every rule looks at the 12 months from the check's as-of date (midnight UTC): a window's
occurrences are expanded over that horizon (RP601 looks at the whole of each freeze still to
come). A window whose recurrence cannot be expanded is left out (see ``chrono.windows``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from relpolicy.chrono.budget import SloWindow, worst_window
from relpolicy.chrono.calendar import BusinessCalendar
from relpolicy.chrono.intervals import Interval, Timeline, outside, union
from relpolicy.chrono.wallclock import UTC, LocalTime, classify, event_instant, offset_label, zone_named
from relpolicy.chrono.windows import horizon, occurrences, targeted_services
from relpolicy.errors import RelpolicyError
from relpolicy.findings import Problem, Related, Severity
from relpolicy.graph import set_bits
from relpolicy.model.calendar import ALWAYS, WEEK_MINUTES, Calendar
from relpolicy.model.maintenance import MaintenanceWindow
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO
from relpolicy.model.types import format_duration
from relpolicy.policy import PolicySet
from relpolicy.rules._framework import RuleContext, rule
from relpolicy.source.positions import KeyPath
from relpolicy.timebase.recurrence import Recurrence, RecurrenceError

_HUNDRED: Final = 100

_TEAM: Final = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: platform}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}]
"""

_STOREFRONT: Final = """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata: {name: storefront}
spec:
  description: The web shop.
  tier: 1
  customerFacing: true
  owner: web
  escalationPolicy: web-oncall
  patching: {cadence: 30d, emergencyWithin: 48h}
  runbook: {restore: [Roll back the last deploy.]}
---
apiVersion: relpolicy.dev/v1
kind: SLO
metadata: {name: storefront-availability}
spec:
  service: storefront
  indicator: {type: availability}
  objective: 99.9
---
apiVersion: relpolicy.dev/v1
kind: Team
metadata: {name: web}
spec:
  coverage: always
  members: [{name: Ana Lima, email: ana@example.com}, {name: Bo Chen, email: bo@example.com}]
---
apiVersion: relpolicy.dev/v1
kind: EscalationPolicy
metadata: {name: web-oncall}
spec:
  steps:
    - {after: 0m, notify: [{person: ana@example.com}]}
    - {after: 15m, notify: [{person: bo@example.com}]}
"""


# --- Shared ------------------------------------------------------------------------------------


def _from(as_of: dt.date) -> str:
    return f"in the 12 months from {as_of.isoformat()}"


def _schedule(window: MaintenanceWindow) -> KeyPath:
    """Where a window's schedule is written: its recurrence, or its single start."""
    return ("spec", "rrule") if window.spec.rrule is not None else ("spec", "at")


def _zone(window: MaintenanceWindow) -> dt.tzinfo:
    spec = window.spec
    if spec.timezone is not None:
        return zone_named(spec.timezone)
    assert spec.at is not None  # noqa: S101 - a window has a recurrence or a single start
    return spec.at.tzinfo or UTC


def _expand(window: MaintenanceWindow, start: dt.datetime, end: dt.datetime) -> list[Interval] | None:
    """The window's occurrences overlapping ``[start, end)``; None when its recurrence cannot be expanded."""
    try:
        return occurrences(window.spec, start, end)
    except RecurrenceError:
        return None


def _at(instant: dt.datetime, zone: dt.tzinfo) -> str:
    """``Sun 2026-11-29 02:00 GMT``."""
    return f"{instant.astimezone(zone):%a %Y-%m-%d %H:%M} {offset_label(instant, zone)}"


def _written(instant: dt.datetime) -> str:
    """An instant with the offset it was written with: ``2027-01-25 00:00 -05:00``."""
    return f"{instant:%Y-%m-%d %H:%M} {instant.isoformat()[-6:] if instant.utcoffset() else 'UTC'}"


def _occurrence(interval: Interval, zone: dt.tzinfo) -> str:
    return f"{_at(interval.start, zone)} for {format_duration(interval.length)}"


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


@dataclass(frozen=True, slots=True)
class _Targeted:
    """A window with the names of the services it takes down."""

    window: MaintenanceWindow
    services: frozenset[str]
    bit: int
    """The window's own bit, for propagating windows through the graph (``ServiceGraph.hard_needs``)."""


def _targeted(policy: PolicySet) -> list[_Targeted]:
    found: list[_Targeted] = []
    for window in policy.maintenance_windows:
        services = targeted_services(policy, window.spec.services, window.spec.selector)
        if services:
            found.append(_Targeted(window, frozenset(s.name for s in services), 1 << len(found)))
    return found


# --- RP403 -------------------------------------------------------------------------------------


@rule(
    id="RP403",
    name="maintenance-exceeds-budget",
    severity=Severity.ERROR,
    summary="Planned maintenance (the service's windows and its hard dependencies') takes more downtime in one SLO "
    "window than the error budget allows.",
    background=_TEAM,
    facts=("hard_needs", "hard_closure"),
)
def maintenance_exceeds_budget(ctx: RuleContext) -> Iterator[Problem]:
    """When an SLO counts planned maintenance against its error budget
    (``maintenanceCountsAgainstBudget: true``), the maintenance windows alone must fit in it:
    otherwise the objective is missed before anything breaks. A service is down during its own
    windows and during those of everything it hard-depends on, transitively (an ``anyOf``
    alternative in maintenance does not take it down); overlapping windows count once. Each SLO
    window in the 12 months from the as-of date is checked: every calendar month, quarter or
    year with its real length (February's budget is smaller), and for a rolling window the
    worst stretch of that length. The finding sits on the objective, names the worst window,
    and lists each maintenance window's share; the windows are related locations.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: reports}
        spec:
          description: Monthly sales reports.
          tier: 3
          owner: platform
          dependsOn: [{service: warehouse-db, type: hard}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: warehouse-db}
        spec: {description: Reporting database., tier: 3, owner: platform}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: reports-availability}
        spec:
          service: reports
          indicator: {type: availability}
          objective: 99.5
          timeWindow: month
          maintenanceCountsAgainstBudget: true
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: reports-monthly}
        spec:
          services: [reports]
          rrule: FREQ=MONTHLY;BYDAY=1SU
          start: "02:00"
          duration: 2h
          timezone: Europe/London
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: warehouse-db-monthly}
        spec:
          services: [warehouse-db]
          rrule: FREQ=MONTHLY;BYDAY=3SU
          start: "02:00"
          duration: 2h
          timezone: Europe/London

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: reports}
        spec:
          description: Monthly sales reports.
          tier: 3
          owner: platform
          dependsOn: [{service: warehouse-db, type: hard}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: warehouse-db}
        spec: {description: Reporting database., tier: 3, owner: platform}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: reports-availability}
        spec:
          service: reports
          indicator: {type: availability}
          objective: 99.5
          timeWindow: month
          maintenanceCountsAgainstBudget: true
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: reports-monthly}
        spec:
          services: [reports, warehouse-db]
          rrule: FREQ=MONTHLY;BYDAY=1SU
          start: "02:00"
          duration: 2h
          timezone: Europe/London
    """
    policy = ctx.policy
    counting = [s for s in policy.slos if s.spec.maintenance_counts_against_budget and s.spec.is_availability]
    windows = _targeted(policy) if counting else []
    if not windows:
        return
    span = horizon(ctx.as_of)
    needs = ctx.graph.hard_needs(_marks(windows))
    for slo in counting:
        bits = needs.get(slo.spec.service, 0)  # none for an unknown service (RP201)
        if bits:
            affecting = [windows[i] for i in set_bits(bits)]  # window i has bit 1 << i
            yield from _over_budget(ctx, slo, slo.spec.service, affecting, span)


def _marks(windows: list[_Targeted]) -> dict[str, int]:
    """Per service, the bits of the windows that take it down."""
    marks: dict[str, int] = {}
    for targeted in windows:
        for name in targeted.services:
            marks[name] = marks.get(name, 0) | targeted.bit
    return marks


def _over_budget(
    ctx: RuleContext, slo: SLO, service: str, affecting: list[_Targeted], span: Interval
) -> Iterator[Problem]:
    """The worst SLO window of ``slo`` whose planned downtime exceeds its budget, as a problem."""
    policy = ctx.policy
    window = SloWindow.parse(slo.spec.time_window)
    # Calendar periods that meet the horizon; rolling windows that end in it.
    periods = [] if window.rolling is not None else list(window.periods(span.start, span.end))
    start, end = (
        (span.start - window.rolling, span.end) if window.rolling is not None else (periods[0].start, periods[-1].end)
    )
    expanded = [(each, _expand(each.window, start, end)) for each in affecting]
    usable = [(t, found) for t, found in expanded if found]
    downtime = Timeline(iv for _, found in usable for iv in found)
    if not downtime:
        return
    candidates = (
        periods
        if window.rolling is None
        else [worst_window(downtime, window.rolling, start, span.end - window.rolling)]
    )
    over = [p for p in candidates if downtime.covered(p.start, p.end) > window.budget(slo.spec.objective, p.start)]
    if not over:
        return
    worst = max(over, key=lambda p: downtime.covered(p.start, p.end) - window.budget(slo.spec.objective, p.start))
    planned = downtime.covered(worst.start, worst.end)
    budget = window.budget(slo.spec.objective, worst.start)
    shares = []
    related = []
    needs = ctx.graph.hard_closure(service) | {service}  # walked for a finding only
    for each, found in usable:
        share = Timeline(found).covered(worst.start, worst.end)
        if share:
            w = each.window
            shares.append(f"{w.name} {format_duration(share)} ({_whose(service, sorted(each.services & needs))})")
            related.append(Related(policy.locate(w, *_schedule(w)), f"window {w.name}: {format_duration(share)}"))
    percent = f"{(_HUNDRED - slo.spec.objective).normalize():f}%"
    where = window.describe(worst) if window.is_calendar else f"the {window.describe(worst)}"
    message = (
        f"{slo.name} allows {format_duration(budget)} of downtime in {where} ({percent} of {worst.length.days} days) "
        f"but planned maintenance takes {format_duration(planned)} then, overlaps counted once: "
        f"{'; '.join(shares)}; maintenance counts against this budget"
    )
    if window.is_calendar and len(over) > 1:
        checked = f"{window.describe(candidates[0])} to {window.describe(candidates[-1])}"
        message += f" (over budget in {len(over)} of the {len(candidates)} {window.text}s from {checked})"
    related.append(
        Related(
            policy.locate(slo, "spec", "maintenanceCountsAgainstBudget"),
            "maintenance counts against the budget",
        )
    )
    yield policy.problem("RP403", message, slo, ("spec", "objective"), *related)


def _whose(service: str, names: list[str]) -> str:
    """``erp``, or ``identity-directory, a hard dependency``, or ``erp and hard dependencies idp, vpn``."""
    dependencies = [name for name in names if name != service]
    if not dependencies:
        return service
    noun = "a hard dependency" if len(dependencies) == 1 else "hard dependencies"
    if service in names:
        return f"{service} and {noun.removeprefix('a ')} {_names(dependencies)}"
    return f"{_names(dependencies)}, {noun}"


# --- RP601 -------------------------------------------------------------------------------------


@rule(
    id="RP601",
    name="window-in-freeze",
    severity=Severity.ERROR,
    summary="A maintenance window occurs during a change freeze that covers one of its services.",
    background=_TEAM,
)
def window_in_freeze(ctx: RuleContext) -> Iterator[Problem]:
    """A change freeze (peak trading, a fiscal close) means no planned change to the services it
    covers; a maintenance window that falls inside it is a planned change all the same. Each
    window is checked against each freeze that covers one of its services (a freeze with neither
    ``services`` nor ``selector`` covers every service), over the part of the freeze from the
    as-of date on. The finding sits on the window's schedule and says how often and when it
    first collides; the freeze is the related location.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: loyalty}
        spec: {description: Loyalty points., tier: 3, owner: platform, customerFacing: true}
        ---
        apiVersion: relpolicy.dev/v1
        kind: ChangeFreeze
        metadata: {name: year-end}
        spec:
          reason: Books close for the fiscal year.
          start: "2027-01-25T00:00:00-05:00"
          end: "2027-02-06T00:00:00-05:00"
          services: [loyalty]
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: loyalty-weekly}
        spec:
          services: [loyalty]
          rrule: FREQ=WEEKLY;BYDAY=SU
          start: "06:00"
          duration: 3h
          timezone: America/New_York

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: loyalty}
        spec: {description: Loyalty points., tier: 3, owner: platform, customerFacing: true}
        ---
        apiVersion: relpolicy.dev/v1
        kind: ChangeFreeze
        metadata: {name: year-end}
        spec:
          reason: Books close for the fiscal year.
          start: "2027-01-25T00:00:00-05:00"
          end: "2027-02-06T00:00:00-05:00"
          services: [loyalty]
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: loyalty-monthly}
        spec:
          services: [loyalty]
          rrule: FREQ=MONTHLY;BYDAY=1SU
          start: "06:00"
          duration: 3h
          timezone: America/New_York
    """
    policy = ctx.policy
    freezes = [
        (
            freeze,
            frozenset(
                s.name for s in targeted_services(policy, freeze.spec.services, freeze.spec.selector, everyone=True)
            ),
        )
        for freeze in policy.change_freezes
    ]
    span = horizon(ctx.as_of)
    for targeted in _targeted(policy):
        window = targeted.window
        for freeze, frozen in freezes:
            shared = sorted(targeted.services & frozen)
            start = max(freeze.spec.start, span.start)
            if not shared or start >= freeze.spec.end:
                continue
            hits = _expand(window, start, freeze.spec.end)
            if not hits:
                continue
            zone = _zone(window)
            period = f"{_written(freeze.spec.start)} to {_written(freeze.spec.end)}"
            message = (
                f"maintenance window {window.name} falls in change freeze {freeze.name} ({period}) "
                f"{_times(len(hits))}, first {_occurrence(hits[0], zone)}, taking down {_names(shared)}: "
                f"no planned change may happen then ({freeze.spec.reason.rstrip('.')})"
            )
            related = Related(policy.locate(freeze, "spec", "start"), f"change freeze {freeze.name} starts")
            yield policy.problem("RP601", message, window, _schedule(window), related)


# --- RP602 -------------------------------------------------------------------------------------


@rule(
    id="RP602",
    name="window-in-business-hours",
    severity=Severity.WARNING,
    summary="A maintenance window takes a tier-1 customer-facing service down during business hours.",
    background=_STOREFRONT,
)
def window_in_business_hours(ctx: RuleContext) -> Iterator[Problem]:
    """Planned downtime of a tier-1 customer-facing service belongs outside business hours,
    when the fewest customers and staff need it. Business hours are the working hours of the
    calendars the service's priority levels run on (the clocks other than 24x7 ones: while the
    incident clock runs on business hours, the business is open); when its priority policy has
    no such clock, or it has none, every declared calendar that is not 24x7. Public holidays
    and days off of those calendars are not business hours. Occurrences in the 12 months from
    the as-of date are checked; the finding sits on the window's schedule with the first
    occurrence in business hours and how many there are, and the calendar and the service are
    related locations.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: storefront-weekly}
        spec:
          services: [storefront]
          rrule: FREQ=WEEKLY;BYDAY=TU
          start: "10:00"
          duration: 1h
          timezone: America/New_York
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: us-business}
        spec:
          timezone: America/New_York
          hours: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"],
                  fri: ["09:00-17:00"]}

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: storefront-weekly}
        spec:
          services: [storefront]
          rrule: FREQ=WEEKLY;BYDAY=TU
          start: "05:00"
          duration: 1h
          timezone: America/New_York
        ---
        apiVersion: relpolicy.dev/v1
        kind: Calendar
        metadata: {name: us-business}
        spec:
          timezone: America/New_York
          hours: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"], thu: ["09:00-17:00"],
                  fri: ["09:00-17:00"]}
    """
    policy = ctx.policy
    span = horizon(ctx.as_of)
    clocks = _BusinessClocks(policy)
    for targeted in _targeted(policy):
        exposed = [
            s
            for name in sorted(targeted.services)
            if (s := policy.get(Service, name)) is not None and s.spec.tier == 1 and s.spec.customer_facing
        ]
        calendars: dict[str, tuple[Calendar, BusinessCalendar]] = {}
        for service in exposed:
            calendars.update(clocks.of(service))
        if not calendars:
            continue
        found = _expand(targeted.window, span.start, span.end)
        if not found:
            continue
        hits = []
        for occurrence in found:
            for name, (_, clock) in sorted(calendars.items()):
                inside = clock.intervals(occurrence.start, occurrence.end)
                if inside:
                    hits.append((occurrence, name, sum((iv.length for iv in inside), dt.timedelta())))
                    break
        if not hits:
            continue
        first, name, overlap = hits[0]
        resource, clock = calendars[name]
        services = _names([f"{s.name}" for s in exposed])
        message = (
            f"maintenance window {targeted.window.name} takes down {services} (tier 1, customer-facing) during "
            f"business hours: {len(hits)} of its {len(found)} occurrences {_from(ctx.as_of)} overlap working hours "
            f"of {name}, the first {_occurrence(first, clock.zone)} ({format_duration(overlap)} of it in working "
            "hours); move it outside business hours"
        )
        related = [
            Related(policy.locate(resource, "spec", "hours"), f"business hours of {name}"),
            *(
                Related(policy.locate(s, "spec", "customerFacing"), f"{s.name} is tier 1 and customer-facing")
                for s in exposed
            ),
        ]
        yield policy.problem("RP602", message, targeted.window, _schedule(targeted.window), *related)


class _BusinessClocks:
    """The business calendars of each service, built once per calendar."""

    def __init__(self, policy: PolicySet) -> None:
        self.policy = policy
        self._built: dict[str, tuple[Calendar, BusinessCalendar] | None] = {}

    def _calendar(self, name: str) -> tuple[Calendar, BusinessCalendar] | None:
        if name not in self._built:
            resource = self.policy.calendar(name)
            built = None
            if resource is not None and resource.spec.hours.weekly_minutes() < WEEK_MINUTES:
                try:
                    built = (resource, BusinessCalendar.from_model(resource))
                except RelpolicyError:  # a holiday country the library does not know
                    built = None
            self._built[name] = built
        return self._built[name]

    def of(self, service: Service) -> dict[str, tuple[Calendar, BusinessCalendar]]:
        """Business calendars by name: the priority levels' business clocks, else every business calendar."""
        priorities = self.policy.priority_policy_of(service)
        names = sorted({level.clock for level in priorities.spec.levels} - {ALWAYS}) if priorities else []
        found = {name: built for name in names if (built := self._calendar(name)) is not None}
        if not found:
            found = {c.name: built for c in self.policy.calendars if (built := self._calendar(c.name)) is not None}
        return found


# --- RP603 -------------------------------------------------------------------------------------


@rule(
    id="RP603",
    name="window-dst",
    severity=Severity.WARNING,
    summary="A recurring window's local start time does not exist, or happens twice, on a DST change within the "
    "next 12 months.",
    background=_TEAM,
)
def window_dst(ctx: RuleContext) -> Iterator[Problem]:
    """A recurring window starts at a local time in its zone. On the night the clocks go
    forward that time may not exist (02:30 in New York on the second Sunday of March), and on
    the night they go back it may happen twice (01:30): the window then starts an hour late, or
    at a moment people may read differently. relpolicy follows RFC 5545 (a skipped time is read
    with the offset from before the change, so 02:30 becomes 03:30; a repeated time is its first
    occurrence), but a start clear of the change avoids the question. Starts in the 12 months
    from the as-of date are checked; the finding sits on ``start``, with the first affected
    date and how the start is read then.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: search}
        spec: {description: Product search., tier: 3, owner: platform, customerFacing: true}
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: search-weekly}
        spec:
          services: [search]
          rrule: FREQ=WEEKLY;BYDAY=SU
          start: "02:30"
          duration: 1h
          timezone: America/New_York

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: search}
        spec: {description: Product search., tier: 3, owner: platform, customerFacing: true}
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: search-weekly}
        spec:
          services: [search]
          rrule: FREQ=WEEKLY;BYDAY=SU
          start: "04:00"
          duration: 1h
          timezone: America/New_York
    """
    policy = ctx.policy
    span = horizon(ctx.as_of)
    for window in policy.maintenance_windows:
        if window.spec.rrule is None:
            continue
        try:
            recurrence = Recurrence.of(window.spec)
            starts = [
                local
                for local in recurrence.local_starts(span.start, span.end)
                if span.contains(event_instant(local, recurrence.zone))
            ]
        except RecurrenceError:
            continue
        odd = [(local, kind) for local in starts if (kind := classify(local, recurrence.zone)) is not LocalTime.NORMAL]
        if not odd:
            continue
        local, kind = odd[0]
        zone = recurrence.zone
        first, second = (local.replace(tzinfo=zone, fold=fold).utcoffset() or dt.timedelta() for fold in (0, 1))
        instant = event_instant(local, zone)
        if kind is LocalTime.GAP:
            what = (
                f"does not exist on {local:%a %Y-%m-%d} (the clocks go forward {format_duration(second - first)}): "
                f"that occurrence starts at {instant.astimezone(zone):%H:%M} {offset_label(instant, zone)} instead"
            )
        else:
            what = (
                f"happens twice on {local:%a %Y-%m-%d} (the clocks go back {format_duration(first - second)}): "
                f"the window starts at the first, {instant.astimezone(zone):%H:%M} {offset_label(instant, zone)}"
            )
        message = (
            f"maintenance window {window.name} starts at {window.spec.start} {window.spec.timezone}, which {what}; "
            f"{len(odd)} of its {len(starts)} starts {_from(ctx.as_of)} {'falls' if len(odd) == 1 else 'fall'} on "
            "a DST change: choose a start clear of it"
        )
        related = Related(policy.locate(window, "spec", "timezone"), f"local times are read in {window.spec.timezone}")
        yield policy.problem("RP603", message, window, ("spec", "start"), related)


# --- RP604 -------------------------------------------------------------------------------------


@rule(
    id="RP604",
    name="window-stacking",
    severity=Severity.WARNING,
    summary="A service and its hard dependencies take separate maintenance windows, so it goes down more often.",
    background=_TEAM,
    facts=("hard_needs", "hard_closure"),
)
def window_stacking(ctx: RuleContext) -> Iterator[Problem]:
    """A service is down during its own maintenance windows and during those of everything it
    hard-depends on. When the two schedules do not line up, the service (and everything that
    needs it) goes down at both times instead of once. For each window of a service and each
    window of one of its transitive hard dependencies, the outages they cause together in the
    12 months from the as-of date are counted, overlapping occurrences once: when there are more
    than either window causes alone, they stack. The finding sits on the dependent service's
    window; the dependency's window is the related location.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: orders-api}
        spec:
          description: Order API.
          tier: 3
          owner: platform
          dependsOn: [{service: orders-db, type: hard}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: orders-db}
        spec: {description: Orders database., tier: 3, owner: platform}
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: orders-api-weekly}
        spec:
          services: [orders-api]
          rrule: FREQ=WEEKLY;BYDAY=SA
          start: "02:00"
          duration: 1h
          timezone: Europe/London
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: orders-db-weekly}
        spec:
          services: [orders-db]
          rrule: FREQ=WEEKLY;BYDAY=SU
          start: "02:00"
          duration: 2h
          timezone: Europe/London

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: orders-api}
        spec:
          description: Order API.
          tier: 3
          owner: platform
          dependsOn: [{service: orders-db, type: hard}]
        ---
        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: orders-db}
        spec: {description: Orders database., tier: 3, owner: platform}
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: orders-api-weekly}
        spec:
          services: [orders-api]
          rrule: FREQ=WEEKLY;BYDAY=SU
          start: "02:30"
          duration: 1h
          timezone: Europe/London
        ---
        apiVersion: relpolicy.dev/v1
        kind: MaintenanceWindow
        metadata: {name: orders-db-weekly}
        spec:
          services: [orders-db]
          rrule: FREQ=WEEKLY;BYDAY=SU
          start: "02:00"
          duration: 2h
          timezone: Europe/London
    """
    policy = ctx.policy
    windows = _targeted(policy)
    marks = _marks(windows)
    needs = ctx.graph.hard_needs(marks)
    # (own window, other window) -> the services of the own window that need a service of the other
    pairs: dict[tuple[str, str], tuple[_Targeted, _Targeted, set[str]]] = {}
    for own in windows:
        for service in own.services:
            for index in set_bits(needs[service] & ~marks[service]):  # not the windows of the service itself
                other = windows[index]
                pairs.setdefault((own.window.name, other.window.name), (own, other, set()))[2].add(service)
    if not pairs:
        return
    span = horizon(ctx.as_of)
    expanded: dict[str, list[Interval] | None] = {}

    def expand_once(window: MaintenanceWindow) -> list[Interval] | None:
        if window.name not in expanded:  # each window once, however many pairs it is in
            expanded[window.name] = _expand(window, span.start, span.end)
        return expanded[window.name]

    for (own_name, other_name), (own, other, dependents) in sorted(pairs.items()):
        mine = expand_once(own.window)
        theirs = expand_once(other.window)
        if not mine or not theirs:
            continue
        alone = max(len(union(mine)), len(union(theirs)))
        together = len(union([*mine, *theirs]))
        if together <= alone:
            continue
        examples = [
            f"{_occurrence(alone_[0], _zone(w))} ({w.name})"
            for alone_, w in ((outside(mine, union(theirs)), own.window), (outside(theirs, union(mine)), other.window))
            if alone_
        ]
        needed = {d for service in dependents for d in ctx.graph.hard_closure(service) & other.services}
        message = (
            f"maintenance window {own_name} takes down {_names(sorted(dependents))}, which "
            f"{'hard-depends' if len(dependents) == 1 else 'hard-depend'} on {_names(sorted(needed))}, taken down "
            f"separately by window {other_name}: {_names(sorted(dependents))} "
            f"{'goes' if len(dependents) == 1 else 'go'} down {together} times {_from(ctx.as_of)} instead of "
            f"{alone} (e.g. {' and '.join(examples)}); schedule the two windows together"
        )
        related = Related(policy.locate(other.window, *_schedule(other.window)), f"window {other_name}")
        yield policy.problem("RP604", message, own.window, _schedule(own.window), related)


RULES: Final = (maintenance_exceeds_budget, window_in_freeze, window_in_business_hours, window_dst, window_stacking)
