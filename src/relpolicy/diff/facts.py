"""What a side promises, as facts: ``(category, subject, aspect) -> Value``.

Two kinds of facts:

- **fields**: every leaf of a resource as written (``spec.objective``), flattened by key path;
  ``dependsOn`` entries are keyed by the services they name, priority levels by their name and
  escalation steps by their number, so that reordering a list is not a change;
- **consequences** the engine computes: error budgets, availability ceilings (with the terms
  that make them), hard and tier-1 dependents, single points of failure, the priority table,
  planned downtime per SLO window, windows inside freezes, and support coverage.

Each value carries its text for people, a rank for the classification (see
:mod:`relpolicy.diff.table`) and, for a ceiling or a set of dependents, the parts it is made of,
so a change can name what moved underneath. The costly consequences (dependents, planned
downtime) are computed only for the services and SLOs a change can reach (a :class:`Focus`);
with no focus they are computed for everything.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any, Final, NamedTuple

from relpolicy.chrono.budget import SloWindow, worst_window
from relpolicy.chrono.intervals import Interval, Timeline
from relpolicy.chrono.wallclock import UTC
from relpolicy.chrono.windows import horizon, occurrences, targeted_services
from relpolicy.diff.sides import Side
from relpolicy.model.base import Resource
from relpolicy.model.priority import IMPACTS, PriorityPolicy
from relpolicy.model.service import Service
from relpolicy.model.slo import SLO
from relpolicy.model.types import DURATION_PATTERN, format_duration, parse_duration
from relpolicy.policy import ResourceId
from relpolicy.timebase.recurrence import RecurrenceError

INFINITY: Final = Decimal("Infinity")
TIERS: Final = (1, 2, 3, 4)
_DURATION: Final = re.compile(DURATION_PATTERN)
_LEVEL: Final = re.compile(r"^P([1-9])$")
_CLOCK_PATHS: Final = re.compile(r"^spec\.(levels\[[^]]*\]\.clock|coverage)$")
_SECOND: Final = dt.timedelta(seconds=1)


class Key(NamedTuple):
    """What a fact is about."""

    category: str
    kind: str
    subject: str
    """``Service/checkout``; for a rename, the kind."""
    aspect: str


class Value(NamedTuple):
    """A fact's value on one side."""

    text: str
    rank: Decimal | None = None
    parts: tuple[tuple[str, str], ...] = ()
    """Named parts (a ceiling's terms, the dependents), compared when the value changes."""


Facts = dict[Key, Value]


@dataclass(frozen=True, slots=True)
class Focus:
    """The services and SLOs whose costly consequences are worth computing (None: all)."""

    services: frozenset[str] | None = None
    slos: frozenset[str] | None = None

    def pick_slos(self, side: Side) -> list[SLO]:
        """The side's SLOs in focus, in name order (looked up by name when the focus is a set)."""
        if self.slos is None:
            return side.policy.slos
        named = side.policy.named(SLO)
        return [named[name] for name in sorted(self.slos) if name in named]

    def pick_services(self, side: Side) -> list[Service]:
        """The side's services in focus, in name order."""
        if self.services is None:
            return side.policy.services
        named = side.policy.named(Service)
        return [named[name] for name in sorted(self.services) if name in named]


# --- Fields --------------------------------------------------------------------------------------


def rid(resource: Resource) -> ResourceId:
    """A resource's identity."""
    return ResourceId(resource.KIND, resource.name)


def field_facts(side: Side, resource: Resource) -> Facts:
    """Every leaf of ``resource`` as written, by key path."""
    data = resource.model_dump(by_alias=True, exclude_unset=True, mode="json")
    subject = str(rid(resource))
    facts: Facts = {}
    tier1 = isinstance(resource, Service) and resource.spec.tier == 1
    for path, value in _leaves(data, ""):
        if path in {"apiVersion", "kind", "metadata.name"}:
            continue
        facts[Key("field", resource.KIND, subject, path)] = _field_value(side, path, value, tier1=tier1)
    return facts


