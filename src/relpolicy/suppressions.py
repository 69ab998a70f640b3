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

import bisect
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from relpolicy.findings import Finding, Location, Problem, Suppressed
from relpolicy.fixes import Fix, Replacement

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
    removal: Location | None = None
    """What to delete to remove the comment: its whole line, or the comment and the blanks before it."""
    names: Location | None = None
    """The text between the brackets."""


def find_suppressions(path: str, text: str) -> list[Suppression]:
    """Every suppression comment in one file.

    One pass over the lines, whatever the number of comments: the next line with content and the
    document of a ``kind:`` line are looked up, not searched for (20,000 comments in a row took
    22 s when each searched the lines below it).
    """
    lines = text.splitlines()
    starts: list[int] | None = None
    following: list[int] | None = None
    found: list[Suppression] = []
    for number, line in enumerate(lines, start=1):
        if "relpolicy" not in line:  # a memchr-like test first: most lines hold no suppression
            continue
        match = _COMMENT.search(line)
        if match is None:
            continue
        col = line.rfind("#", 0, match.start("rules")) + 1
        content = line[: col - 1].strip()
        if content:
            target = number
        else:
            following = following or _next_content_lines(lines)
            target = following[number]
        covered = range(target, target + 1)
        if target <= len(lines) and _KIND_LINE.match(lines[target - 1]):
            starts = starts or _document_starts(lines)
            covered = _document_of(starts, target, len(lines))
        rules = tuple(part.strip() for part in match["rules"].split(",") if part.strip())
        location = Location(path, number, col, number, len(line) + 1)
        if content:
            kept = len(line[: col - 1].rstrip())
            removal = Location(path, number, kept + 1, number, len(line) + 1)
        else:
            removal = Location(path, number, 1, number + 1, 1)
        names = Location(path, number, match.start("rules") + 1, number, match.end("rules") + 1)
        found.append(Suppression(location, rules, match["reason"].strip(), covered, removal=removal, names=names))
    return found


def _document_starts(lines: Sequence[str]) -> list[int]:
    """The first line of each document (1, then every ``---`` line)."""
    return [1] + [i for i, line in enumerate(lines, start=1) if _DOCUMENT_START.match(line)]


def _document_of(starts: list[int], line: int, last: int) -> range:
    """The lines of the document that holds ``line``."""
    index = bisect.bisect_right(starts, line) - 1
    end = starts[index + 1] if index + 1 < len(starts) else last + 1
    return range(starts[index], end)


def _next_content_lines(lines: Sequence[str]) -> list[int]:
    """For each line number ``n`` (1-based; index 0 unused), the next line after it with content
    (not blank, not only a comment), or ``n`` itself when there is none: one pass from the end."""
    following = list(range(len(lines) + 1))
    after: int | None = None
    for number in range(len(lines), 0, -1):
        following[number] = number if after is None else after
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            after = number
    return following


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
    resolve = functools.cache(resolve)  # the same few rule names, asked once per finding and suppression
    indexes = {path: _Index(suppressions, resolve) for path, suppressions in by_file.items() if suppressions}
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        index = indexes.get(finding.location.path)
        verdict = index.verdict(finding.location.line, finding.rule_id) if index is not None else None
        if verdict is None:
            kept.append(finding)
        else:
            suppressed.append(Suppressed(finding, *verdict))
    problems = [p for suppressions in by_file.values() for s in suppressions for p in _judge(s, resolve, active)]
    return kept, problems, suppressed


_Group = dict[str | None, list[Suppression]]
"""The suppressions that cover the same lines, by the id of each rule they name."""


class _Index:
    """One file's suppressions by the lines they cover, so that each finding costs a lookup.

    A suppression covers one line or one whole document, and documents do not overlap: the
    document of a line is found by bisection among the documents some suppression covers. The
    verdict for a set of covering suppressions and a rule is made once, however many findings
    it hides, so the work stays linear in findings plus suppressions.
    """

    def __init__(self, suppressions: Iterable[Suppression], resolve: Callable[[str], str | None]) -> None:
        self.by_line: dict[int, _Group] = {}
        self.by_document: dict[int, _Group] = {}
        self.ends: dict[int, int] = {}
        for suppression in suppressions:
            covered = suppression.lines
            if len(covered) == 1:
                group = self.by_line.setdefault(covered.start, {})
            else:
                group = self.by_document.setdefault(covered.start, {})
                self.ends[covered.start] = covered.stop
            for rule_id in dict.fromkeys(resolve(rule) for rule in suppression.rules):
                group.setdefault(rule_id, []).append(suppression)
        self.starts = sorted(self.by_document)
        self.verdicts: dict[tuple[int | None, int | None, str], tuple[str, Location]] = {}

    def verdict(self, line: int, rule_id: str) -> tuple[str, Location] | None:
        """The reason and location of the suppressions that hide a finding of ``rule_id`` on
        ``line`` (marking them used), or None when none does."""
        single = self.by_line.get(line, {})
        on_line = line if rule_id in single else None
        in_document = None
        position = bisect.bisect_right(self.starts, line) - 1
        if (
            position >= 0
            and line < self.ends[self.starts[position]]
            and rule_id in self.by_document[self.starts[position]]
        ):
            in_document = self.starts[position]
        if on_line is None and in_document is None:
            return None
        key = (on_line, in_document, rule_id)
        verdict = self.verdicts.get(key)
        if verdict is None:
            covering = [
                *single.get(rule_id, ()),
                *(self.by_document[in_document][rule_id] if in_document is not None else ()),
            ]
            covering.sort(key=lambda suppression: suppression.location.line)  # in the order they are written
            for suppression in covering:
                suppression.used.add(rule_id)
            reason = "; ".join(dict.fromkeys(s.reason for s in covering if s.reason))
            verdict = self.verdicts[key] = (reason, covering[0].location)
        return verdict


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
        fix = _edit(suppression.removal, "", "remove the suppression comment")
    else:
        message = f"suppression of {named}: {', '.join(unused)} suppresses nothing here; remove it from the brackets"
        kept = ", ".join(rule for rule in suppression.rules if rule not in unused)
        fix = _edit(suppression.names, kept, f"remove {', '.join(unused)} from the brackets")
    yield Problem("RP901", message, suppression.location, subject, fix=fix)


def _edit(region: Location | None, text: str, description: str) -> Fix | None:
    if region is None:
        return None
    return Fix(description, (Replacement(region.line, region.col, region.end_line, region.end_col, text),))
