"""Applying the fixes that findings carry (``relpolicy check --fix``).

Fixes are grouped by file and applied together as text replacements, so everything else in the
file (comments, quoting, layout, line breaks) stays as it was. Two fixes that touch the same text
are not applied together: the later one waits for the next round, when the check runs again on
the fixed file. Removing an unused suppression waits until everything else is fixed (see
:data:`JUDGED_ON_THE_WHOLE`). A file whose fixed text would no longer parse cleanly is left as it is.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from relpolicy.editing.editor import SourceFile, apply_replacements
from relpolicy.errors import RelpolicyError
from relpolicy.findings import Finding
from relpolicy.fixes import Fix

JUDGED_ON_THE_WHOLE: Final = frozenset({"RP901"})
"""Rules whose findings depend on every other finding: a suppression looks unused while a typo
elsewhere keeps a document out of the checks (and so the finding it suppresses). Their fixes wait
until no other fix is left and no file or document failed to load."""

LOADING_RULES: Final = "RP1"
"""The rules of reading and validating files (RP1xx): a document they report is left out."""


@dataclass(frozen=True, slots=True)
class FixedFile:
    """The fixes applied to one file, and its text before and after."""

    source: SourceFile
    fixed: str
    applied: tuple[Finding, ...]

    @property
    def shown(self) -> str:
        """The file's display path."""
        return self.applied[0].location.path

    def diff(self) -> str:
        """A unified diff of the fixes."""
        return "".join(
            difflib.unified_diff(
                self.source.text.splitlines(keepends=True),
                self.fixed.splitlines(keepends=True),
                self.shown,
                f"{self.shown} (fixed)",
            )
        )

    def write(self) -> None:
        """Write the fixed text back, atomically, as the file was encoded."""
        self.source.with_text(self.fixed).write()


def _overlaps(fix: Fix, taken: list[tuple[int, int, int, int]]) -> bool:
    for r in fix.replacements:
        start, end = (r.line, r.col), (r.end_line, r.end_col)
        for line, col, end_line, end_col in taken:
            if (start < (end_line, end_col) and (line, col) < end) or start == end == (line, col):
                return True
    return False


def plan(findings: Iterable[Finding], base: Path | None = None) -> tuple[list[FixedFile], list[str]]:
    """The fixed text of every file that has findings with fixes, and the files that could not be fixed.

    ``base`` is the directory the findings' display paths are relative to (the working directory
    by default).
    """
    from relpolicy.source.parse import parse_yaml  # noqa: PLC0415 - the fixed text must still parse

    findings = list(findings)
    fixable = [f for f in findings if f.fix is not None and f.rule_id not in JUDGED_ON_THE_WHOLE]
    if not fixable and not any(f.rule_id.startswith(LOADING_RULES) for f in findings):
        fixable = [f for f in findings if f.fix is not None]
    by_file: dict[str, list[Finding]] = {}
    for finding in fixable:
        by_file.setdefault(finding.location.path, []).append(finding)
    planned: list[FixedFile] = []
    skipped: list[str] = []
    for shown, fixable in sorted(by_file.items()):
        path = (base or Path()) / shown
        try:
            source = SourceFile.read(path)
        except RelpolicyError as error:
            skipped.append(f"{shown}: {error}")
            continue
        taken: list[tuple[int, int, int, int]] = []
        chosen: list[Finding] = []
        for finding in fixable:
            assert finding.fix is not None  # noqa: S101 - grouped above
            if _overlaps(finding.fix, taken):
                continue
            chosen.append(finding)
            taken.extend((r.line, r.col, r.end_line, r.end_col) for r in finding.fix.replacements)
        try:
            fixed = apply_replacements(
                source.text, [r for finding in chosen if finding.fix for r in finding.fix.replacements]
            )
        except RelpolicyError as error:
            skipped.append(f"{shown}: {error}")
            continue
        if any(p.rule_id == "RP101" for p in parse_yaml(fixed, shown).problems):
            skipped.append(f"{shown}: the fixed file would not parse; fix it by hand")
            continue
        if fixed != source.text:
            planned.append(FixedFile(source, fixed, tuple(chosen)))
    return planned, skipped
