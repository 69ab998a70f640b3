"""SLA tables: the priority matrix, and per service the objective, the SLA and the downtime they allow.

For each service the table takes its strictest availability objective (the one dependents can
count on, as the graph rules do) and the strictest SLA among its availability SLOs, and states
the downtime each allows over the reference periods of :mod:`relpolicy.render.downtime`
(fixed periods of 30, 90 and 365 days, whatever the SLO's window; columns are named by their
days, ``objective_downtime_30d_minutes``), and beside them the budget of the SLO's own window
(a calendar month allows 28 to 31 days' worth). Recovery objectives, coverage and owner complete
the row. Services are sorted by tier, then name; priority levels stay in the order written.

Markdown and HTML come from templates (``sla.md.j2``, ``sla.html.j2``); CSV and JSON are data
formats and are written here. CSV holds one table, chosen with ``table``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

import jinja2

from relpolicy.graph import ServiceGraph
from relpolicy.model.calendar import ALWAYS
from relpolicy.model.priority import Level
from relpolicy.policy import PolicySet
from relpolicy.render import formatting as fmt
from relpolicy.render.downtime import REFERENCE_PERIODS, WindowBudget, reference_downtime, window_budget
from relpolicy.render.runbooks import page_file
from relpolicy.render.templating import render_template

FORMATS: Final = ("md", "csv", "json", "html")
TABLES: Final = ("services", "priorities")
SCHEMA_VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class Downtime:
    """Downtime a percentage allows over one reference period."""

    period: str
    minutes: Decimal
    text: str


@dataclass(frozen=True, slots=True)
class LevelRow:
    """One priority level."""

    level: str
    description: str
    response: str
    restore: str
    response_seconds: int
    restore_seconds: int | None
    """None when restoring is scheduled."""
    clock: str
    clock_text: str
    status_update_every: str | None

    @property
    def status_updates(self) -> str:
        """``every 30m`` or an em dash."""
        return "—" if self.status_update_every is None else f"every {self.status_update_every}"


@dataclass(frozen=True, slots=True)
class PriorityMatrix:
    """The levels of one priority policy."""

    name: str
    title: str
    levels: tuple[LevelRow, ...]


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """One service's promises."""

    name: str
    title: str
    file: str
    tier: int
    customer_facing: bool
    slo: str | None
    """The availability SLO the objective comes from."""
    objective: Decimal | None
    window: str | None
    sla: Decimal | None
    objective_downtime: tuple[Downtime, ...]
    """Over each reference period (30, 90 and 365 days)."""
    window_budget: WindowBudget | None
    """What the objective allows over the SLO's own window (a range for a calendar window)."""
    sla_downtime: tuple[Downtime, ...]
    rto: str | None
    rpo: str | None
    rto_seconds: int | None
    rpo_seconds: int | None
    coverage: str | None
    owner: str | None

    @property
    def objective_text(self) -> str:
        """``99.9%`` or an em dash."""
        return fmt.percent(self.objective)

    @property
    def sla_text(self) -> str:
        """``99.5%`` or an em dash."""
        return fmt.percent(self.sla)


@dataclass(frozen=True, slots=True)
class SlaTable:
    """Everything the SLA documents show."""

    priorities: tuple[PriorityMatrix, ...]
    services: tuple[ServiceRow, ...]
    periods: tuple[tuple[str, int], ...]
    """The reference periods: (name, days)."""


def sla_table(policy: PolicySet, graph: ServiceGraph) -> SlaTable:
    """The priority matrices and the service rows of a policy set."""
    matrices = tuple(
        PriorityMatrix(p.name, p.metadata.title, tuple(_level_row(policy, level) for level in p.spec.levels))
        for p in policy.priority_policies
    )
    rows = tuple(sorted((_service_row(policy, graph, s) for s in graph.services), key=lambda r: (r.tier, r.name)))
    periods = tuple((name, length.days) for name, length in REFERENCE_PERIODS)
    return SlaTable(matrices, rows, periods)


def _clock_text(policy: PolicySet, clock: str) -> str:
    if clock == ALWAYS:
        return "24x7"
    calendar = policy.calendar(clock)
    if calendar is None:
        return f"{clock} (not defined)"
    return "24x7" if calendar.spec.is_round_the_clock else calendar.metadata.title


def _level_row(policy: PolicySet, level: Level) -> LevelRow:
    return LevelRow(
        level.name,
        level.description,
        fmt.duration(level.response),
        "scheduled" if level.restore is None else fmt.duration(level.restore),
        int(level.response.total_seconds()),
        None if level.restore is None else int(level.restore.total_seconds()),
        level.clock,
        _clock_text(policy, level.clock),
        None if level.status_update_every is None else fmt.duration(level.status_update_every),
    )


def _downtime(percentage: Decimal | None) -> tuple[Downtime, ...]:
    if percentage is None:
        return ()
    return tuple(
        Downtime(name, fmt.minutes(allowed), fmt.budget(allowed))
        for (name, _), allowed in zip(REFERENCE_PERIODS, reference_downtime(percentage), strict=True)
    )


