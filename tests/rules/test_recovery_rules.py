"""RP5xx recovery rules: locations, whole messages and the edge cases around each threshold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import AS_OF, REPO
from tests.rules.policies import PRIORITIES, TEAM

from relpolicy.config import Settings, Thresholds
from relpolicy.engine import Report, check, run_rules
from relpolicy.model.build import build
from relpolicy.model.service import Service
from relpolicy.policy import PolicySet, assemble
from relpolicy.rules import by_id
from relpolicy.rules.recovery import clock_phrase, outage_target
from relpolicy.source.loader import discover, load

Run = Callable[..., Report]


def service(recovery: str, *, tier: int = 1, name: str = "checkout", extra: str = "") -> str:
    """A service document whose ``recovery`` block starts on line 8 (its fields on line 9 onward)."""
    body = "".join(f"    {line}\n" for line in recovery.strip().splitlines())
    return (
        "apiVersion: relpolicy.dev/v1\n"
        "kind: Service\n"
        f"metadata: {{name: {name}}}\n"
        "spec:\n"
        "  description: Takes orders.\n"
        f"  tier: {tier}\n"
        "  owner: payments\n"
        f"  recovery:\n{body}{extra}"
    )


@pytest.fixture
def run(write_policy: Callable[..., Path], run_check: Callable[[Path], Report]) -> Run:
    """Write the documents to policy.yaml (with the team in team.yaml) and check them as of AS_OF."""

    def go(*documents: str, priorities: str | None = PRIORITIES) -> Report:
        write_policy(TEAM, "team.yaml")
        if priorities is not None:
            write_policy(priorities, "priorities.yaml")
        return run_check(write_policy("---\n".join(documents)))

    return go


def found(report: Report, rule_id: str) -> list[tuple[str, str]]:
    """(file:line:col, message) of each finding of one rule."""
    return [(str(f.location), f.message) for f in report.findings if f.rule_id == rule_id]


def related(report: Report, rule_id: str) -> list[list[tuple[str, str]]]:
    """The related locations of each finding of one rule."""
    return [[(str(r.location), r.message) for r in f.related] for f in report.findings if f.rule_id == rule_id]


def policy_set(root: Path) -> PolicySet:
    """The policy set under ``root``, for calling rules and helpers directly."""
    built = build(load(discover([root]), root.parent).documents)
    return assemble(built)[0]


# --- RP501 rto-exceeds-restore-target ---------------------------------------------------------


def test_rp501_rto_longer_than_the_tier1_outage_target(run: Run) -> None:
    """A tier-1 RTO of 6h breaks P1's 4h; the finding sits on the rto with the level and rule related."""
    report = run(service("rto: 6h\nlastRestoreTest: 2026-10-27"))
    assert found(report, "RP501") == [
        (
            "policies/policy.yaml:9:10",
            "checkout has an RTO of 6h, longer than the 4h restore target of P1 (24x7), the level a tier-1 outage maps "
            "to (PriorityPolicy default, rule 1)",
        )
    ]
    assert related(report, "RP501") == [
        [
            ("policies/priorities.yaml:6:83", "P1 restore target 4h"),
            ("policies/priorities.yaml:11:7", "maps a tier-1 outage of checkout to P1"),
        ]
    ]


@pytest.mark.parametrize("rto", ["4h", "3h59m", "30m"])
def test_rp501_rto_within_the_target_passes(run: Run, rto: str) -> None:
    """An RTO equal to or shorter than the level's target is fine."""
    assert found(run(service(f"rto: {rto}\nlastRestoreTest: 2026-10-27")), "RP501") == []


def test_rp501_business_clock_is_compared_as_written_and_named(run: Run) -> None:
    """P2's 8h are working hours: a 9h RTO still exceeds them, and the message says which clock."""
    report = run(service("rto: 9h\nlastRestoreTest: 2026-10-27", tier=2))
    assert found(report, "RP501") == [
        (
            "policies/policy.yaml:9:10",
            "checkout has an RTO of 9h, longer than the 8h restore target of P2 (working time on the office clock), "
            "the level a tier-2 outage maps to (PriorityPolicy default, rule 2)",
        )
    ]


