"""RP5xx: recovery objectives, backups, and the evidence that restoring works.

Also home of :func:`outage_target`, the restore target of the priority level a service's outage
maps to, which the SLO rules (RP404) compare error budgets with.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Final, NamedTuple

from relpolicy.findings import Problem, Related, Severity
from relpolicy.model.calendar import ALWAYS
from relpolicy.model.priority import Level, PriorityPolicy
from relpolicy.model.service import Backups, Service
from relpolicy.model.types import format_duration
from relpolicy.policy import PolicySet
from relpolicy.rules._framework import RuleContext, rule

MIN_BACKUP_COPIES: Final = 2
"""3-2-1: three copies of the data in all, and ``copies`` does not count the live one."""
MIN_BACKUP_MEDIA: Final = 2
"""3-2-1: the copies sit on at least two different kinds of storage."""
LATEST_TEST_AHEAD: Final = dt.timedelta(days=1)
"""How far after the check date a restore test may be dated: the check date defaults to today in
UTC, and east of UTC the local date of a test done today is already tomorrow."""


# --- The restore target of the level a service's outage maps to ---------------------------------


class OutageTarget(NamedTuple):
    """The priority level an outage of a service maps to, and its restore target.

    A named tuple: RP501 makes one for every service with an RTO, and a frozen dataclass takes
    three to four times as long to create.
    """

    service: Service
    priority_policy: PriorityPolicy
    level: Level
    level_index: int
    """Position of the level in the policy's ``levels`` list."""
    rule_index: int | None
    """Position of the rule that picked the level; None when the policy's ``default`` did."""
    restore: dt.timedelta
    """The level's restore target as written, measured on the level's clock."""

    def describe(self, policy: PolicySet, *, name_service: bool = False) -> str:
        """The target and where it comes from, in words.

        ``the 4h restore target of P1 (24x7), the level a tier-1 outage maps to (PriorityPolicy
        default, rule 1)``; rules are counted from 1, as people count them; ``name_service`` adds
        ``of checkout`` after ``outage`` for messages that have not named the service yet.
        """
        picked = "the default level" if self.rule_index is None else f"rule {self.rule_index + 1}"
        whose = f" of {self.service.name}" if name_service else ""
        return (
            f"the {format_duration(self.restore)} restore target of {self.level.name} "
            f"({clock_phrase(policy, self.level.clock)}), the level a tier-{self.service.spec.tier} outage{whose} "
            f"maps to (PriorityPolicy {self.priority_policy.name}, {picked})"
        )

    def related(self, policy: PolicySet) -> tuple[Related, Related]:
        """The level's restore target and the rule (or default) that picked the level."""
        level = self.level.name
        picked_at = ("spec", "default") if self.rule_index is None else ("spec", "rules", self.rule_index)
        return (
            Related(
                policy.locate(self.priority_policy, "spec", "levels", self.level_index, "restore"),
                f"{level} restore target {format_duration(self.restore)}",
            ),
            Related(
                policy.locate(self.priority_policy, *picked_at),
                f"maps a tier-{self.service.spec.tier} outage of {self.service.name} to {level}",
            ),
        )


def outage_target(policy: PolicySet, service: Service) -> OutageTarget | None:
    """The level an outage of ``service`` maps to, with its restore target.

    None when there is nothing to compare with: no priority policy applies (none, or several and
    the service names none), the picked level does not exist (RP201 reports it), or the level is
    ``scheduled``.
    """
    priority_policy = policy.priority_policy_of(service)
    if priority_policy is None:
        return None
    spec = priority_policy.spec
    name, rule_index = spec.pick(service.spec.tier, "outage", service.metadata.labels)
    index = spec.level_index(name)
    if index is None:
        return None
    level = spec.levels[index]
    if level.restore is None:
        return None
    return OutageTarget(service, priority_policy, level, index, rule_index, level.restore)


def clock_phrase(policy: PolicySet, clock: str) -> str:
    """How a level's targets are measured: ``24x7``, or ``working time on the us-business clock``."""
    if clock == ALWAYS:
        return "24x7"
    calendar = policy.calendar(clock)
    if calendar is None:  # an unknown calendar is RP201; say no more than its name
        return f"on the {clock} clock"
    if calendar.spec.is_round_the_clock:
        return f"24x7 on the {clock} clock"
    return f"working time on the {clock} clock"


