"""``relpolicy diff`` output: text for the terminal, Markdown for a pull-request comment, JSON for tools.

Pure ``Diff -> str`` functions, byte-stable. Every name, value and message comes from policy
files (untrusted: a pull request from a fork) and passes through
:func:`~relpolicy.report.escape.visible`; Markdown table cells also backslash-escape Markdown's
special characters (as the step summary of ``check`` does), and JSON goes through
:func:`~relpolicy.report.escape.json_text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

from relpolicy._version import __version__
from relpolicy.diff.compare import Change, Diff
from relpolicy.diff.table import Effect
from relpolicy.findings import Finding
from relpolicy.report.escape import json_text, visible

SCHEMA_VERSION: Final = 1
FORMATS: Final = ("text", "markdown", "json")
MARKDOWN_ROWS: Final = 500
"""Rows per Markdown table: a pull-request comment holds at most 65,536 characters."""
_MARKDOWN: Final = re.compile(r"[\\`*_\[\]<>|~&#]")
"""Characters that could start Markdown or HTML inside a table cell; each gets a backslash."""


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary(diff: Diff) -> str:
    """One line: how many changes of each effect, and the findings delta."""
    return (
        f"{_plural(len(diff.changes), 'change')}: {diff.count(Effect.WEAKENS)} weaken a promise, "
        f"{diff.count(Effect.STRENGTHENS)} strengthen, {diff.count(Effect.NEUTRAL)} neutral; "
        f"findings: {len(diff.introduced)} introduced, {len(diff.fixed)} fixed"
    )


def _sides(diff: Diff) -> str:
    return f"{visible(diff.base)} -> {visible(diff.head)}"


# --- Text ----------------------------------------------------------------------------------------


def to_text(diff: Diff) -> str:
    """The terminal report: the summary, each subject's changes, then the findings delta."""
    lines = [f"relpolicy diff {_sides(diff)}: {summary(diff)}"]
    subject = None
    width = max((len(e.value) for e in Effect), default=0)
    for change in diff.changes:
        if change.subject != subject:
            subject = change.subject
            lines += ["", visible(subject)]
        lines.append(f"  {change.effect.value:<{width}}  {visible(change.detail())}")
    for title, findings in (("introduced", diff.introduced), ("fixed", diff.fixed)):
        if findings:
            lines += ["", f"Findings {title}:"]
            lines += [
                f"  {visible(str(f.location))}: {f.severity.label} {f.rule_id} {visible(f.message)}" for f in findings
            ]
    return "\n".join(lines) + "\n"


# --- Markdown ------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """Plain text in a table cell: visible controls, and no Markdown (links, images, HTML, code)."""
    return _MARKDOWN.sub(r"\\\g<0>", visible(text))


def _rows(rows: list[str], total: int) -> list[str]:
    if total > MARKDOWN_ROWS:
        return [*rows[:MARKDOWN_ROWS], "", f"... and {total - MARKDOWN_ROWS} more; run `relpolicy diff` to see all."]
    return rows


def _change_rows(changes: Iterable[Change], *, effect: bool) -> list[str]:
    """Table rows: with ``effect``, the effect leads; without, the table's reading (why it weakens) ends the row."""
    rows = []
    for c in changes:
        lead = f"{c.effect.value} | " if effect else ""
        tail = "" if effect else f" {_cell(c.reading)} |"
        what = c.key.aspect if c.key.category != "resource" else c.key.category
        rows.append(
            f"| {lead}{_cell(c.subject)} | {_cell(what)} | {_cell(c.old_text)} | {_cell(c.new_text)} "
            f"| {_cell(_why(c))} |{tail}"
        )
    return rows


def _why(change: Change) -> str:
    if change.key.category == "resource":
        return change.detail()
    moved = change.detail().partition(f"-> {change.new_text}")[2].strip()
    return moved.removeprefix("(").removesuffix(")")


def to_markdown(diff: Diff) -> str:
    """A pull-request comment: a summary line, the weakened promises, everything else folded."""
    weakened = [c for c in diff.changes if c.effect is Effect.WEAKENS]
    lines = ["## relpolicy diff", ""]
    verdict = f"**{_plural(len(weakened), 'promise')} weakened**" if weakened else "**No promise weakened**"
    lines.append(f"{verdict} ({_cell(diff.base)} → {_cell(diff.head)}): {summary(diff)}.")
    if weakened:
        lines += [
            "",
            "### Weakened promises",
            "",
            "| subject | what | old | new | details | why |",
            "|---|---|---|---|---|---|",
        ]
        lines += _rows(_change_rows(weakened, effect=False), len(weakened))
    if diff.changes:
        lines += ["", f"<details><summary>All {_plural(len(diff.changes), 'change')}</summary>", ""]
        lines += ["| effect | subject | what | old | new | details |", "|---|---|---|---|---|---|"]
        lines += _rows(_change_rows(diff.changes, effect=True), len(diff.changes))
        lines += ["", "</details>"]
    if diff.introduced or diff.fixed:
        title = f"Findings: {len(diff.introduced)} introduced, {len(diff.fixed)} fixed"
        lines += ["", f"<details><summary>{title}</summary>", ""]
        lines += ["| | severity | rule | location | message |", "|---|---|---|---|---|"]
        found = [("introduced", f) for f in diff.introduced] + [("fixed", f) for f in diff.fixed]
        lines += _rows(
            [
                f"| {state} | {f.severity.label} | {f.rule_id} {f.rule_name} | {_cell(str(f.location))} "
                f"| {_cell(f.message)} |"
                for state, f in found
            ],
            len(found),
        )
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


# --- JSON ----------------------------------------------------------------------------------------


def _value(change: Change, which: str) -> dict[str, Any] | None:
    value = change.old if which == "old" else change.new
    if value is None:
        return None
    return {"text": value.text, "parts": [{"name": name, "value": part} for name, part in value.parts]}


def _finding(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "ruleId": finding.rule_id,
        "ruleName": finding.rule_name,
        "severity": finding.severity.label,
        "message": finding.message,
        "location": {"path": loc.path, "line": loc.line, "column": loc.col},
        "subject": finding.subject,
    }


def as_data(diff: Diff) -> dict[str, Any]:
    """The diff as JSON-ready data (schemas/diff/v1.json)."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "tool": {"name": "relpolicy", "version": __version__},
        "base": diff.base,
        "head": diff.head,
        "asOf": diff.as_of.isoformat(),
        "summary": {
            "changes": len(diff.changes),
            **{effect.value: diff.count(effect) for effect in Effect},
            "findingsIntroduced": len(diff.introduced),
            "findingsFixed": len(diff.fixed),
        },
        "changes": [
            {
                "effect": c.effect.value,
                "category": c.key.category,
                "kind": c.key.kind,
                "subject": c.subject,
                "aspect": c.key.aspect,
                "status": c.status,
                "old": _value(c, "old"),
                "new": _value(c, "new"),
                "message": c.message(),
                "reading": c.reading,
            }
            for c in diff.changes
        ],
        "findings": {"introduced": [_finding(f) for f in diff.introduced], "fixed": [_finding(f) for f in diff.fixed]},
    }


def to_json(diff: Diff) -> str:
    """The JSON document, indented, with a final newline."""
    return json_text(as_data(diff)) + "\n"


RENDERERS: Final = {"text": to_text, "markdown": to_markdown, "json": to_json}
