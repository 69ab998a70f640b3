"""A deterministic generator of synthetic policy repos for benchmarking `relpolicy check`.

``python -m benchmarks.generate OUT --services 10000 --seed 1`` writes a repo shaped like a large
organisation's: one Service per file (with its SLOs, ~55 lines, comments included) sharded into
one directory per domain, teams with their escalation policies, two business calendars, one
priority policy and a few maintenance windows.

The dependency graph is what makes the benchmark honest, so it is built like a real one:

- services only depend on services generated before them, so the graph is a DAG (``cycles``
  adds soft back-edges on purpose, for measuring the cycle path);
- 0-8 dependencies per service, most of them near the service (same area of the catalogue),
  the rest drawn from a Zipf-like preference for the oldest services, which gives the heavy-tailed
  fan-in of shared platforms (a few services with thousands of dependants);
- a hard dependency (or ``anyOf`` group) is only taken when its tier is at least as critical as
  the dependant's and when the product of the hard dependencies' availability objectives still
  reaches the dependant's objective; otherwise the edge is soft. So the repo passes the
  graph rules (no tier inversion, no infeasible objective) and the benchmark measures the clean
  path that CI runs on every pull request.

The same ``(services, seed)`` always gives byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

AS_OF: Final = dt.date(2026, 11, 26)
"""Restore tests are dated relative to this day; run the benchmark with ``--as-of`` set to it."""

DOMAINS: Final = (
    "commerce",
    "payments",
    "platform",
    "data",
    "logistics",
    "identity",
    "search",
    "messaging",
    "support",
    "finance",
    "media",
    "analytics",
)
NOUNS: Final = (
    "api",
    "db",
    "worker",
    "gateway",
    "cache",
    "queue",
    "frontend",
    "scheduler",
    "ingest",
    "export",
    "sync",
    "indexer",
    "notifier",
    "reports",
    "auth-proxy",
    "ledger",
)
STATEFUL_NOUNS: Final = frozenset({"db", "cache", "queue", "ledger", "indexer"})
FIRST_NAMES: Final = ("Ana", "Bo", "Chidi", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena")
LAST_NAMES: Final = ("Lima", "Chen", "Okafor", "Novak", "Schmidt", "Haddad", "Ito", "Moreau", "Silva", "Berg")

TIER_WEIGHTS: Final = (15, 30, 35, 20)
"""How many services of tier 1, 2, 3 and 4 a catalogue has (percent)."""
OBJECTIVES: Final = {1: ("99.99", "99.95"), 2: ("99.95", "99.9"), 3: ("99.9", "99.5"), 4: ("99.5", "99.0")}
"""Availability objectives a service of each tier picks from, as written in YAML."""
FOUNDATION_OBJECTIVES: Final = ("99.999", "99.995")
DEPENDENCY_COUNT_WEIGHTS: Final = (8, 12, 18, 18, 14, 10, 8, 6, 6)
"""Weights of 0..8 dependencies per service."""
LOCAL_SPAN: Final = 300
"""Most dependencies point to one of the previous few hundred services (the same area)."""
SHARED_SHARE: Final = 0.3
"""The rest point to the whole catalogue with a preference for the oldest (shared platforms)."""
ZIPF_EXPONENT: Final = 1.2
ANY_OF_SHARE: Final = 0.08
TIER1_SINGLE_HARD_SHARE: Final = 0.05
"""How often a tier-1 service takes a single (not anyOf) hard dependency."""
CALENDARS: Final = ("us-business", "uk-business")


@dataclass(slots=True)
class Dependency:
    """One ``dependsOn`` entry: a service index, or several for ``anyOf``."""

    targets: tuple[int, ...]
    hard: bool
    note: str | None = None


@dataclass(slots=True)
class ServicePlan:
    """Everything a service file will say, decided before any text is written."""

    index: int
    name: str
    domain: str
    noun: str
    team: str
    tier: int
    objective: str
    dependencies: list[Dependency] = field(default_factory=list)
    latency_ms: int | None = None
    customer_facing: bool = False


@dataclass(frozen=True, slots=True)
class Summary:
    """What a generation wrote."""

    files: int
    documents: int
    lines: int
    services: int
    edges: int
    hard_edges: int


def service_name(index: int, domain: str, noun: str) -> str:
    """A readable, unique DNS-label name."""
    return f"{domain}-{noun}-{index:05d}"


def team_name(domain: str, number: int) -> str:
    """The name of the ``number``-th team of a domain."""
    return f"{domain}-team-{number:02d}"


def _availability(plans: Sequence[ServicePlan], dependency: Dependency) -> float:
    """Best availability one entry allows: ``anyOf`` is up when any alternative is up."""
    down = 1.0
    for target in dependency.targets:
        down *= 1.0 - float(plans[target].objective) / 100.0
    return 1.0 - down


class _Planner:
    def __init__(self, services: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = services
        self.team_count = max(len(DOMAINS), services // 25)
        self.foundations = max(5, services // 200)
        # Cumulative Zipf weights over service indexes, for the shared-platform draws.
        total = 0.0
        self.zipf: list[float] = []
        for rank in range(services):
            total += 1.0 / (rank + 1) ** ZIPF_EXPONENT
            self.zipf.append(total)

    def plans(self) -> list[ServicePlan]:
        plans: list[ServicePlan] = []
        for index in range(self.count):
            plans.append(self.service(index, plans))
        return plans

    def service(self, index: int, plans: list[ServicePlan]) -> ServicePlan:
        rng = self.rng
        domain = DOMAINS[index % len(DOMAINS)] if index >= self.foundations else "platform"
        noun = rng.choice(NOUNS)
        team_number = rng.randrange(self.team_count // len(DOMAINS) or 1)
        if index < self.foundations:
            tier, objective = 1, rng.choice(FOUNDATION_OBJECTIVES)
        else:
            tier = rng.choices((1, 2, 3, 4), TIER_WEIGHTS)[0]
            objective = rng.choice(OBJECTIVES[tier])
        plan = ServicePlan(
            index,
            service_name(index, domain, noun),
            domain,
            noun,
            team_name(domain, team_number),
            tier,
            objective,
            latency_ms=rng.choice((100, 200, 300, 500, 800)) if rng.random() < 0.5 else None,
            customer_facing=tier <= 2 and rng.random() < 0.4,
        )
        if index:
            self.dependencies(plan, plans)
        return plan

    def pick(self, index: int) -> int:
        """An earlier service: usually a neighbour, sometimes a shared platform."""
        rng = self.rng
        if rng.random() < SHARED_SHARE:
            point = rng.random() * self.zipf[index - 1]
            low, high = 0, index - 1
            while low < high:  # first rank whose cumulative weight reaches the point
                middle = (low + high) // 2
                if self.zipf[middle] < point:
                    low = middle + 1
                else:
                    high = middle
            return low
        return rng.randrange(max(0, index - LOCAL_SPAN), index)

    def dependencies(self, plan: ServicePlan, plans: list[ServicePlan]) -> None:
        rng = self.rng
        wanted = rng.choices(range(len(DEPENDENCY_COUNT_WEIGHTS)), DEPENDENCY_COUNT_WEIGHTS)[0]
        used: set[int] = set()
        composite = 1.0
        floor = float(plan.objective) / 100.0 + 1e-7  # strictly above: no rounding ties
        for _ in range(wanted):
            size = 2 if plan.index >= 2 and rng.random() < ANY_OF_SHARE else 1
            targets: list[int] = []
            for _attempt in range(8):
                target = self.pick(plan.index)
                if target not in used and target not in targets:
                    targets.append(target)
                    if len(targets) == size:
                        break
            if not targets:
                continue
            used.update(targets)
            dependency = Dependency(tuple(sorted(targets)), hard=False)
            # A hard dependency is at least as critical and as available as its dependant, so
            # tiers do not invert (RP302) and RTOs, which follow objectives, do not either (RP304).
            critical_enough = all(
                plans[t].tier <= plan.tier and float(plans[t].objective) >= float(plan.objective) for t in targets
            )
            with_it = composite * _availability(plans, dependency)
            # Tier-1 services mostly stand on redundant (anyOf) or soft dependencies: a service
            # that several tier-1 services need outright is a single point of failure (RP306).
            chance = 0.7 if plan.tier > 1 or size > 1 else TIER1_SINGLE_HARD_SHARE
            if critical_enough and with_it >= floor and rng.random() < chance:
                dependency.hard = True
                composite = with_it
            if rng.random() < 0.15:
                dependency.note = rng.choice(
                    (
                        "Reads are served from a local cache for a few minutes.",
                        "Requests queue and are replayed when it is back.",
                        "Only the nightly export needs it.",
                        "Authentication of every request goes through it.",
                    )
                )
            plan.dependencies.append(dependency)


def _no_isolated(plans: list[ServicePlan]) -> None:
    """A service nothing depends on and that depends on nothing serves customers directly (RP804)."""
    depended = {t for plan in plans for d in plan.dependencies for t in d.targets}
    for plan in plans:
        if not plan.dependencies and plan.index not in depended:
            plan.customer_facing = True


def _add_cycles(plans: list[ServicePlan], cycles: int, rng: random.Random) -> None:
    """Make ``cycles`` two-service cycles: a soft edge back from a dependency to its dependant."""
    candidates = [p for p in plans if any(len(d.targets) == 1 for d in p.dependencies)]
    for plan in rng.sample(candidates, min(cycles, len(candidates))):
        target = next(d.targets[0] for d in plan.dependencies if len(d.targets) == 1)
        plans[target].dependencies.append(Dependency((plan.index,), hard=False, note="Deliberate cycle."))


# --- Rendering ----------------------------------------------------------------------------------


def _person(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return f"{first} {last}", f"{first}.{last}".lower()


def render_team(domain: str, number: int, rng: random.Random) -> str:
    """A Team with its on-call escalation policy, in one file (two documents)."""
    name = team_name(domain, number)
    members = [_person(rng) for _ in range(rng.randint(2, 5))]
    roles = ["lead", *(rng.choice(("engineer", "engineer", "sre", "database engineer")) for _ in members[1:])]
    lines = [
        f"# The {domain} team {number}: owns part of the {domain} catalogue.",
        "apiVersion: relpolicy.dev/v1",
        "kind: Team",
        "metadata:",
        f"  name: {name}",
        f"  displayName: {domain.capitalize()} team {number}",
        f"  labels: {{domain: {domain}}}",
        "spec:",
        f"  description: Builds and runs {domain} services.",
        "  members:",
    ]
    for (full, local), role in zip(members, roles, strict=True):
        lines.append(f"    - {{name: {full}, email: {local}.{number}@{domain}.example.com, role: {role}}}")
    lines += [
        "  coverage: always",
        f"  escalationPolicy: {name}-oncall",
        "---",
        "apiVersion: relpolicy.dev/v1",
        "kind: EscalationPolicy",
        "metadata:",
        f"  name: {name}-oncall",
        "spec:",
        "  steps:",
        "    - after: 0m",
        f"      notify: [{{team: {name}}}]",
        "    - after: 15m",
        f"      notify: [{{person: {members[0][1]}.{number}@{domain}.example.com}}, {{team: incident-command}}]",
        "  repeat: 2",
    ]
    return "\n".join(lines) + "\n"


INCIDENT_COMMAND: Final = """\
apiVersion: relpolicy.dev/v1
kind: Team
metadata:
  name: incident-command
  displayName: Incident command