def _service_row(policy: PolicySet, graph: ServiceGraph, name: str) -> ServiceRow:
    service = graph.services[name]
    own = graph.objective(name)
    slas = [s.spec.sla for s in policy.slos_of(name) if s.spec.is_availability and s.spec.sla is not None]
    sla = max(slas) if slas else None
    recovery = service.spec.recovery
    return ServiceRow(
        name=name,
        title=service.metadata.title,
        file=page_file(name),
        tier=service.spec.tier,
        customer_facing=service.spec.customer_facing,
        slo=None if own is None else own[1].name,
        objective=None if own is None else own[0],
        window=None if own is None else own[1].spec.time_window,
        sla=sla,
        objective_downtime=_downtime(None if own is None else own[0]),
        window_budget=None if own is None else window_budget(own[0], own[1].spec.time_window, None),
        sla_downtime=_downtime(sla),
        rto=None if recovery is None or recovery.rto is None else fmt.duration(recovery.rto),
        rpo=None if recovery is None or recovery.rpo is None else fmt.duration(recovery.rpo),
        rto_seconds=None if recovery is None or recovery.rto is None else int(recovery.rto.total_seconds()),
        rpo_seconds=None if recovery is None or recovery.rpo is None else int(recovery.rpo.total_seconds()),
        coverage=policy.coverage_of(service),
        owner=service.spec.owner,
    )


# --- Formats -------------------------------------------------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def to_json(table: SlaTable) -> str:
    """The whole table as JSON (``schemaVersion`` 1); percentages and minutes are numbers."""

    def downtime(items: tuple[Downtime, ...]) -> dict[str, float] | None:
        return {d.period: float(d.minutes) for d in items} if items else None

    document = {
        "schemaVersion": SCHEMA_VERSION,
        "referencePeriods": {name: {"days": days} for name, days in table.periods},
        "priorityPolicies": [
            {
                "name": m.name,
                "title": m.title,
                "levels": [
                    {
                        "level": lv.level,
                        "description": lv.description,
                        "response": lv.response,
                        "restore": lv.restore,
                        "clock": lv.clock,
                        "statusUpdateEvery": lv.status_update_every,
                    }
                    for lv in m.levels
                ],
            }
            for m in table.priorities
        ],
        "services": [
            {
                "name": r.name,
                "title": r.title,
                "tier": r.tier,
                "customerFacing": r.customer_facing,
                "slo": r.slo,
                "objective": _number(r.objective),
                "timeWindow": r.window,
                "sla": _number(r.sla),
                "allowedDowntimeMinutes": {
                    "objective": downtime(r.objective_downtime),
                    "sla": downtime(r.sla_downtime),
                },
                "windowBudgetMinutes": None
                if r.window_budget is None
                else {"min": float(r.window_budget.low_minutes), "max": float(r.window_budget.high_minutes)},
                "rto": r.rto,
                "rpo": r.rpo,
                "coverage": r.coverage,
                "owner": r.owner,
            }
            for r in table.services
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_csv(table: SlaTable, which: str = "services") -> str:
    """One table as CSV (RFC 4180, CRLF line ends): ``services`` or ``priorities``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if which == "priorities":
        writer.writerow(["policy", "level", "description", "response", "restore", "clock", "status_update_every"])
        for m in table.priorities:
            for lv in m.levels:
                updates = lv.status_update_every or ""
                writer.writerow([m.name, lv.level, lv.description, lv.response, lv.restore, lv.clock, updates])
        return out.getvalue()
    if which != "services":
        msg = f"no table `{which}`: choose {' or '.join(TABLES)}"
        raise ValueError(msg)
    periods = [f"{days}d" for _, days in table.periods]  # fixed lengths, named by their days
    writer.writerow(
        [
            "service", "tier", "customer_facing", "slo", "objective_percent", "time_window", "sla_percent",
            *(f"objective_downtime_{p}_minutes" for p in periods),
            "objective_downtime_window_min_minutes", "objective_downtime_window_max_minutes",
            *(f"sla_downtime_{p}_minutes" for p in periods),
            "rto", "rpo", "coverage", "owner",
        ]
    )  # fmt: skip
    for r in table.services:
        window = r.window_budget
        writer.writerow(
            [
                r.name, r.tier, "true" if r.customer_facing else "false", r.slo or "",
                _plain(r.objective), r.window or "", _plain(r.sla),
                *_minutes(r.objective_downtime, len(periods)),
                _plain(None if window is None else window.low_minutes),
                _plain(None if window is None else window.high_minutes),
                *_minutes(r.sla_downtime, len(periods)),
                r.rto or "", r.rpo or "", r.coverage or "", r.owner or "",
            ]
        )  # fmt: skip
    return out.getvalue()


def _plain(value: Decimal | None) -> str:
    return "" if value is None else fmt.plain_number(value)


def _minutes(items: tuple[Downtime, ...], count: int) -> list[str]:
    return [fmt.plain_number(d.minutes) for d in items] if items else [""] * count


def render_sla(
    env: jinja2.Environment, table: SlaTable, fmt_name: str, *, which: str = "services", runbooks: str = ""
) -> str:
    """The table in one of :data:`FORMATS`; ``runbooks`` prefixes links to runbook pages (empty: none)."""
    if fmt_name == "json":
        return to_json(table)
    if fmt_name == "csv":
        return to_csv(table, which)
    if fmt_name in ("md", "html"):
        return render_template(env, f"sla.{fmt_name}.j2", table=table, runbooks=runbooks)
    msg = f"no SLA format `{fmt_name}`: choose {', '.join(FORMATS)}"
    raise ValueError(msg)
