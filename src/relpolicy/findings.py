"""What the checks report: severities, source locations, problems and rated findings.

Every stage (loader, model building, rules) reports a :class:`Problem`: what is wrong and where.
The engine turns each problem into a :class:`Finding` by attaching the severity that the rule
catalogue and the project configuration give it. This module is a leaf: it imports nothing from
the rest of the package but :mod:`relpolicy.fixes` (which imports only :mod:`relpolicy.suggestions`).
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Final, Literal

from relpolicy.fixes import Fix

MAX_MESSAGE_CHARS: Final = 2_000
"""The longest message a finding or related note keeps; longer ones lose their middle.

Messages quote values from the policy files, and a value can be a megabyte long. Every format
would print it whole, once per finding. Real messages stay well under this (the longest, RP303's
path through the dependency graph, is a few hundred characters), so a cut only hits hostile or
broken input, and it keeps both ends: the start says what is wrong, the end often the numbers.
"""
_ELISION: Final = "…[{:,} characters omitted]…"


def cap_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` if at most ``limit`` characters long; else ``limit`` of them, its two ends around a note of the cut."""
    if len(text) <= limit:
        return text
    cut = len(text) - limit
    marker = _ELISION.format(cut)
    head = (limit * 2) // 3
    return text[:head] + marker + text[head + cut :]


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``ERROR > WARNING > INFO``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lowercase name used in output and configuration."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a severity written as in configuration or on the command line."""
        try:
            return cls[text.upper()]
        except KeyError:
            names = ", ".join(s.label for s in sorted(cls, reverse=True))
            msg = f"unknown severity {text!r}; expected one of: {names}"
            raise ValueError(msg) from None


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A 1-based region of a file; ``end_*`` point just past the node's last character."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that explains a problem (the other end of a cycle, the first definition)."""

    location: Location
    message: str

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE_CHARS:
            object.__setattr__(self, "message", cap_message(self.message))


@dataclass(frozen=True, slots=True)
class Note:
    """What an import or an export left out or changed, where and why (not a finding of the policy).

    ``error`` marks what it refused (a document not imported, an SLO not exported), ``note`` the rest.
    """

    location: Location
    message: str
    severity: Literal["note", "error"] = "note"

    def line(self) -> str:
        """``file:line:col: note: message``, as the command line prints it."""
        where = self.location
        return f"{where.path}:{where.line}:{where.col}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the policy, as a check reports it, before severity is applied.

    ``subject`` names what the problem is about independently of line numbers (for example
    ``Service/checkout spec.dependsOn[2]``); baselines and SARIF fingerprints use it so that a
    finding keeps its identity when unrelated edits move lines.
    """

    rule_id: str
    message: str
    location: Location
    subject: str
    related: tuple[Related, ...] = field(default=())
    severity: Severity | None = None
    """Set when this problem is milder or worse than its rule's default (a cycle through a soft link)."""
    fix: Fix | None = None
    """A safe, mechanical change that resolves the problem (``check --fix``), when the rule knows one."""

    def with_severity(self, severity: Severity) -> Problem:
        """The same problem at another severity than its rule's default."""
        return dataclasses.replace(self, severity=severity)


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem with the severity and rule name it is reported under."""

    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    location: Location
    subject: str
    related: tuple[Related, ...] = ()
    fix: Fix | None = None

    def __post_init__(self) -> None:
        # Where every message is final, whichever stage reported it: all formats get the cap.
        if len(self.message) > MAX_MESSAGE_CHARS:
            object.__setattr__(self, "message", cap_message(self.message))

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Findings are reported by file, then position, then rule."""
        loc = self.location
        return (loc.path, loc.line, loc.col, self.rule_id, self.message)


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A finding that an inline ``# relpolicy: ignore[...]`` comment hides, and why.

    Only SARIF (``result.suppressions``) and JSON report them; the other formats count them.
    """

    finding: Finding
    reason: str
    """The comment's reason (the reasons of every comment that covers it, joined by ``; ``)."""
    location: Location
    """The first comment that covers it."""