def _leaves(data: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _keyed(value, f"{path}.{key}" if path else str(key))
    else:
        yield path, data


def _keyed(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Lists become keyed entries where the items have an identity; other lists are one value."""
    if path == "spec.dependsOn" and isinstance(value, list):
        for entry in value:
            targets = entry.get("service") or "|".join(entry.get("anyOf") or ())
            name = targets if "service" in entry else f"anyOf {targets}"
            yield f"{path}[{name}]", {"dependency": entry.get("type", "hard")}
    elif path == "spec.levels" and isinstance(value, list):
        for level in value:
            yield from _leaves({k: v for k, v in level.items() if k != "name"}, f"{path}[{level.get('name')}]")
    elif path == "spec.steps" and isinstance(value, list):
        for number, step in enumerate(value, start=1):
            yield f"{path}[{number}]", {"step": step}
    elif isinstance(value, dict):
        yield from _leaves(value, path)
    else:
        yield path, value


def _field_value(side: Side, path: str, value: Any, *, tier1: bool) -> Value:
    if isinstance(value, dict) and "dependency" in value:
        kind = value["dependency"]
        return Value(kind, Decimal(1 if kind == "hard" and tier1 else 0))
    if isinstance(value, dict) and "step" in value:
        return Value(_step_text(value["step"]), Decimal(1))
    if _CLOCK_PATHS.match(path) and isinstance(value, str):
        minutes = side.graph.weekly_minutes(value)
        return Value(value, None if minutes is None else Decimal(minutes))
    return Value(_text(value), _rank(value))


def _step_text(step: Mapping[str, Any]) -> str:
    targets = ", ".join(f"{k} {v}" for target in step.get("notify", ()) for k, v in target.items())
    return f"after {step.get('after')} notify {targets}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def _rank(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        if value == "scheduled":
            return INFINITY
        if _DURATION.match(value):
            return Decimal(parse_duration(value) // _SECOND)
    return None


# --- Consequences --------------------------------------------------------------------------------


def budgets(side: Side, focus: Focus) -> Facts:
    """The error budget of each SLO in focus: minutes of one window (the one holding the as-of date, for calendar
    windows). A budget depends on the SLO alone."""
    facts: Facts = {}
    start = dt.datetime.combine(side.as_of, dt.time(), tzinfo=UTC)
    for slo in focus.pick_slos(side):
        spec = slo.spec
        try:
            window = SloWindow.parse(spec.time_window)
            length = window.length(window.period_containing(start).start)
            budget = window.budget(spec.objective, window.period_containing(start).start)
        except ValueError:
            continue
        where = f"{length.days} days" if window.is_calendar else spec.time_window
        text = f"{_minutes(budget)} per {where}"
        fraction = (Decimal(100) - spec.objective) / Decimal(100)
        facts[Key("error budget", SLO.KIND, str(rid(slo)), "error budget")] = Value(text, fraction)
    return facts


def _minutes(value: dt.timedelta) -> str:
    minutes = (Decimal(value // dt.timedelta(microseconds=1)) / Decimal(60_000_000)).quantize(Decimal("0.01"))
    shown = minutes.normalize()
    return f"{shown:f} min"


def ceilings(side: Side, names: Iterable[str]) -> Facts:
    """The availability ceiling of each service named, with its terms as parts."""
    found = side.graph.ceilings
    facts: Facts = {}
    for name in names:
        ceiling = found.get(name)
        if ceiling is None:
            continue
        parts = tuple((term.label, _percent(term.availability)) for term in ceiling.terms)
        parts += tuple((name, "unknown") for name in ceiling.unknown)
        # An upper bound when the shared structure was too large to compute exactly (graph.Ceiling.exact).
        bound = "" if getattr(ceiling, "exact", True) else "at most "
        facts[Key("ceiling", Service.KIND, f"Service/{name}", "availability ceiling")] = Value(
            f"{bound}{_percent(ceiling.value)}", ceiling.value, parts
        )
    return facts


def _percent(value: Decimal) -> str:
    """A percentage to four decimal places at most, rounded down (never shown higher than it is)."""
    shown = value.quantize(Decimal("0.0001"), rounding=ROUND_DOWN).normalize()
    return f"{shown:f}%"


def dependents(side: Side, focus: Focus) -> Facts:
    """Hard and tier-1 dependents of the services in focus, and whether each is a single point of failure."""
    graph = side.graph
    tier1 = graph.tier1_dependents
    threshold = side.settings.thresholds.spof_min_tier1_dependents
    facts: Facts = {}
    for name in sorted(graph.services) if focus.services is None else sorted(focus.services & graph.services.keys()):
        subject = f"Service/{name}"
        down = graph.impact(name).down
        facts[Key("blast radius", Service.KIND, subject, "hard dependents")] = Value(
            str(len(down)), Decimal(len(down)), tuple((d, "") for d in down)
        )
        critical = sorted(tier1.get(name, ()))
        facts[Key("blast radius", Service.KIND, subject, "tier-1 dependents")] = Value(
            str(len(critical)), Decimal(len(critical)), tuple((d, "") for d in critical)
        )
        if len(critical) >= threshold:
            facts[Key("single point of failure", Service.KIND, subject, "single point of failure")] = Value(
                f"{len(critical)} tier-1 services hard-depend on it", Decimal(1)
            )
    return facts


def priorities(side: Side) -> Facts:
    """Every priority policy's level for each tier x impact (services without label conditions)."""
    facts: Facts = {}
    for policy in side.policy.of_kind(PriorityPolicy):
        for tier in TIERS:
            for impact in IMPACTS:
                level, _ = policy.spec.pick(tier, impact, {})
                match = _LEVEL.match(level)
                facts[Key("priority", PriorityPolicy.KIND, str(rid(policy)), f"tier {tier} x {impact}")] = Value(
                    level, Decimal(match[1]) if match else None
                )
    return facts


def coverage(side: Side, focus: Focus) -> Facts:
    """The support coverage of each service in focus (its own calendar, else its owner's), ranked by minutes a week."""
    facts: Facts = {}
    for service in focus.pick_services(side):
        calendar = side.policy.coverage_of(service)
        if calendar is None:
            continue
        minutes = side.graph.weekly_minutes(calendar)
        facts[Key("coverage", Service.KIND, str(rid(service)), "support coverage")] = Value(
            calendar, None if minutes is None else Decimal(minutes)
        )
    return facts


def _expand(spec: Any, start: dt.datetime, end: dt.datetime) -> list[Interval]:
    try:
        return occurrences(spec, start, end)
    except RecurrenceError:
        return []


def window_services(side: Side) -> dict[str, frozenset[str]]:
    """The services each maintenance window takes down (named or selected)."""
    policy = side.policy
    return {
        window.name: frozenset(s.name for s in targeted_services(policy, window.spec.services, window.spec.selector))
        for window in policy.maintenance_windows
    }


def affecting_windows(side: Side, targets: Mapping[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    """Per service, the windows that take it down: its own and those of everything it hard-depends on."""
    names = sorted(targets)
    marks: dict[str, int] = {}
    for bit, window in enumerate(names):
        for service in targets[window]:
            marks[service] = marks.get(service, 0) | (1 << bit)
    needs = side.graph.hard_needs(marks)
    return {
        service: frozenset(names[i] for i in range(len(names)) if bits >> i & 1)
        for service, bits in needs.items()
        if bits
    }


def planned_downtime(side: Side, focus: Focus, affecting: Mapping[str, frozenset[str]]) -> Facts:
    """Per availability SLO in focus: the planned downtime in its worst SLO window over the next 12 months.

    As RP403 counts it: the windows of the service and of its hard dependencies, overlaps once;
    calendar windows are each month/quarter/year, a rolling window its worst stretch.
    """
    span = horizon(side.as_of)
    windows = {w.name: w for w in side.policy.maintenance_windows}
    facts: Facts = {}
    for slo in focus.pick_slos(side):
        if not slo.spec.is_availability:
            continue
        try:
            window = SloWindow.parse(slo.spec.time_window)
        except ValueError:
            continue
        if window.rolling is not None:
            start, end = span.start - window.rolling, span.end
            periods: list[Interval] = []
        else:
            periods = list(window.periods(span.start, span.end))
            start, end = periods[0].start, periods[-1].end
        names = affecting.get(slo.spec.service, frozenset())
        downtime = Timeline(iv for name in sorted(names) for iv in _expand(windows[name].spec, start, end))
        if window.rolling is not None:
            stretch = worst_window(downtime, window.rolling, start, span.end - window.rolling) if downtime else None
            worst = dt.timedelta() if stretch is None else downtime.covered(stretch.start, stretch.end)
        else:
            worst = max((downtime.covered(p.start, p.end) for p in periods), default=dt.timedelta())
        text = f"{format_duration(worst)} in the worst {slo.spec.time_window}"
        facts[Key("maintenance", SLO.KIND, str(rid(slo)), f"planned downtime ({slo.spec.service})")] = Value(
            text, Decimal(worst // _SECOND), tuple((name, "") for name in sorted(names))
        )
    return facts


def freezes(side: Side, targets: Mapping[str, frozenset[str]]) -> Facts:
    """Every maintenance window that falls inside a change freeze covering one of its services, from the as-of date."""
    policy = side.policy
    span = horizon(side.as_of)
    facts: Facts = {}
    frozen = [
        (
            freeze,
            frozenset(
                s.name for s in targeted_services(policy, freeze.spec.services, freeze.spec.selector, everyone=True)
            ),
        )
        for freeze in policy.change_freezes
    ]
    for window in policy.maintenance_windows:
        services = targets.get(window.name, frozenset())
        for freeze, covered in frozen:
            shared = sorted(services & covered)
            start = max(freeze.spec.start, span.start)
            if not shared or start >= freeze.spec.end:
                continue
            hits = _expand(window.spec, start, freeze.spec.end)
            if hits:
                first = hits[0].start.astimezone(UTC)
                times = "once" if len(hits) == 1 else f"{len(hits)} times"
                facts[Key("freeze", window.KIND, str(rid(window)), f"in change freeze {freeze.name}")] = Value(
                    f"{times}, first {first:%Y-%m-%d %H:%M} UTC, taking down {', '.join(shared)}", Decimal(1)
                )
    return facts