spec:
  description: Incident commanders for major incidents, around the clock.
  members:
    - {name: Rachel Stein, email: rachel.stein@ops.example.com, role: incident commander}
    - {name: Lucas Ferreira, email: lucas.ferreira@ops.example.com, role: incident commander}
  coverage: always
"""

CALENDAR_TEXT: Final = {
    "us-business": """\
# Working hours of the New York office.
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata:
  name: us-business
  displayName: US business hours (New York)
spec:
  timezone: America/New_York
  hours:
    mon: ["09:00-17:00"]
    tue: ["09:00-17:00"]
    wed: ["09:00-17:00"]
    thu: ["09:00-17:00"]
    fri: ["09:00-17:00"]
  holidays:
    country: US
    subdivision: NY
""",
    "uk-business": """\
# Working hours of the London office.
apiVersion: relpolicy.dev/v1
kind: Calendar
metadata:
  name: uk-business
  displayName: UK business hours (London)
spec:
  timezone: Europe/London
  hours:
    mon: ["09:00-17:30"]
    tue: ["09:00-17:30"]
    wed: ["09:00-17:30"]
    thu: ["09:00-17:30"]
    fri: ["09:00-17:30"]
  holidays:
    country: GB
    subdivision: ENG
    dates:
      - 2026-12-24  # company day off