# --- Rules ---------------------------------------------------------------------------------------


@rule(
    id="RP501",
    name="rto-exceeds-restore-target",
    severity=Severity.ERROR,
    summary="A service's RTO is longer than the restore target of the priority level its outage maps to.",
)
def rto_exceeds_restore_target(ctx: RuleContext) -> Iterator[Problem]:
    """The priority policy promises that an outage of a tier-N service is restored within its
    level's target; the service's RTO says how long restoring it actually takes. An RTO longer
    than the target means every outage restored as planned breaks the promise. The level is the
    one the priority rules pick for an ``outage`` of the service's tier (and labels); levels
    whose restore is ``scheduled`` have no target to break.

    A level on a business calendar counts working time: ``8h`` is eight working hours. The RTO
    and the target are compared as written, because restoring takes the RTO of work, and eight
    working hours do not hold twelve hours of restore work whatever the calendar; the message
    names the clock the level runs on.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          recovery: {rto: 6h, lastRestoreTest: 2026-10-27}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: checkout-availability}
        spec: {service: checkout, indicator: {type: availability}, objective: 99.9}
        ---
        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, statusUpdateEvery: 60m}
          rules:
            - when: {tier: [1], impact: [outage]}
              level: P1
          default: P2
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: checkout}
        spec:
          description: Takes orders.
          tier: 1
          owner: payments
          recovery: {rto: 2h, lastRestoreTest: 2026-10-27}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: checkout-availability}
        spec: {service: checkout, indicator: {type: availability}, objective: 99.9}
        ---
        apiVersion: relpolicy.dev/v1
        kind: PriorityPolicy
        metadata: {name: default}
        spec:
          levels:
            - {name: P1, description: revenue or safety critical, response: 15m, restore: 4h, statusUpdateEvery: 30m}
            - {name: P2, description: major team workflow down, response: 1h, restore: 8h, statusUpdateEvery: 60m}
          rules:
            - when: {tier: [1], impact: [outage]}
              level: P1
          default: P2
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    policy = ctx.policy
    timed = [level.restore for p in policy.priority_policies for level in p.spec.levels if level.restore is not None]
    if not timed:
        return
    shortest = min(timed)
    for service, recovery in ctx.recoveries:
        if recovery.rto is None or recovery.rto <= shortest:
            continue  # no RTO, or one within every level's restore target: no need to find the level
        target = outage_target(policy, service)
        if target is None or recovery.rto <= target.restore:
            continue
        message = f"{service.name} has an RTO of {format_duration(recovery.rto)}, longer than {target.describe(policy)}"
        yield policy.problem("RP501", message, service, ("spec", "recovery", "rto"), *target.related(policy))


@rule(
    id="RP502",
    name="restore-test-stale",
    severity=Severity.WARNING,
    summary="The last restore test is older than the service's restore-test interval (default: "
    "thresholds.restoreTestEvery, 90d), as of the check date.",
)
def restore_test_stale(ctx: RuleContext) -> Iterator[Problem]:
    """A backup that has not been restored recently is a hope, not a recovery plan: credentials
    expire, formats drift, and the restore procedure stops matching the system. Every service
    that records a ``lastRestoreTest`` must have tested again within its ``restoreTestEvery``
    (default: the project's ``thresholds.restoreTestEvery``, 90 days, a quarterly test). Age is
    counted in whole days as of the check date (``--as-of``), never the machine's clock. A test
    dated more than a day after the check date cannot have happened yet (a mistyped year would
    otherwise silence this rule for good), so it is reported too.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: data-warehouse}
        spec:
          description: Reporting database, loaded nightly.
          tier: 3
          owner: data
          recovery: {rto: 2d, lastRestoreTest: 2025-06-30, restoreTestEvery: 90d}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: data}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: data-warehouse}
        spec:
          description: Reporting database, loaded nightly.
          tier: 3
          owner: data
          recovery: {rto: 2d, lastRestoreTest: 2026-09-24, restoreTestEvery: 90d}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: data}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    policy = ctx.policy
    default = ctx.settings.thresholds.restore_test_every
    where = ("spec", "recovery", "lastRestoreTest")
    for service, recovery in ctx.recoveries:
        if recovery.last_restore_test is None:
            continue
        tested = recovery.last_restore_test
        if tested - ctx.as_of > LATEST_TEST_AHEAD:
            message = (
                f"{service.name} records a restore test on {tested}, after the check date {ctx.as_of}: "
                "a restore cannot have been tested in the future; is the year mistyped?"
            )
            yield policy.problem("RP502", message, service, where)
            continue
        interval = recovery.restore_test_every or default
        if ctx.as_of - tested <= interval:
            continue
        age = (ctx.as_of - tested).days
        if recovery.restore_test_every is not None:
            source = "restoreTestEvery"
            related: tuple[Related, ...] = (
                Related(policy.locate(service, "spec", "recovery", "restoreTestEvery"), "the restore-test interval"),
            )
        else:
            source, related = "the default, thresholds.restoreTestEvery", ()
        message = (
            f"{service.name} last tested a restore on {tested}, {_days(age)} before {ctx.as_of}; "
            f"restores must be tested every {format_duration(interval)} ({source})"
        )
        yield policy.problem("RP502", message, service, where, *related)


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


