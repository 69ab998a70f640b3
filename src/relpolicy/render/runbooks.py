"""Runbooks: one Markdown page per service, and an index, for the engineer on call.

Each page gathers what the policy says about one service, resolved the way the rules resolve it
(the owner's coverage and escalation policy when the service names none, the only priority
policy when there is one): who owns it and how to reach them, the steps to diagnose, restore and
verify, the priority levels that apply, SLOs with their error budgets, dependencies both ways
with a Mermaid diagram, the blast radius, maintenance windows and change freezes, and recovery.

Pages are rendered from data (the dataclasses below) by the templates ``runbook.md.j2`` and
``runbook-index.md.j2``, so a user template sees the same names. Everything is sorted; nothing
depends on the clock. With ``as_of`` the pages add what depends on the date: the next
maintenance occurrences, whether a freeze is in force, whether a restore test is overdue, and
the budget of the current period of a calendar SLO window.

Links between pages are relative (``checkout.md``), so they work on GitHub and in any checkout.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from typing import Final

import jinja2

from relpolicy.chrono.intervals import Interval
from relpolicy.chrono.wallclock import UTC, zone_named
from relpolicy.chrono.windows import next_occurrences, targeted_services
from relpolicy.errors import RelpolicyError
from relpolicy.graph import ServiceGraph
from relpolicy.model.calendar import ALWAYS, WEEKDAYS, Calendar
from relpolicy.model.maintenance import ChangeFreeze, MaintenanceWindow
from relpolicy.model.priority import IMPACTS
from relpolicy.model.service import Backups, Recovery, Service
from relpolicy.model.slo import SLO
from relpolicy.model.team import Team
from relpolicy.policy import PolicySet
from relpolicy.render import formatting as fmt
from relpolicy.render.downtime import WindowBudget, window_budget
from relpolicy.render.graph_export import around, to_mermaid, whole
from relpolicy.render.impact import BlastRadius, blast_radius
from relpolicy.render.templating import render_template

INDEX_FILE: Final = "README.md"
"""The index is the folder's README, so GitHub shows it when the folder is opened."""
NEXT_OCCURRENCES: Final = 3
DEFAULT_RESTORE_TEST_EVERY: Final = dt.timedelta(days=90)
_DAY_NAMES: Final = dict(
    zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)
)


def page_file(service: str) -> str:
    """The page of a service: ``checkout.md`` (``readme`` gets ``readme_.md``, clear of the index
    on case-insensitive file systems; no service name has an underscore)."""
    return f"{service}_.md" if service == INDEX_FILE.removesuffix(".md").lower() else f"{service}.md"


# --- The data a page shows ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServiceRef:
    """A service named on a page: linked when it has a page."""

    name: str
    file: str | None
    """Its page, or None when no such service exists (``relpolicy check`` reports it)."""
    tier: int | None
    owner: str | None

    @property
    def link(self) -> str:
        """Markdown: ``[checkout](checkout.md)``, or the bare name of an unknown service."""
        return f"[{self.name}]({self.file})" if self.file else f"`{self.name}` (no such service)"


@dataclass(frozen=True, slots=True)
class Member:
    """A person in a team."""

    name: str
    email: str
    role: str | None


@dataclass(frozen=True, slots=True)
class CalendarView:
    """When a calendar runs, in words."""

    name: str
    title: str
    timezone: str | None
    always: bool
    hours: tuple[tuple[str, str], ...]
    """(day, ranges) for each weekday with hours, Monday first."""
    holidays: str | None
    """``public holidays of GB-ENG, and 2026-12-24, 2026-12-31``."""
    known: bool = True
    """False when the calendar is named but not defined."""

    @property
    def summary(self) -> str:
        """One line: ``24x7`` or ``us-business: US business hours (New York), America/New_York``."""
        if self.always:
            return "24x7"
        if not self.known:
            return f"{self.name} (not defined)"
        title = f": {self.title}" if self.title != self.name else ""
        return f"{self.name}{title}, {self.timezone}"