""",
}

PRIORITIES: Final = """\
# Incident priorities: the first rule that matches the service's tier and the
# incident's impact picks the level; every tier x impact pair is matched once.
apiVersion: relpolicy.dev/v1
kind: PriorityPolicy
metadata:
  name: default
spec:
  levels:
    - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, clock: always,
       statusUpdateEvery: 30m}
    - {name: P2, description: major team workflow down, response: 1h, restore: 8h, clock: us-business,
       statusUpdateEvery: 60m}
    - {name: P3, description: single user or device, response: 4h, restore: 2d, clock: us-business}
    - {name: P4, description: low urgency request, response: 1d, restore: scheduled, clock: us-business}
  rules:
    - {when: {tier: [1], impact: [outage]}, level: P1}
    - {when: {tier: [1], impact: [degraded]}, level: P2}
    - {when: {tier: [2], impact: [outage, degraded]}, level: P2}
    - {when: {tier: [3], impact: [outage, degraded]}, level: P3}
    - {when: {tier: [4], impact: [outage]}, level: P3}
    - {when: {tier: [1, 2, 3], impact: [single-user]}, level: P3}
    - {when: {tier: [4], impact: [degraded, single-user]}, level: P4}
    - {when: {impact: [request]}, level: P4}
  default: P3
"""

RTO: Final = {
    "99.999": "5m",
    "99.995": "15m",
    "99.99": "30m",
    "99.95": "2h",
    "99.9": "4h",
    "99.5": "8h",
    "99.0": "1d",
}
"""A recovery time objective that one outage a year fits in the availability objective's budget (RP404)."""
BACKUPS: Final = {"15m": ("15m", "5m"), "1h": ("1h", "30m"), "4h": ("4h", "1h")}
"""For each RPO, backup intervals that meet it (RP504)."""
_SLA_GAP: Final = {"99.999": "99.99", "99.995": "99.95", "99.99": "99.9", "99.95": "99.9", "99.9": "99.5"}