def test_rp501_an_rto_is_held_to_its_own_level(run: Run) -> None:
    """6h is longer than P1's 4h, the shortest target, but a tier-2 outage maps to P2 (8h)."""
    assert found(run(service("rto: 6h\nlastRestoreTest: 2026-10-27", tier=2)), "RP501") == []
    scheduled = PRIORITIES.replace("restore: 4h", "restore: scheduled").replace("restore: 8h", "restore: scheduled")
    scheduled = scheduled.replace("restore: 2d", "restore: scheduled")
    assert found(run(service("rto: 30d"), priorities=scheduled), "RP501") == []


def test_rp501_default_level(run: Run) -> None:
    """When no rule matches, the policy's default level sets the target, and the message says so."""
    report = run(service("rto: 3d\nlastRestoreTest: 2026-10-27", tier=4))
    assert found(report, "RP501") == [
        (
            "policies/policy.yaml:9:10",
            "checkout has an RTO of 3d, longer than the 2d restore target of P3 (working time on the office clock), "
            "the level a tier-4 outage maps to (PriorityPolicy default, the default level)",
        )
    ]
    assert related(report, "RP501")[0][1] == (
        "policies/priorities.yaml:17:12",
        "maps a tier-4 outage of checkout to P3",
    )


def test_rp501_labels_pick_a_scheduled_level_with_no_target(run: Run) -> None:
    """A rule matching the service's labels picks P4, whose restore is scheduled: nothing to exceed."""
    labelled = service("rto: 30d", tier=3).replace("{name: checkout}", "{name: checkout, labels: {site: warehouse}}")
    unlabelled = service("rto: 30d", tier=3, name="returns")
    assert [m for _, m in found(run(labelled, unlabelled), "RP501")] == [
        "returns has an RTO of 30d, longer than the 2d restore target of P3 (working time on the office clock), "
        "the level a tier-3 outage maps to (PriorityPolicy default, the default level)"
    ]


def test_rp501_needs_a_priority_policy_that_applies(run: Run) -> None:
    """No policy, or two policies and the service names neither: there is no target to compare with."""
    assert found(run(service("rto: 6h"), priorities=None), "RP501") == []
    second = (
        PRIORITIES.split("---", maxsplit=1)[0]
        .replace("name: default", "name: other")
        .replace("restore: 4h", "restore: 1h")
    )
    two = PRIORITIES + "---\n" + second
    assert found(run(service("rto: 6h"), priorities=two), "RP501") == []


def test_rp501_uses_the_policy_the_service_names(run: Run) -> None:
    """A service's own priorityPolicy is the one that counts."""
    second = (
        PRIORITIES.split("---", maxsplit=1)[0]
        .replace("name: default", "name: strict")
        .replace("restore: 4h", "restore: 1h")
    )
    named = service("rto: 2h", extra="  priorityPolicy: strict\n")
    assert [m for _, m in found(run(named, priorities=PRIORITIES + "---\n" + second), "RP501")] == [
        "checkout has an RTO of 2h, longer than the 1h restore target of P1 (24x7), the level a tier-1 outage maps to "
        "(PriorityPolicy strict, rule 1)"
    ]


def test_rp501_unknown_level_is_left_to_rp201(run: Run) -> None:
    """A rule naming a level that does not exist is RP201's finding, not a target of 0."""
    broken = PRIORITIES.replace("level: P1", "level: P7")
    report = run(service("rto: 6h"), priorities=broken)
    assert found(report, "RP501") == []
    assert [(str(f.location), f.rule_id) for f in report.findings if f.rule_id == "RP201"] == [
        ("policies/priorities.yaml:12:14", "RP201")
    ]