@dataclass(frozen=True, slots=True)
class TeamView:
    """The owning team and how to reach it."""

    name: str
    title: str
    description: str | None
    coverage: CalendarView
    members: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who an escalation step notifies: a team's on-call, or a person."""

    kind: str
    """``team`` or ``person``."""
    name: str
    detail: str
    """``Commerce Web, answers always (24x7)``; ``rachel.stein@example.com, VP engineering in incident-command``."""


@dataclass(frozen=True, slots=True)
class EscalationStep:
    """One step: after how long, whom."""

    after: str
    recipients: tuple[Recipient, ...]


@dataclass(frozen=True, slots=True)
class EscalationView:
    """The escalation policy that applies, and where it comes from."""

    name: str
    title: str
    source: str
    """``set on the service`` or ``from the owner, commerce-web``."""
    steps: tuple[EscalationStep, ...]
    repeat: int


@dataclass(frozen=True, slots=True)
class PriorityRow:
    """The level an incident of one impact on this service gets, and its targets."""

    impact: str
    level: str
    description: str
    response: str
    restore: str
    clock: str
    status_updates: str
    picked_by: str
    """``rule 1`` or ``the default``."""


@dataclass(frozen=True, slots=True)
class PriorityView:
    """The priority policy that applies to the service."""

    name: str
    title: str
    rows: tuple[PriorityRow, ...]


@dataclass(frozen=True, slots=True)
class SloView:
    """One SLO of the service and its error budget."""

    name: str
    indicator: str
    description: str | None
    objective: str
    sla: str | None
    budget: WindowBudget
    sla_budget: WindowBudget | None
    maintenance_counts: bool


@dataclass(frozen=True, slots=True)
class DependencyView:
    """One ``dependsOn`` entry: a service, or redundant alternatives."""

    services: tuple[ServiceRef, ...]
    hard: bool
    any_of: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class DependentView:
    """A service that depends on this one."""

    service: ServiceRef
    hard: bool
    any_of: bool
    note: str | None


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of a maintenance window, in the window's zone and in UTC."""

    start_local: str
    end_local: str
    start_utc: str
    end_utc: str


@dataclass(frozen=True, slots=True)
class WindowView:
    """A maintenance window that takes this service down."""

    name: str
    description: str | None
    schedule: str
    duration: str
    targeted: str
    """``named`` or ``selector domain=back-office``."""
    occurrences: tuple[Occurrence, ...]
    problem: str | None
    """Why occurrences cannot be listed (a recurrence relpolicy cannot expand)."""


@dataclass(frozen=True, slots=True)
class FreezeView:
    """A change freeze that covers this service."""

    name: str
    title: str
    reason: str
    start: str
    end: str
    start_utc: str
    end_utc: str
    targeted: str
    status: str | None
    """``in force``, ``upcoming`` or ``ended`` as of the date given; None without one."""


@dataclass(frozen=True, slots=True)
class RestoreTest:
    """The last restore test and when the next one is due."""

    last: str | None
    every: str
    every_source: str
    """``restoreTestEvery`` or ``the default``."""
    next_due: str | None
    status: str | None
    """``overdue by 12 days`` or ``due in 30 days`` as of the date given; ``never tested``."""


@dataclass(frozen=True, slots=True)
class RecoveryView:
    """Recovery objectives, backups against 3-2-1, and restore tests."""

    rto: str
    rpo: str
    backups: str | None
    rule_321: tuple[str, ...]
    """What the backups lack for 3-2-1; empty when they meet it (or there are none to judge)."""
    restore_test: RestoreTest


@dataclass(frozen=True, slots=True)
class Link:
    """A link from the service's runbook."""

    title: str
    url: str


@dataclass(frozen=True, slots=True)
class ServicePage:
    """Everything one runbook page shows."""

    name: str
    file: str
    title: str
    description: str
    tier: int
    lifecycle: str
    customer_facing: bool
    labels: tuple[str, ...]
    owner_name: str | None
    owner: TeamView | None
    coverage: CalendarView | None
    coverage_source: str
    escalation: EscalationView | None
    priorities: PriorityView | None
    slos: tuple[SloView, ...]
    dependencies: tuple[DependencyView, ...]
    dependents: tuple[DependentView, ...]
    diagram: str
    blast: BlastRadius
    blast_refs: dict[str, ServiceRef]
    windows: tuple[WindowView, ...]
    freezes: tuple[FreezeView, ...]
    recovery: RecoveryView | None
    patch_cadence: str | None
    emergency_patch: str | None
    diagnose: tuple[str, ...]
    restore: tuple[str, ...]
    verify: tuple[str, ...]
    links: tuple[Link, ...]
    as_of: str | None