def render_service(plan: ServicePlan, plans: Sequence[ServicePlan], rng: random.Random, as_of: dt.date) -> str:
    """The file of one service: the Service and its SLOs."""
    name = plan.name
    lines: list[str] = []
    if rng.random() < 0.5:
        lines.append(f"# {plan.noun.replace('-', ' ').capitalize()} of the {plan.domain} domain; tier {plan.tier}.")
        lines.append(f"# Owned by {plan.team}; see the runbook below before paging anyone.")
    lines += [
        "apiVersion: relpolicy.dev/v1",
        "kind: Service",
        "metadata:",
        f"  name: {name}",
        f"  displayName: {plan.domain.capitalize()} {plan.noun} {plan.index}",
        f"  labels: {{domain: {plan.domain}, tier: t{plan.tier}}}",
        "spec:",
        f"  description: The {plan.noun} of the {plan.domain} domain (instance {plan.index}).",
        f"  owner: {plan.team}",
        f"  tier: {plan.tier}",
        "  lifecycle: production",
    ]
    if plan.tier >= 3 and rng.random() < 0.5:
        lines.append(f"  coverage: {rng.choice(CALENDARS)}  # supported in office hours only")
    if plan.customer_facing:
        lines.append("  customerFacing: true")
    if plan.dependencies:
        lines.append("  dependsOn:")
        for dependency in plan.dependencies:
            kind = "hard" if dependency.hard else "soft"
            if len(dependency.targets) == 1:
                lines.append(f"    - service: {plans[dependency.targets[0]].name}")
            else:
                names = ", ".join(plans[t].name for t in dependency.targets)
                lines.append(f"    - anyOf: [{names}]")
            lines.append(f"      type: {kind}")
            if dependency.note:
                lines.append(f"      note: {dependency.note}")
    lines += ["  recovery:", f"    rto: {RTO[plan.objective]}"]
    if plan.noun in STATEFUL_NOUNS:
        rpo = rng.choice(tuple(BACKUPS))
        lines += [
            f"    rpo: {rpo}",
            "    backups:",
            f"      copies: {rng.choice((2, 3))}",
            "      media: [block-storage-snapshot, object-storage]",
            "      offsite: true",
            f"      offline: {'true' if rng.random() < 0.8 else 'false'}",
            f"      every: {rng.choice(BACKUPS[rpo])}",
        ]
    tested = as_of - dt.timedelta(days=rng.randint(3, 80))
    lines += [
        f"    lastRestoreTest: {tested.isoformat()}",
        "    restoreTestEvery: 90d",
        "  patching:",
        f"    cadence: {rng.choice(('14d', '30d'))}",
        f"    emergencyWithin: {rng.choice(('24h', '48h'))}",
        "  runbook:",
        "    diagnose:",
        f"      - Open the {name} dashboard and check the error rate and saturation panels.",
        "      - Check the last deployment and feature-flag changes in the change log.",
        "    restore:",
        "      - Roll back the last deployment if the error rate rose after a release.",
    ]
    if plan.noun in STATEFUL_NOUNS:
        lines.append("      - Fail over to the standby replica in the second availability zone.")
    lines += [
        "    verify:",
        "      - The synthetic probe succeeds from two regions.",
        "    links:",
        f"      - {{title: Dashboard, url: https://grafana.example.com/d/{name}}}",
        f"      - {{title: Runbook, url: https://wiki.example.com/runbooks/{name}}}",
        "---",
        "apiVersion: relpolicy.dev/v1",
        "kind: SLO",
        "metadata:",
        f"  name: {name}-availability",
        f"  labels: {{domain: {plan.domain}}}",
        "spec:",
        f"  service: {name}",
        "  indicator:",
        "    type: availability",
        "    description: Requests that do not fail with a server error.",
        f"  objective: {plan.objective}",
        "  timeWindow: 30d",
    ]
    if plan.customer_facing and plan.objective in _SLA_GAP:
        lines.append(f"  sla: {_SLA_GAP[plan.objective]}  # the contract promises less than we aim for")
    if plan.latency_ms is not None:
        lines += [
            "---",
            "apiVersion: relpolicy.dev/v1",
            "kind: SLO",
            "metadata:",
            f"  name: {name}-latency",
            "spec:",
            f"  service: {name}",
            f"  indicator: {{type: latency, threshold: {plan.latency_ms}ms}}",
            f"  objective: {rng.choice(('99.0', '99.5', '95.0'))}",
            "  timeWindow: 30d",
        ]
    return "\n".join(lines) + "\n"