@rule(
    id="RP503",
    name="backup-3-2-1",
    severity=Severity.WARNING,
    summary="Backups break the 3-2-1 rule: 3 copies in all (copies >= 2 besides the live data), on 2 different "
    "media, 1 offsite.",
)
def backup_3_2_1(ctx: RuleContext) -> Iterator[Problem]:
    """The 3-2-1 rule keeps data recoverable through any single failure: at least **3** copies
    of the data counting the live one (so ``copies``, which counts the backups, is at least 2),
    on at least **2** different kinds of storage (the distinct entries of ``media``: one bug or
    ransomware strain in one storage system cannot reach every copy), with at least **1** copy
    **offsite** (another site or region, so one fire or region outage cannot take them all). The
    live copy's storage is not declared, so it does not count as one of the media. Each missing
    leg is its own finding, on the field to fix (or on ``backups`` when the field is absent); a
    service with no backup copy at all gets only the ``copies`` finding.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: data-warehouse}
        spec:
          description: Reporting database, loaded nightly.
          tier: 3
          owner: data
          recovery:
            rto: 2d
            rpo: 1d
            backups: {copies: 1, media: [object-storage], offsite: false, every: 1d}
            lastRestoreTest: 2026-09-24
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: data}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: data-warehouse}
        spec:
          description: Reporting database, loaded nightly.
          tier: 3
          owner: data
          recovery:
            rto: 2d
            rpo: 1d
            backups: {copies: 2, media: [object-storage, tape], offsite: true, every: 1d}
            lastRestoreTest: 2026-09-24
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: data}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    policy = ctx.policy
    for service, recovery in ctx.recoveries:
        if recovery.backups is not None:
            yield from _backup_problems(policy, service, recovery.backups)


def _backup_problems(policy: PolicySet, service: Service, backups: Backups) -> Iterator[Problem]:
    here = ("spec", "recovery", "backups")
    name = service.name
    if backups.copies < MIN_BACKUP_COPIES:
        kept = "no backup copy" if backups.copies == 0 else "only 1 backup copy"
        message = (
            f"{name} keeps {kept} besides the live data: 3-2-1 needs 3 copies in all, so `copies` must be "
            f"at least {MIN_BACKUP_COPIES}"
        )
        yield policy.problem("RP503", message, service, (*here, "copies"))
        if backups.copies == 0:
            return  # media and offsite describe copies that do not exist
    media = sorted({m.strip().casefold() for m in backups.media})
    if len(media) < MIN_BACKUP_MEDIA:
        if media:
            what = f"all on one kind of storage ({media[0]})"
            at: tuple[str | int, ...] = (*here, "media")
        else:
            what, at = "on no declared media (`media` is not set)", here
        message = (
            f"the backups of {name} are {what}: 3-2-1 needs copies on at least {MIN_BACKUP_MEDIA} different media, "
            "so that one storage failure cannot take every copy"
        )
        yield policy.problem("RP503", message, service, at, key=at == here)
    if not backups.offsite:
        declared = "offsite" in backups.model_fields_set
        message = (
            f"{name} keeps no backup copy offsite ({'offsite: false' if declared else '`offsite` is not set'}): "
            "3-2-1 needs at least 1 copy in another site or region"
        )
        at = (*here, "offsite") if declared else here
        yield policy.problem("RP503", message, service, at, key=not declared)


@rule(
    id="RP504",
    name="rpo-exceeds-backup-interval",
    severity=Severity.ERROR,
    summary="Backups run less often than the RPO allows, so the RPO cannot be met.",
)
def rpo_exceeds_backup_interval(ctx: RuleContext) -> Iterator[Problem]:
    """The recovery point objective is the most data, in time, that an incident may lose. When
    the data has to be restored from backups, a failure just before the next backup loses
    everything since the last one: a whole backup interval. Backups taken every 24 hours cannot
    meet a 4-hour RPO. The finding sits on ``backups.every``, the usual fix; the RPO is the
    related location.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: data-warehouse}
        spec:
          description: Reporting database, loaded nightly.
          tier: 3
          owner: data
          recovery:
            rto: 2d
            rpo: 4h
            backups: {copies: 2, media: [object-storage, tape], offsite: true, every: 1d}
            lastRestoreTest: 2026-09-24
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: data}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: data-warehouse}
        spec:
          description: Reporting database, loaded nightly.
          tier: 3
          owner: data
          recovery:
            rto: 2d
            rpo: 4h
            backups: {copies: 2, media: [object-storage, tape], offsite: true, every: 4h}
            lastRestoreTest: 2026-09-24
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: data}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    policy = ctx.policy
    for service, recovery in ctx.recoveries:
        if recovery.backups is None or recovery.rpo is None:
            continue
        every, rpo = recovery.backups.every, recovery.rpo
        if every <= rpo:
            continue
        message = (
            f"{service.name} backs up every {format_duration(every)} but its RPO is {format_duration(rpo)}: "
            f"a failure just before the next backup loses up to {format_duration(every)} of data"
        )
        related = Related(policy.locate(service, "spec", "recovery", "rpo"), f"RPO {format_duration(rpo)}")
        yield policy.problem("RP504", message, service, ("spec", "recovery", "backups", "every"), related)


