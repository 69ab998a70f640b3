"""Baselines: adopt relpolicy on a large repo and fail only on new findings.

``relpolicy check --write-baseline FILE`` records the current findings; ``--baseline FILE``
hides the ones recorded. A finding is identified by its rule and its subject (the resource and
key path it is about, such as ``Service/checkout:spec.dependsOn[2]``), never by its line, so it
survives edits that move lines. Identities are counted, so a second, new finding with the same
identity is still reported.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from relpolicy.errors import RelpolicyError
from relpolicy.fileio import read_input, write_text
from relpolicy.findings import Finding

BASELINE_VERSION: Final = 1


def identity(finding: Finding) -> tuple[str, str]:
    """What a baseline remembers of a finding."""
    return finding.rule_id, finding.subject


@dataclass(frozen=True, slots=True)
class Baseline:
    """Known findings, by identity and count."""

    known: Counter[tuple[str, str]]

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Baseline:
        """The baseline that accepts exactly these findings."""
        return cls(Counter(identity(f) for f in findings))

    def filter(self, findings: Iterable[Finding]) -> tuple[list[Finding], int]:
        """The findings not in the baseline, and how many were."""
        remaining = Counter(self.known)
        new: list[Finding] = []
        for finding in findings:
            key = identity(finding)
            if remaining[key] > 0:
                remaining[key] -= 1
            else:
                new.append(finding)
        return new, sum(self.known.values()) - sum(remaining.values())

    def dumps(self) -> str:
        """Deterministic JSON text (sorted, one entry per identity)."""
        entries = [
            {"rule": rule, "subject": subject, "count": count} for (rule, subject), count in sorted(self.known.items())
        ]
        return json.dumps({"version": BASELINE_VERSION, "findings": entries}, indent=2) + "\n"

    def dump(self, path: Path) -> None:
        """Write the baseline file atomically, never through a link; a failure is a one-line error."""
        write_text(path, self.dumps())

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read a baseline file (a regular file, never a FIFO); a bad file is a one-line error."""
        data = read_input(path, "baseline")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            msg = f"{path}: not a relpolicy baseline: not UTF-8 text"
            raise RelpolicyError(msg) from None
        return cls.loads(text, str(path))

    @classmethod
    def loads(cls, text: str, source: str = "baseline") -> Baseline:
        """Parse baseline text (``source`` names it in errors); a bad one is a one-line error."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:  # RecursionError: absurdly deep nesting
            msg = f"{source}: not a relpolicy baseline: not JSON ({error})"
            raise RelpolicyError(msg) from None
        return cls(_known(data, source))


def _known(data: object, source: str) -> Counter[tuple[str, str]]:
    """The counted identities of a parsed baseline file."""
    if isinstance(data, dict) and "version" in data and data["version"] != BASELINE_VERSION:
        msg = f"{source}: unsupported baseline version {data.get('version')!r} (expected {BASELINE_VERSION})"
        raise RelpolicyError(msg)
    if (wrong := _what_is_wrong(data)) is not None:
        msg = f"{source}: not a relpolicy baseline: {wrong}"
        raise RelpolicyError(msg)
    assert isinstance(data, dict)  # noqa: S101 - checked by _what_is_wrong
    known: Counter[tuple[str, str]] = Counter()
    for entry in data["findings"]:
        known[(entry["rule"], entry["subject"])] += entry.get("count", 1)
    return known


def _what_is_wrong(data: object) -> str | None:
    """Why parsed JSON is not a baseline (its shape, entry by entry), or None when it is one."""
    if not isinstance(data, dict) or "version" not in data or "findings" not in data:
        return 'expected an object with "version" and "findings"'
    if not isinstance(data["findings"], list):
        return '"findings" must be a list'
    for index, entry in enumerate(data["findings"]):
        if not (
            isinstance(entry, dict) and isinstance(entry.get("rule"), str) and isinstance(entry.get("subject"), str)
        ):
            return f'findings[{index}] must be an object with a "rule" and a "subject"'
        count = entry.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            return f"findings[{index}].count must be a whole number of at least 1, not {json.dumps(count)}"
    return None