@dataclass(frozen=True, slots=True)
class IndexRow:
    """A service in the index."""

    service: ServiceRef
    title: str
    description: str
    tier: int
    coverage: str
    customer_facing: bool
    steps: bool
    """Does the page have restore steps?"""


# --- Building pages --------------------------------------------------------------------------------


class _Pages:
    """Builds the pages of one policy set; holds what every page shares."""

    def __init__(
        self, policy: PolicySet, graph: ServiceGraph, as_of: dt.date | None, restore_test_every: dt.timedelta
    ) -> None:
        self.policy = policy
        self.graph = graph
        self.as_of = as_of
        self.instant = None if as_of is None else dt.datetime.combine(as_of, dt.time(), UTC)
        self.restore_test_every = restore_test_every
        self.people = {m.email: (m, t) for t in reversed(policy.teams) for m in t.spec.members}
        """Each email's member entry and team (the first team in name order, when in several)."""

    def ref(self, name: str) -> ServiceRef:
        service = self.graph.services.get(name)
        if service is None:
            return ServiceRef(name, None, None, None)
        return ServiceRef(name, page_file(name), service.spec.tier, service.spec.owner)

    def calendar(self, name: str) -> CalendarView:
        if name == ALWAYS:
            return CalendarView(ALWAYS, "24x7", None, always=True, hours=(), holidays=None)
        found = self.policy.calendar(name)
        if found is None:
            return CalendarView(name, name, None, always=False, hours=(), holidays=None, known=False)
        return _calendar_view(found)

    def team(self, team: Team) -> TeamView:
        members = tuple(Member(m.name, m.email, m.role) for m in team.spec.members)
        return TeamView(
            team.name, team.metadata.title, team.spec.description, self.calendar(team.spec.coverage), members
        )

    def escalation(self, service: Service) -> EscalationView | None:
        found = self.policy.escalation_policy_of(service)
        if found is None:
            return None
        source = "set on the service" if service.spec.escalation_policy else f"from the owner, {service.spec.owner}"
        steps = tuple(
            EscalationStep(_after(step.after), tuple(self.recipient(t.team, t.person) for t in step.notify))
            for step in sorted(found.spec.steps, key=lambda s: s.after)
        )
        return EscalationView(found.name, found.metadata.title, source, steps, found.spec.repeat)

    def recipient(self, team_name: str | None, email: str | None) -> Recipient:
        if team_name is not None:
            team = self.policy.get(Team, team_name)
            if team is None:
                return Recipient("team", team_name, "not defined")
            answers = self.calendar(team.spec.coverage).summary
            return Recipient("team", team_name, f"{team.metadata.title}, answers {answers}")
        assert email is not None  # noqa: S101 - the model requires a team or a person
        found = self.people.get(email)
        if found is None:
            return Recipient("person", email, "not a member of any team")
        member, team = found
        role = f"{member.role} in" if member.role else "member of"
        return Recipient("person", member.name, f"{email}, {role} {team.name}")

    def priorities(self, service: Service) -> PriorityView | None:
        found = self.policy.priority_policy_of(service)
        if found is None:
            return None
        rows = []
        for impact in IMPACTS:
            name, rule_index = found.spec.pick(service.spec.tier, impact, service.metadata.labels)
            picked = "the default" if rule_index is None else f"rule {rule_index + 1}"
            level = found.spec.level(name)
            if level is None:
                rows.append(PriorityRow(impact, name, "(level not defined)", "—", "—", "—", "—", picked))
                continue
            restore = "scheduled" if level.restore is None else fmt.duration(level.restore)
            updates = f"every {fmt.duration(level.status_update_every)}" if level.status_update_every else "—"
            rows.append(
                PriorityRow(
                    impact,
                    name,
                    level.description,
                    fmt.duration(level.response),
                    restore,
                    self.calendar(level.clock).summary,
                    updates,
                    picked,
                )
            )
        return PriorityView(found.name, found.metadata.title, tuple(rows))

    def slo(self, slo: SLO) -> SloView:
        spec = slo.spec
        indicator = spec.indicator
        what: str = indicator.type
        if indicator.type == "latency":
            what = f"latency under {indicator.threshold // dt.timedelta(milliseconds=1)}ms"
        description = spec.description or indicator.description
        sla_budget = None if spec.sla is None else window_budget(spec.sla, spec.time_window, self.as_of)
        return SloView(
            slo.name,
            what,
            description,
            fmt.percent(spec.objective),
            None if spec.sla is None else fmt.percent(spec.sla),
            window_budget(spec.objective, spec.time_window, self.as_of),
            sla_budget,
            spec.maintenance_counts_against_budget,
        )

    def dependencies(self, service: Service) -> tuple[DependencyView, ...]:
        entries = [
            DependencyView(tuple(self.ref(n) for n in d.names), d.is_hard, d.any_of is not None, d.note)
            for d in service.spec.depends_on
        ]
        return tuple(sorted(entries, key=lambda d: (not d.hard, [s.name for s in d.services])))

    def dependents(self, name: str) -> tuple[DependentView, ...]:
        found = []
        for dependent in sorted(self.graph.dependents(name)):
            entries = [e for e in self.graph.entries[dependent] if name in e.targets]
            notes = [n for e in entries if (n := self.graph.services[dependent].spec.depends_on[e.position].note)]
            found.append(
                DependentView(
                    self.ref(dependent),
                    any(e.hard for e in entries),
                    all(e.any_of for e in entries),
                    "; ".join(notes) or None,
                )
            )
        return tuple(sorted(found, key=lambda d: (not d.hard, d.service.name)))

    @cached_property
    def _windows_by_service(self) -> dict[str, list[MaintenanceWindow]]:
        """Each service's windows, in name order: every window's targets resolved once, not per page."""
        found: dict[str, list[MaintenanceWindow]] = {}
        for window in self.policy.maintenance_windows:
            for target in targeted_services(self.policy, window.spec.services, window.spec.selector):
                found.setdefault(target.name, []).append(window)
        return found

    @cached_property
    def _freezes_by_service(self) -> dict[str, list[ChangeFreeze]]:
        """Each service's change freezes; a freeze with neither services nor selector covers all."""
        found: dict[str, list[ChangeFreeze]] = {}
        for freeze in self.policy.change_freezes:
            spec = freeze.spec
            for target in targeted_services(self.policy, spec.services, spec.selector, everyone=True):
                found.setdefault(target.name, []).append(freeze)
        return found

    def windows(self, service: Service) -> tuple[WindowView, ...]:
        return tuple(self.window(w) for w in self._windows_by_service.get(service.name, []))

    def window(self, window: MaintenanceWindow) -> WindowView:
        spec = window.spec
        if spec.at is not None:
            zone: dt.tzinfo = spec.at.tzinfo or UTC
            schedule = f"Once, at {fmt.written_time(spec.at)}"
        else:
            zone = zone_named(spec.timezone or "UTC")
            schedule = f"`{spec.rrule}` at {spec.start} {spec.timezone}"
        occurrences: tuple[Occurrence, ...] = ()
        problem = None
        try:
            if self.instant is not None:
                found = next_occurrences(spec, self.instant, NEXT_OCCURRENCES)
                occurrences = tuple(_occurrence(o, zone) for o in found)
            elif spec.at is not None:
                occurrences = (_occurrence(Interval(spec.at, spec.at + spec.duration), zone),)
        except RelpolicyError as error:
            problem = str(error)
        return WindowView(
            window.name,
            spec.description,
            schedule,
            fmt.duration(spec.duration),
            _targeting(spec.services, spec.selector),
            occurrences,
            problem,
        )

    def freezes(self, service: Service) -> tuple[FreezeView, ...]:
        views = [self.freeze(f) for f in self._freezes_by_service.get(service.name, [])]
        return tuple(sorted(views, key=lambda f: (f.start_utc, f.name)))

    def freeze(self, freeze: ChangeFreeze) -> FreezeView:
        spec = freeze.spec
        status = None
        if self.instant is not None:
            status = "ended" if spec.end <= self.instant else "in force" if spec.start <= self.instant else "upcoming"
        targeted = _targeting(spec.services, spec.selector) if spec.services or spec.selector else "every service"
        return FreezeView(
            freeze.name,
            freeze.metadata.title,
            spec.reason,
            fmt.written_time(spec.start),
            fmt.written_time(spec.end),
            fmt.utc_time(spec.start),
            fmt.utc_time(spec.end),
            targeted,
            status,
        )

    def recovery(self, recovery: Recovery | None) -> RecoveryView | None:
        if recovery is None:
            return None
        backups = None if recovery.backups is None else _backups_text(recovery.backups)
        return RecoveryView(
            fmt.duration(recovery.rto),
            fmt.duration(recovery.rpo),
            backups,
            _shortfalls_321(recovery.backups),
            self.restore_test(recovery),
        )

    def restore_test(self, recovery: Recovery) -> RestoreTest:
        every = recovery.restore_test_every or self.restore_test_every
        source = "restoreTestEvery" if recovery.restore_test_every else "the default"
        last = recovery.last_restore_test
        if last is None:
            return RestoreTest(None, fmt.duration(every), source, None, "never tested")
        due = last + dt.timedelta(days=every.days)
        status = None
        if self.as_of is not None:
            days = (due - self.as_of).days
            status = f"overdue by {_days(-days)}" if days < 0 else "due today" if days == 0 else f"due in {_days(days)}"
        return RestoreTest(last.isoformat(), fmt.duration(every), source, due.isoformat(), status)

    def page(self, service: Service) -> ServicePage:
        spec = service.spec
        owner = self.policy.owner_of(service)
        coverage_name = self.policy.coverage_of(service)
        coverage_source = "set on the service" if spec.coverage else f"from the owner, {spec.owner}"
        radius = blast_radius(self.graph, service.name)
        runbook = spec.runbook
        patching = spec.patching
        return ServicePage(
            name=service.name,
            file=page_file(service.name),
            title=service.metadata.title,
            description=spec.description,
            tier=spec.tier,
            lifecycle=spec.lifecycle,
            customer_facing=spec.customer_facing,
            labels=tuple(f"{k}={v}" for k, v in sorted(service.metadata.labels.items())),
            owner_name=spec.owner,
            owner=None if owner is None else self.team(owner),
            coverage=None if coverage_name is None else self.calendar(coverage_name),
            coverage_source=coverage_source,
            escalation=self.escalation(service),
            priorities=self.priorities(service),
            slos=tuple(self.slo(s) for s in self.policy.slos_of(service.name)),
            dependencies=self.dependencies(service),
            dependents=self.dependents(service.name),
            diagram=to_mermaid(around(self.graph, service.name, 1)),
            blast=radius,
            blast_refs={a.name: self.ref(a.name) for a in (*radius.down, *radius.degraded)},
            windows=self.windows(service),
            freezes=self.freezes(service),
            recovery=self.recovery(spec.recovery),
            patch_cadence=None if patching is None or patching.cadence is None else fmt.duration(patching.cadence),
            emergency_patch=(
                None
                if patching is None or patching.emergency_within is None
                else fmt.duration(patching.emergency_within)
            ),
            diagnose=tuple(runbook.diagnose) if runbook else (),
            restore=tuple(runbook.restore) if runbook else (),
            verify=tuple(runbook.verify) if runbook else (),
            links=tuple(Link(link.title, link.url) for link in runbook.links) if runbook else (),
            as_of=None if self.as_of is None else self.as_of.isoformat(),
        )

    def index_row(self, service: Service) -> IndexRow:
        coverage = self.policy.coverage_of(service)
        steps = service.spec.runbook is not None and bool(service.spec.runbook.restore)
        return IndexRow(
            self.ref(service.name),
            service.metadata.title,
            service.spec.description,
            service.spec.tier,
            "—" if coverage is None else self.calendar(coverage).summary,
            service.spec.customer_facing,
            steps,
        )


