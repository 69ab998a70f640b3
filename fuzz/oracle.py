"""What every hostile input must satisfy (issue 13): the promise, checked on one policy tree.

- ``check()`` returns (no exception), within a time bound;
- every finding is located inside its file;
- every report format renders: JSON and SARIF parse, JUnit is well-formed XML, and no human or
  GitHub output carries a raw control character;
- for some inputs, the runbooks and SLA tables render too (the path that crashed on extreme dates).
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fuzz.mutations import Tree
from relpolicy.engine import check
from relpolicy.errors import RelpolicyError
from relpolicy.report import github, junit, sarif, text
from relpolicy.report import json as json_report

SLOW_SECONDS = 5.0
"""An input that takes longer than this is a failure (a hang, or a quadratic path)."""

RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
"""Characters that must never reach a terminal or a log unescaped (tab and newline are layout)."""


@dataclass(frozen=True)
class Failure:
    """Why an input broke the promise: a class (for de-duplication) and the details."""

    kind: str
    detail: str


def write_tree(tree: Tree, root: Path) -> None:
    """Lay the tree's files out under ``root`` (emptied first)."""
    if root.exists():
        shutil.rmtree(root)
    for relative, data in tree.files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(os.fsencode(path), "wb") as handle:  # noqa: PTH123 - hostile names need bytes paths
            handle.write(data)


def _crash(error: BaseException, where: str) -> Failure:
    frames = traceback.extract_tb(error.__traceback__)
    last = next((f for f in reversed(frames) if "relpolicy" in f.filename), frames[-1] if frames else None)
    place = f"{Path(last.filename).name}:{last.lineno}" if last else "?"
    return Failure(f"{where}:{type(error).__name__}@{place}", "".join(traceback.format_exception(error))[-3000:])


def judge(tree: Tree, root: Path) -> Failure | None:
    """Run the tree through check, every report, and (sometimes) the renderers."""
    write_tree(tree, root)
    started = time.perf_counter()
    try:
        report = check([root], as_of=tree.as_of)
    except RelpolicyError as error:
        return Failure("check:RelpolicyError", error.message)
    except RecursionError as error:
        return _crash(error, "check")
    except Exception as error:
        return _crash(error, "check")
    for finding in report.findings:
        if finding.location.line < 1 or finding.location.col < 1:
            return Failure("unlocated", f"{finding.rule_id} {finding.location}")
    outputs: dict[str, str] = {}
    for name, render in (
        ("text", text.render),
        ("json", json_report.render),
        ("sarif", sarif.render),
        ("github", github.render),
        ("junit", junit.render),
    ):
        try:
            outputs[name] = render(report)
        except Exception as error:
            return _crash(error, f"report-{name}")
    try:
        json.loads(outputs["json"])
        json.loads(outputs["sarif"])
        ET.fromstring(outputs["junit"].encode("utf-8"))  # noqa: S314 - our own output
    except (ValueError, ET.ParseError) as error:
        return Failure(f"invalid-output:{type(error).__name__}", str(error)[:500])
    for name in ("text", "github"):
        match = RAW_CONTROL.search(outputs[name])
        if match:
            return Failure(f"raw-control:{name}", repr(outputs[name][max(0, match.start() - 60) : match.end() + 20]))
    if tree.render:
        failure = _render(root, tree)
        if failure:
            return failure
    elapsed = time.perf_counter() - started
    if elapsed > SLOW_SECONDS:
        return Failure("slow", f"{elapsed:.1f} s")
    return None


@functools.cache
def _environment() -> Any:
    """The built-in templates' environment, made once: compiling them costs more than a check."""
    from relpolicy.render.templating import environment  # noqa: PLC0415

    return environment(None)


def _render(root: Path, tree: Tree) -> Failure | None:
    from relpolicy.graph import ServiceGraph  # noqa: PLC0415
    from relpolicy.render.load import load_policy  # noqa: PLC0415
    from relpolicy.render.runbooks import render_runbooks  # noqa: PLC0415
    from relpolicy.render.sla import render_sla, sla_table  # noqa: PLC0415

    try:
        loaded = load_policy([root])
        graph = ServiceGraph(loaded.policy)
        render_runbooks(_environment(), loaded.policy, graph, as_of=tree.as_of)
        for fmt in ("md", "csv", "json", "html"):
            render_sla(_environment(), sla_table(loaded.policy, graph), fmt)
    except RelpolicyError:
        return None
    except Exception as error:
        return _crash(error, "render")
    return None
