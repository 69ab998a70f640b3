"""Inline suppressions: ``# relpolicy: ignore[RP306] orders-db is a multi-AZ cluster``.

A suppression names rules by id or name (several, comma-separated) and must give a reason. It
applies to the line it ends, or, written on a line of its own, to the next line with content.
On the line of a document's top-level ``kind:`` it covers every finding inside that document.

A suppression without a reason (RP902), one that names no known rule, or one that suppresses
nothing (RP901) is itself a finding: stale suppressions would otherwise hide future problems.
Each rule a suppression names is judged on its own, so ``ignore[RP302, RP306]`` that only ever
silences RP302 is reported for RP306. A rule that did not run on the file (not selected, ignored,
or ignored for that path) cannot be judged unused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from relpolicy.findings import Finding, Location, Problem, Suppressed

_COMMENT: Final = re.compile(r"(?:^|\s)#\s*relpolicy:\s*ignore\[(?P<rules>[^\]]*)\](?P<reason>.*)$")
_DOCUMENT_START: Final = re.compile(r"^---(?:\s|$)")
_KIND_LINE: Final = re.compile(r"^kind\s*:")


@dataclass(slots=True)
class Suppression:
    """One ``ignore[...]`` comment and what it covers."""

    location: Location
    rules: tuple[str, ...]
    """Rule ids, as written (ids or names resolved by the caller)."""
    reason: str
    lines: range
    """The lines whose findings it covers."""
    used: set[str] = field(default_factory=set)
    """The ids of the rules whose findings it suppressed."""


def find_suppressions(path: str, text: str) -> list[Suppression]:
    """Every suppression comment in one file."""
    lines = text.splitlines()
    documents = _document_ranges(lines)
    found: list[Suppression] = []
    for number, line in enumerate(lines, start=1):
        match = _COMMENT.search(line)
        if match is None:
            continue
        col = line.rfind("#", 0, match.start("rules")) + 1
        content = line[: col - 1].strip()
        target = number if content else _next_content_line(lines, number)
        covered = range(target, target + 1)
        if target <= len(lines) and _KIND_LINE.match(lines[target - 1]):
            covered = next((r for r in documents if target in r), covered)
        rules = tuple(part.strip() for part in match["rules"].split(",") if part.strip())
        location = Location(path, number, col, number, len(line) + 1)
        found.append(Suppression(location, rules, match["reason"].strip(), covered))
    return found


def _document_ranges(lines: Sequence[str]) -> list[range]:
    starts = [1] + [i for i, line in enumerate(lines, start=1) if _DOCUMENT_START.match(line)]
    ends = [*starts[1:], len(lines) + 1]
    return [range(start, end) for start, end in zip(starts, ends, strict=True)]


def _next_content_line(lines: Sequence[str], after: int) -> int:
    for number in range(after + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return after


def apply_suppressions(
    findings: Iterable[Finding],
    sources: dict[str, str],
    resolve: Callable[[str], str | None],
    active: Callable[[str, str], bool],
) -> tuple[list[Finding], list[Problem], list[Suppressed]]:
    """Drop suppressed findings; report suppressions that are bad or unused.

    ``resolve`` maps a rule id or name to its id (None when unknown); ``active(path, rule_id)``
    tells whether a rule's findings in a file are reported at all, since a suppression of a rule
    that did not run there cannot be judged unused.
    Returns the findings kept, the problems with suppressions, and the suppressed findings with
    their reasons (for the reports that show them as suppressed rather than absent).
    """
    by_file = {path: find_suppressions(path, text) for path, text in sources.items() if "relpolicy:" in text}
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        covering = [
            s
            for s in by_file.get(finding.location.path, [])
            if finding.location.line in s.lines and finding.rule_id in {resolve(r) for r in s.rules}
        ]
        for suppression in covering:
            suppression.used.add(finding.rule_id)
        if covering:
            reason = "; ".join(dict.fromkeys(s.reason for s in covering if s.reason))
            suppressed.append(Suppressed(finding, reason, covering[0].location))
        else:
            kept.append(finding)
    problems = [p for suppressions in by_file.values() for s in suppressions for p in _judge(s, resolve, active)]
    return kept, problems, suppressed


def _judge(
    suppression: Suppression, resolve: Callable[[str], str | None], active: Callable[[str, str], bool]
) -> Iterator[Problem]:
    subject = f"{suppression.location.path}:suppression:{','.join(suppression.rules)}"
    unknown = [r for r in suppression.rules if resolve(r) is None]
    if not suppression.rules or unknown:
        if unknown:
            what = f"unknown rule{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
            message = f"this suppression names {what}: `relpolicy rules` lists the rule ids and names"
        else:
            message = "this suppression names no rule: write ignore[RPxxx] with rule ids"
        yield Problem("RP901", message, suppression.location, subject)
        return
    if not suppression.reason:
        yield Problem(
            "RP902",
            f"suppression of {', '.join(suppression.rules)} gives no reason: say why after the brackets",
            suppression.location,
            subject,
        )
    path = suppression.location.path
    ids = [(rule, resolve(rule) or rule) for rule in suppression.rules]
    unused = [rule for rule, rule_id in ids if rule_id not in suppression.used and active(path, rule_id)]
    if not unused:
        return
    named = ", ".join(suppression.rules)
    if len(unused) == len(suppression.rules):
        message = f"suppression of {named} suppresses nothing: remove it"
    else:
        message = f"suppression of {named}: {', '.join(unused)} suppresses nothing here; remove it from the brackets"
    yield Problem("RP901", message, suppression.location, subject)
