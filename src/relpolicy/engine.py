"""The check pipeline: load, build, assemble, run the rules, rate and sort the findings.

Each stage returns data; the engine only strings them together and gives every problem the
severity of its rule.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from relpolicy.config import Settings
from relpolicy.findings import Finding, Problem, Severity
from relpolicy.model.build import build
from relpolicy.model.kinds import LANGUAGE, Language
from relpolicy.policy import PolicySet, assemble
from relpolicy.rules import RULES, Rule, RuleContext, by_id
from relpolicy.source.loader import discover, load


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

    def count(self, severity: Severity) -> int:
        """How many findings have exactly this severity."""
        return sum(1 for f in self.findings if f.severity is severity)

    def worst(self) -> Severity | None:
        """The most severe finding's severity, or None when clean."""
        return max((f.severity for f in self.findings), default=None)


def rate(problems: Iterable[Problem]) -> list[Finding]:
    """Give each problem its rule's name and severity, sorted by location."""
    findings = []
    for problem in problems:
        meta = by_id(problem.rule_id)
        findings.append(
            Finding(
                problem.rule_id,
                meta.name,
                meta.severity,
                problem.message,
                problem.location,
                problem.subject,
                problem.related,
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


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while loading.

    Parsing allocates hundreds of thousands of long-lived objects and no cycles; each collection
    would walk them all again (measured: most of the parse time on large repos).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check(
    paths: Sequence[Path],
    *,
    as_of: dt.date,
    base: Path | None = None,
    language: Language = LANGUAGE,
) -> Report:
    """Check every policy file under ``paths`` as of a date; bad files become findings."""
    files = discover(paths)
    with _collector_paused():
        loaded = load(files, base)
        built = build(loaded.documents, language)
    policy, assemble_problems = assemble(built)
    problems = [*loaded.problems, *built.problems, *assemble_problems, *run_rules(policy, as_of)]
    return Report(
        findings=tuple(rate(problems)),
        sources=loaded.sources,
        files=len(files),
        documents=len(loaded.documents),
        resources=len(policy.resources),
        as_of=as_of,
    )