def render_window(number: int, services: Sequence[str]) -> str:
    """A monthly patch window for a few low-tier services."""
    listed = "\n".join(f"    - {s}" for s in services)
    return f"""\
# Monthly patch night {number} for low-tier services.
apiVersion: relpolicy.dev/v1
kind: MaintenanceWindow
metadata:
  name: patch-night-{number:03d}
spec:
  description: Monthly OS and application patching.
  services:
{listed}
  rrule: FREQ=MONTHLY;BYDAY=1SU
  start: "06:00"
  duration: 1h
  timezone: America/New_York
"""


def generate(root: Path, services: int, seed: int = 0, *, as_of: dt.date = AS_OF, cycles: int = 0) -> Summary:
    """Write a synthetic policy repo of ``services`` services under ``root`` (created if needed)."""
    if services < 1:
        msg = "a repo needs at least one service"
        raise ValueError(msg)
    planner = _Planner(services, seed)
    plans = planner.plans()
    _no_isolated(plans)
    _add_cycles(plans, cycles, planner.rng)
    files: dict[Path, str] = {}
    for name, text in CALENDAR_TEXT.items():
        files[Path("calendars", f"{name}.yaml")] = text
    files[Path("priorities.yaml")] = PRIORITIES
    files[Path("teams", "incident-command.yaml")] = INCIDENT_COMMAND
    text_rng = random.Random(seed * 7919 + 1)
    for number in range(planner.team_count // len(DOMAINS) or 1):
        for domain in DOMAINS:
            files[Path("teams", domain, f"{team_name(domain, number)}.yaml")] = render_team(domain, number, text_rng)
    for plan in plans:
        files[Path("services", plan.domain, f"{plan.name}.yaml")] = render_service(plan, plans, text_rng, as_of)
    low_tier = [p.name for p in plans if p.tier == 4]
    for number in range(math.ceil(len(low_tier) / 50)):
        files[Path("maintenance", f"patch-night-{number:03d}.yaml")] = render_window(
            number, low_tier[number * 50 : number * 50 + 3]
        )
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    edges = sum(len(d.targets) for p in plans for d in p.dependencies)
    hard = sum(len(d.targets) for p in plans for d in p.dependencies if d.hard)
    return Summary(
        files=len(files),
        documents=sum(t.count("\n---\n") + 1 for t in files.values()),
        lines=sum(t.count("\n") for t in files.values()),
        services=services,
        edges=edges,
        hard_edges=hard,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``python -m benchmarks.generate OUT --services N --seed S``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="directory to write the repo into (created)")
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cycles", type=int, default=0, help="two-service soft cycles to add on purpose")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=AS_OF)
    args = parser.parse_args(argv)
    summary = generate(args.out, args.services, args.seed, as_of=args.as_of, cycles=args.cycles)
    print(
        f"{args.out}: {summary.files} files, {summary.documents} documents, {summary.lines} lines, "
        f"{summary.services} services, {summary.edges} dependency edges ({summary.hard_edges} hard)"
    )


if __name__ == "__main__":
    main()