def test_clock_phrase(write_policy: Callable[..., Path]) -> None:
    """Levels run 24x7, on a declared round-the-clock calendar, on working time, or on an unknown clock."""
    days = ", ".join(f"{day}: [00:00-24:00]" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    rota = (
        "apiVersion: relpolicy.dev/v1\nkind: Calendar\nmetadata: {name: rota}\n"
        f"spec:\n  timezone: UTC\n  hours: {{{days}}}\n"
    )
    policy = policy_set(write_policy(PRIORITIES + "---\n" + rota))
    assert [clock_phrase(policy, c) for c in ("always", "rota", "office", "nowhere")] == [
        "24x7",
        "24x7 on the rota clock",
        "working time on the office clock",
        "on the nowhere clock",
    ]


def test_outage_target_of_a_scheduled_level_is_none(write_policy: Callable[..., Path]) -> None:
    """The helper RP404 shares: a scheduled level gives no target, a timed one gives its level and rule."""
    labelled = service("rto: 1h", tier=3).replace("{name: checkout}", "{name: checkout, labels: {site: warehouse}}")
    policy = policy_set(write_policy(PRIORITIES + "---\n" + labelled + "---\n" + service("rto: 1h", name="cart")))
    checkout, cart = policy.get(Service, "checkout"), policy.get(Service, "cart")
    assert checkout is not None
    assert cart is not None
    assert outage_target(policy, checkout) is None
    target = outage_target(policy, cart)
    assert target is not None
    assert (target.level.name, target.level_index, target.rule_index, target.restore) == (
        "P1",
        0,
        0,
        dt.timedelta(hours=4),
    )


# --- RP502 restore-test-stale -------------------------------------------------------------------


def test_rp502_stale_by_the_default_interval(run: Run) -> None:
    """91 days after the last test, with the default 90d interval, the test is stale."""
    report = run(service("rto: 1h\nlastRestoreTest: 2026-08-27"))
    assert found(report, "RP502") == [
        (
            "policies/policy.yaml:10:22",
            "checkout last tested a restore on 2026-08-27, 91 days before 2026-11-26; restores must be tested every "
            "90d (the default, thresholds.restoreTestEvery)",
        )
    ]
    assert related(report, "RP502") == [[]]


def test_rp502_exactly_one_interval_old_is_not_stale(run: Run) -> None:
    """A test exactly 90 days old is due today, not overdue."""
    assert found(run(service("rto: 1h\nlastRestoreTest: 2026-08-28")), "RP502") == []


def test_rp502_own_interval(run: Run) -> None:
    """restoreTestEvery overrides the default and is the related location."""
    report = run(service("rto: 1h\nlastRestoreTest: 2026-10-26\nrestoreTestEvery: 30d"))
    assert found(report, "RP502") == [
        (
            "policies/policy.yaml:10:22",
            "checkout last tested a restore on 2026-10-26, 31 days before 2026-11-26; restores must be tested every "
            "30d (restoreTestEvery)",
        )
    ]
    assert related(report, "RP502") == [[("policies/policy.yaml:11:23", "the restore-test interval")]]
    assert found(run(service("rto: 1h\nlastRestoreTest: 2026-08-01\nrestoreTestEvery: 120d")), "RP502") == []


def test_rp502_a_test_dated_after_the_check_date(run: Run) -> None:
    """Tomorrow is tolerated (time zones ahead of UTC); later than that cannot have happened."""
    assert found(run(service("rto: 1h\nlastRestoreTest: 2026-11-27")), "RP502") == []
    assert found(run(service("rto: 1h\nlastRestoreTest: 2062-11-20")), "RP502") == [
        (
            "policies/policy.yaml:10:22",
            "checkout records a restore test on 2062-11-20, after the check date 2026-11-26: a restore cannot "
            "have been tested in the future; is the year mistyped?",
        )
    ]


def test_rp502_reads_the_check_date_and_the_threshold(write_policy: Callable[..., Path]) -> None:
    """The same test is fresh or stale depending on as_of and on thresholds.restoreTestEvery."""
    write_policy(TEAM, "team.yaml")
    policy = policy_set(write_policy(service("rto: 1h\nlastRestoreTest: 2026-10-01")))
    rule = [by_id("RP502")]
    strict = Settings(thresholds=Thresholds.model_validate({"restoreTestEvery": "30d"}))
    assert run_rules(policy, AS_OF, rule) == []
    assert run_rules(policy, dt.date(2027, 1, 1), rule) != []
    assert [p.message for p in run_rules(policy, AS_OF, rule, strict)] == [
        "checkout last tested a restore on 2026-10-01, 56 days before 2026-11-26; restores must be tested every 30d "
        "(the default, thresholds.restoreTestEvery)"
    ]


def test_rp502_sub_day_interval(run: Run) -> None:
    """Intervals shorter than a day still compare against whole days of age, with a singular day."""
    report = run(service("rto: 1h\nlastRestoreTest: 2026-11-25\nrestoreTestEvery: 12h"))
    assert [m for _, m in found(report, "RP502")] == [
        "checkout last tested a restore on 2026-11-25, 1 day before 2026-11-26; restores must be tested every 12h "
        "(restoreTestEvery)"
    ]


# --- RP503 backup-3-2-1 -------------------------------------------------------------------------


def test_rp503_every_missing_leg_on_its_field(run: Run) -> None:
    """One copy, one medium, not offsite: three findings, each on the field to fix."""
    report = run(service("rpo: 1d\nbackups: {copies: 1, media: [object-storage], offsite: false, every: 1d}"))
    assert found(report, "RP503") == [
        (
            "policies/policy.yaml:10:23",
            "checkout keeps only 1 backup copy besides the live data: 3-2-1 needs 3 copies in all, so `copies` "
            "must be at least 2",
        ),
        (
            "policies/policy.yaml:10:33",
            "the backups of checkout are all on one kind of storage (object-storage): 3-2-1 needs copies on at least 2 "
            "different media, so that one storage failure cannot take every copy",
        ),
        (
            "policies/policy.yaml:10:60",
            "checkout keeps no backup copy offsite (offsite: false): 3-2-1 needs at least 1 copy in another site or "
            "region",
        ),
    ]


def test_rp503_no_copy_at_all_is_one_finding(run: Run) -> None:
    """With zero copies, media and offsite describe nothing: only `copies` is reported."""
    report = run(service("backups: {copies: 0, every: 1d}"))
    assert found(report, "RP503") == [
        (
            "policies/policy.yaml:9:23",
            "checkout keeps no backup copy besides the live data: 3-2-1 needs 3 copies in all, so `copies` must "
            "be at least 2",
        )
    ]


def test_rp503_absent_fields_are_reported_on_backups(run: Run) -> None:
    """No media and no offsite flag: both findings sit on the `backups` key."""
    report = run(service("backups:\n  copies: 2\n  every: 1d"))
    assert found(report, "RP503") == [
        (
            "policies/policy.yaml:9:5",
            "checkout keeps no backup copy offsite (`offsite` is not set): 3-2-1 needs at least 1 copy in another "
            "site or region",
        ),
        (
            "policies/policy.yaml:9:5",
            "the backups of checkout are on no declared media (`media` is not set): 3-2-1 needs copies on at least 2 "
            "different media, so that one storage failure cannot take every copy",
        ),
    ]


def test_rp503_media_are_counted_by_kind(run: Run) -> None:
    """The same medium written twice (in any case) is one kind of storage."""
    report = run(service("backups: {copies: 2, media: [Tape, tape, ' tape'], offsite: true, every: 1d}"))
    assert [m for _, m in found(report, "RP503")] == [
        "the backups of checkout are all on one kind of storage (tape): 3-2-1 needs copies on at least 2 different "
        "media, so that one storage failure cannot take every copy"
    ]


def test_rp503_compliant_backups_pass(run: Run) -> None:
    """Two copies on two media with one offsite satisfy 3-2-1; no backups at all is not this rule's business."""
    good = service("backups: {copies: 2, media: [object-storage, tape], offsite: true, every: 1d}")
    assert found(run(good, service("rto: 1h", name="cart")), "RP503") == []


# --- RP504 rpo-exceeds-backup-interval ----------------------------------------------------------


def test_rp504_backups_less_often_than_the_rpo(run: Run) -> None:
    """Daily backups cannot meet a 4h RPO; the finding is on `every`, the RPO is related."""
    report = run(service("rpo: 4h\nbackups: {copies: 2, media: [object-storage, tape], offsite: true, every: 1d}"))
    assert found(report, "RP504") == [
        (
            "policies/policy.yaml:10:79",
            "checkout backs up every 1d but its RPO is 4h: a failure just before the next backup loses up to 1d "
            "of data",
        )
    ]
    assert related(report, "RP504") == [[("policies/policy.yaml:9:10", "RPO 4h")]]


@pytest.mark.parametrize(
    "recovery",
    [
        "rpo: 4h\nbackups: {copies: 2, media: [disk, tape], offsite: true, every: 4h}",
        "rpo: 4h\nbackups: {copies: 2, media: [disk, tape], offsite: true, every: 1h}",
        "backups: {copies: 2, media: [disk, tape], offsite: true, every: 1d}",
        "rpo: 5m",
    ],
    ids=["equal", "more-often", "no-rpo", "no-backups"],
)
def test_rp504_passes(run: Run, recovery: str) -> None:
    """Backups as often as the RPO or more often, or one of the two missing: nothing to compare."""
    assert found(run(service(recovery)), "RP504") == []


# --- RP505 restore-never-tested -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "recovery", "declared"),
    [
        (1, "rto: 1h", "an RTO of 1h"),
        (2, "backups: {copies: 2, media: [disk, tape], offsite: true, every: 1d}", "backups"),
        (
            1,
            "rto: 90m\nbackups: {copies: 2, media: [disk, tape], offsite: true, every: 1d}",
            "an RTO of 1h30m and backups",
        ),
    ],
)
def test_rp505_never_tested(run: Run, tier: int, recovery: str, declared: str) -> None:
    """A tier 1-2 RTO or backups without a restore test is reported on the `recovery` key."""
    report = run(service(recovery, tier=tier))
    assert found(report, "RP505") == [
        (
            "policies/policy.yaml:8:3",
            f"checkout (tier {tier}) has {declared} but no restore test on record: rehearse a restore and record "
            "its date in `lastRestoreTest`",
        )
    ]


@pytest.mark.parametrize(
    ("tier", "recovery"),
    [(3, "rto: 1h"), (1, "rto: 1h\nlastRestoreTest: 2026-10-27"), (1, "rpo: 1h")],
    ids=["tier-3", "tested", "rpo-only"],
)
def test_rp505_passes(run: Run, tier: int, recovery: str) -> None:
    """Lower tiers, tested restores, and services with nothing to restore are not reported."""
    assert found(run(service(recovery, tier=tier)), "RP505") == []


def test_rp505_stale_test_is_rp502_not_rp505(run: Run) -> None:
    """A restore tested long ago has a record: it is stale (RP502), not never tested (RP505)."""
    report = run(service("rto: 1h\nlastRestoreTest: 2024-01-01"))
    assert {f.rule_id for f in report.findings if f.rule_id.startswith("RP50")} == {"RP502"}


def test_example_organisation_is_clean() -> None:
    """The example organisation keeps every recovery rule quiet as of AS_OF."""
    report = check([REPO / "policies"], as_of=AS_OF, base=REPO)
    assert [f for f in report.findings if f.rule_id.startswith("RP5")] == []