def _calendar_view(calendar: Calendar) -> CalendarView:
    spec = calendar.spec
    hours = tuple((_DAY_NAMES[day], ", ".join(spec.hours.on(i))) for i, day in enumerate(WEEKDAYS) if spec.hours.on(i))
    holidays = None
    if spec.holidays is not None:
        parts = []
        if spec.holidays.country is not None:
            region = "-".join(p for p in (spec.holidays.country, spec.holidays.subdivision) if p)
            parts.append(f"public holidays of {region}")
        if spec.holidays.dates:
            parts.append(", ".join(d.isoformat() for d in sorted(spec.holidays.dates)))
        holidays = " and ".join(parts) or None
    return CalendarView(
        calendar.name,
        calendar.metadata.title,
        spec.timezone,
        always=spec.is_round_the_clock,
        hours=hours,
        holidays=holidays,
    )


def _occurrence(interval: Interval, zone: dt.tzinfo) -> Occurrence:
    return Occurrence(
        fmt.local_time(interval.start, zone),
        fmt.local_time(interval.end, zone),
        fmt.utc_time(interval.start),
        fmt.utc_time(interval.end),
    )


def _targeting(services: list[str] | None, selector: object) -> str:
    if services is not None:
        return "named"
    labels = getattr(selector, "match_labels", {})
    return "selector " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _backups_text(backups: Backups) -> str:
    media = sorted({m.strip() for m in backups.media})
    parts = [f"{backups.copies} {'copy' if backups.copies == 1 else 'copies'} besides the live data"]
    if media:
        parts.append(f"on {', '.join(media)}")
    parts.append("offsite" if backups.offsite else "none offsite")
    parts.append("offline" if backups.offline else "none offline")
    parts.append(f"every {fmt.duration(backups.every)}")
    return ", ".join(parts)