@rule(
    id="RP505",
    name="restore-never-tested",
    severity=Severity.WARNING,
    summary="A tier 1-2 service with backups or an RTO has no record of a restore test (`lastRestoreTest`).",
)
def restore_never_tested(ctx: RuleContext) -> Iterator[Problem]:
    """An RTO nobody has rehearsed is a guess, and backups nobody has restored may not restore.
    A tier 1-2 service that declares an RTO or backups must record when a restore was last
    tested (``lastRestoreTest``); RP502 then keeps that date fresh. The finding sits on
    ``recovery``, where the date belongs.

    Failing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: payments-api}
        spec:
          description: Charges cards.
          tier: 1
          owner: payments
          recovery: {rto: 1h}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: payments-api-availability}
        spec: {service: payments-api, indicator: {type: availability}, objective: 99.95}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]

    Passing example:

        apiVersion: relpolicy.dev/v1
        kind: Service
        metadata: {name: payments-api}
        spec:
          description: Charges cards.
          tier: 1
          owner: payments
          recovery: {rto: 1h, lastRestoreTest: 2026-10-20}
        ---
        apiVersion: relpolicy.dev/v1
        kind: SLO
        metadata: {name: payments-api-availability}
        spec: {service: payments-api, indicator: {type: availability}, objective: 99.95}
        ---
        apiVersion: relpolicy.dev/v1
        kind: Team
        metadata: {name: payments}
        spec:
          coverage: always
          members: [{name: Ana Lima, email: ana@example.com}]
    """
    policy = ctx.policy
    for service in ctx.critical_services:
        recovery = service.spec.recovery
        if recovery is None or recovery.last_restore_test is not None:
            continue
        declared = [
            *([f"an RTO of {format_duration(recovery.rto)}"] if recovery.rto is not None else []),
            *(["backups"] if recovery.backups is not None else []),
        ]
        if not declared:
            continue
        message = (
            f"{service.name} (tier {service.spec.tier}) has {' and '.join(declared)} but no restore test on record: "
            "rehearse a restore and record its date in `lastRestoreTest`"
        )
        yield policy.problem("RP505", message, service, ("spec", "recovery"), key=True)


RULES: Final = (
    rto_exceeds_restore_target,
    restore_test_stale,
    backup_3_2_1,
    rpo_exceeds_backup_interval,
    restore_never_tested,
)
