"""The check pipeline: load, build, assemble, run the rules, rate and sort the findings.

Each stage returns data; the engine only strings them together and gives every problem the
severity of its rule.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from relpolicy.baseline import Baseline
from relpolicy.config import Settings
from relpolicy.errors import RelpolicyError
from relpolicy.findings import Finding, Problem, Severity, Suppressed
from relpolicy.model.build import build
from relpolicy.model.kinds import LANGUAGE, Language
from relpolicy.policy import PolicySet, assemble
from relpolicy.rules import RULES, Rule, RuleContext, by_id, lookup
from relpolicy.source.cache import ParseCache
from relpolicy.source.loader import discover, load
from relpolicy.suppressions import apply_suppressions


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of a check: findings, and what was read to find them."""

    findings: tuple[Finding, ...]
    sources: dict[str, str] = field(repr=False)
    """Text of every file read, by display path (for code frames)."""
    files: int
    documents: int
    resources: int
    as_of: dt.date
    suppressed: int = 0
    """Findings hidden by inline suppressions."""
    baselined: int = 0
    """Findings hidden because the baseline knows them."""
    suppressions: tuple[Suppressed, ...] = ()
    """The findings hidden by inline suppressions, with their reasons, sorted like ``findings``."""
    elapsed: float = 0.0
    """Seconds the check took (wall time), for the reports that record durations (JUnit)."""

    def count(self, severity: Severity) -> int:
        """How many findings have exactly this severity."""
        return sum(1 for f in self.findings if f.severity is severity)

    def worst(self) -> Severity | None:
        """The most severe finding's severity, or None when clean."""
        return max((f.severity for f in self.findings), default=None)


def rate(problems: Iterable[Problem], settings: Settings | None = None) -> list[Finding]:
    """Give each problem its rule's name and severity (or the configured one), sorted by location."""
    overrides = settings.severity if settings is not None else {}
    findings = []
    for problem in problems:
        meta = by_id(problem.rule_id)
        findings.append(
            Finding(
                problem.rule_id,
                meta.name,
                overrides.get(problem.rule_id) or problem.severity or meta.severity,
                problem.message,
                problem.location,
                problem.subject,
                problem.related,
                problem.fix,
            )
        )
    return sorted(findings, key=lambda f: f.sort_key)


def run_rules(
    policy: PolicySet, as_of: dt.date, rules: Sequence[Rule] = RULES, settings: Settings | None = None
) -> list[Problem]:
    """Run every rule that has a check over the policy set."""
    context = RuleContext(policy, as_of, settings or Settings())
    problems: list[Problem] = []
    for rule in rules:
        if rule.check is not None:
            problems.extend(rule.check(context))
    return problems


_froze_collector = False
"""Whether the last check froze the objects it loaded (see :func:`collector_paused`)."""


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading and checking, then freeze what was loaded.

    Parsing, validation, the graph and the rules allocate millions of long-lived objects and
    hardly any cycles; each collection would walk them all again (measured: most of the parse
    time on large repos, 15-20% of the graph's), and so would every collection in the later
    phases while they stay alive. ``gc.freeze()`` moves them out of the collector's sight;
    refcounting still frees them when the report is dropped.
    The next check unfreezes them first, so a long-lived process (an editor, a test run) keeps
    at most one check's objects out of the collector's reach. Nested uses (``relpolicy diff``
    checks two sides inside one) keep it paused until the outermost one ends.
    """
    global _froze_collector  # noqa: PLW0603 - process-wide, like the collector itself
    if _froze_collector:
        gc.unfreeze()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            _froze_collector = True
            gc.enable()


def check(  # noqa: PLR0913 - keyword-only options of one operation
    paths: Sequence[Path],
    *,
    as_of: dt.date,
    base: Path | None = None,
    language: Language = LANGUAGE,
    settings: Settings | None = None,
    baseline: Baseline | None = None,
    cache: ParseCache | None = None,
) -> Report:
    """Check every policy file under ``paths`` as of a date; bad files become findings.

    Findings pass, in order: rule selection and severity overrides (``settings``), per-path
    ignores, inline suppressions (which may add RP9xx findings), then the ``baseline``. A
    ``cache`` (off by default) spares parsing the files parsed before; the findings are the same.
    """
    started = time.perf_counter()
    settings = settings or Settings()
    files = discover(paths, settings.exclude)
    rules = [r for r in RULES if settings.runs(r.id)]
    with collector_paused():
        loaded = load(files, base, cache)
        built = build(loaded.documents, language, loaded.sources)
        policy, assemble_problems = assemble(built)
        problems = [*loaded.problems, *built.problems, *assemble_problems, *run_rules(policy, as_of, rules, settings)]
    findings = [f for f in rate(problems, settings) if settings.reports(f.location.path, f.rule_id)]
    findings, suppression_problems, suppressed = apply_suppressions(
        findings, loaded.sources, _rule_id, settings.reports
    )
    findings = sorted(
        [*findings, *(f for f in rate(suppression_problems, settings) if settings.reports(f.location.path, f.rule_id))],
        key=lambda f: f.sort_key,
    )
    baselined = 0
    if baseline is not None:
        findings, baselined = baseline.filter(findings)
    return Report(
        findings=tuple(findings),
        sources=loaded.sources,
        files=len(files) + len(files.refused),  # a link out of the tree is a file with its RP100
        documents=len(loaded.documents),
        resources=len(policy.resources),
        as_of=as_of,
        suppressed=len(suppressed),
        baselined=baselined,
        suppressions=tuple(sorted(suppressed, key=lambda s: s.finding.sort_key)),
        elapsed=time.perf_counter() - started,
    )


def _rule_id(key: str) -> str | None:
    try:
        return lookup(key).id
    except RelpolicyError:
        return None