def _shortfalls_321(backups: Backups | None) -> tuple[str, ...]:
    """What the backups lack for 3-2-1 (3 copies in all, on 2 media, 1 offsite), as RP503 judges."""
    if backups is None:
        return ()
    found = []
    if backups.copies < 2:
        found.append(f"3 copies in all: {backups.copies + 1} counting the live data")
    if backups.copies > 0:
        media = {m.strip().casefold() for m in backups.media}
        if len(media) < 2:
            found.append(f"2 different media: {len(media)} declared")
        if not backups.offsite:
            found.append("1 copy offsite: none")
    return tuple(found)


def _after(delay: dt.timedelta) -> str:
    return "at once" if not delay else f"after {fmt.duration(delay)}"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


# --- Rendering -----------------------------------------------------------------------------------


def service_page(
    policy: PolicySet,
    graph: ServiceGraph,
    name: str,
    *,
    as_of: dt.date | None = None,
    restore_test_every: dt.timedelta = DEFAULT_RESTORE_TEST_EVERY,
) -> ServicePage:
    """The data of one service's page (what ``runbook.md.j2`` is given as ``page``)."""
    return _Pages(policy, graph, as_of, restore_test_every).page(graph.services[name])


def render_runbooks(
    env: jinja2.Environment,
    policy: PolicySet,
    graph: ServiceGraph,
    *,
    as_of: dt.date | None = None,
    restore_test_every: dt.timedelta = DEFAULT_RESTORE_TEST_EVERY,
) -> dict[str, str]:
    """Every runbook page and the index, by file name."""
    pages = _Pages(policy, graph, as_of, restore_test_every)
    services = policy.services
    files = {page_file(s.name): render_template(env, "runbook.md.j2", page=pages.page(s)) for s in services}
    rows = sorted((pages.index_row(s) for s in services), key=lambda r: (r.tier, r.service.name))
    files[INDEX_FILE] = render_template(
        env,
        "runbook-index.md.j2",
        rows=rows,
        as_of=None if as_of is None else as_of.isoformat(),
        diagram=to_mermaid(whole(graph)),
    )
    return dict(sorted(files.items()))
