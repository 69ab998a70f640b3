"""The human report, grouped by file: ``file:line:col  RPxxx  severity  message``, a code frame,
related notes, and a summary line with counts by severity.

Each finding keeps its full ``file:line:col`` (terminals and editors make it a link) under a
header that names the file and how many findings it has.
"""

from __future__ import annotations

from collections import Counter
from typing import Final

from relpolicy.engine import Report
from relpolicy.findings import Finding, Severity

_COLORS: Final = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}
_BOLD, _DIM = "1", "2"


def _paint(text: str, code: str, *, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def code_frame(source: str | None, finding: Finding, *, color: bool = False, context: int = 1) -> list[str]:
    """The lines around a finding with a caret line under its span."""
    if source is None:
        return []
    lines = source.splitlines()
    loc = finding.location
    if not 1 <= loc.line <= len(lines):
        return []
    first, last = max(1, loc.line - context), min(len(lines), loc.line + context)
    width = len(str(last))
    frame = []
    for number in range(first, last + 1):
        marker = ">" if number == loc.line else " "
        gutter = _paint(f"{marker} {number:>{width}} |", _DIM, color=color)
        frame.append(f"  {gutter} {lines[number - 1]}".rstrip())
        if number == loc.line:
            line_text = lines[number - 1]
            end = loc.end_col if loc.end_line == loc.line else len(line_text) + 1
            length = max(1, end - loc.col)
            carets = _paint("^" * length, _COLORS[finding.severity], color=color)
            frame.append(f"  {' ' * (width + 3)}{_paint('|', _DIM, color=color)} {' ' * (loc.col - 1)}{carets}")
    return frame


def summary(report: Report) -> str:
    """One line: counts by severity, files checked, and the as-of date."""
    counts = ", ".join(
        _plural(report.count(s), s.label) if s is not Severity.INFO else f"{report.count(s)} info"
        for s in sorted(Severity, reverse=True)
    )
    checked = f"{_plural(report.files, 'file')}, {_plural(report.resources, 'resource')}"
    hidden = [
        f"{count} {what}"
        for count, what in ((report.suppressed, "suppressed"), (report.baselined, "in the baseline"))
        if count
    ]
    extra = f"; {', '.join(hidden)}" if hidden else ""
    if not report.findings:
        return f"No findings in {checked} (as of {report.as_of.isoformat()}){extra}."
    return f"{counts} in {checked} (as of {report.as_of.isoformat()}){extra}."


def render(report: Report, *, color: bool = False) -> str:
    """The whole text report."""
    out: list[str] = []
    per_file = Counter(f.location.path for f in report.findings)
    current = None
    for finding in report.findings:
        if finding.location.path != current:
            current = finding.location.path
            header = f"{current} ({_plural(per_file[current], 'finding')})"
            out.extend([_paint(header, _BOLD, color=color), ""])
        severity = _paint(finding.severity.label, _COLORS[finding.severity], color=color)
        where = _paint(str(finding.location), _BOLD, color=color)
        out.append(f"{where}  {finding.rule_id}  {severity}  {finding.message}")
        out.extend(code_frame(report.sources.get(finding.location.path), finding, color=color))
        out.extend(f"  {_paint('note:', _DIM, color=color)} {r.location}: {r.message}" for r in finding.related)
        out.append("")
    out.append(summary(report))
    return "\n".join(out) + "\n"
