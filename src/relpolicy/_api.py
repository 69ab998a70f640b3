"""The library API that ``relpolicy`` re-exports: one function per thing the command line does.

Each function takes paths as ``str`` or any ``os.PathLike`` (one path, or an iterable of them),
reads no clock (dates and instants are parameters) and prints nothing: results are values, and a
problem that stops the work is a :class:`~relpolicy.errors.RelpolicyError`. The heavy modules
(templates, calendars) are imported by the function that needs them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

from relpolicy.errors import RelpolicyError
from relpolicy.findings import Severity

if TYPE_CHECKING:
    from relpolicy.baseline import Baseline
    from relpolicy.chrono.deadline import Deadlines
    from relpolicy.config import Settings
    from relpolicy.engine import Report
    from relpolicy.policy import PolicySet
    from relpolicy.render.impact import BlastRadius
    from relpolicy.render.load import LoadedPolicy
    from relpolicy.source.cache import ParseCache

PathArg: TypeAlias = str | os.PathLike[str]
"""A file or directory: ``"policies"``, ``Path("policies")``."""
PathArgs: TypeAlias = PathArg | Iterable[PathArg]
"""One path, or several."""

Impact: TypeAlias = Literal["outage", "degraded", "single-user", "request"]
SlaFormat: TypeAlias = Literal["md", "csv", "json", "html"]
GraphFormat: TypeAlias = Literal["mermaid", "dot", "json"]


def _path(path: PathArg) -> Path:
    return Path(os.fspath(path))


def _paths(paths: PathArgs) -> list[Path]:
    """``paths`` as a list of ``Path``; a single ``str`` is one path, not a sequence of characters."""
    if isinstance(paths, str | os.PathLike):
        return [_path(paths)]
    return [_path(path) for path in paths]


def _optional_path(path: PathArg | None) -> Path | None:
    return None if path is None else _path(path)


# --- Checking ----------------------------------------------------------------------------------


def check(  # noqa: PLR0913 - keyword-only options of one operation
    paths: PathArgs,
    *,
    as_of: dt.date,
    base: PathArg | None = None,
    settings: Settings | None = None,
    baseline: Baseline | None = None,
    cache: ParseCache | None = None,
) -> Report:
    """Check every policy file under ``paths`` as ``relpolicy check`` does, judging dates against ``as_of``.

    ``base`` is the directory report paths are written relative to (default: as given);
    ``settings`` come from :func:`load_settings` (default: every rule at its own severity).
    Unreadable or invalid files are findings in the report, not exceptions.
    """
    from relpolicy.engine import check as run_check  # noqa: PLC0415

    return run_check(
        _paths(paths), as_of=as_of, base=_optional_path(base), settings=settings, baseline=baseline, cache=cache
    )


def load_settings(directory: PathArg = ".", config: PathArg | None = None) -> Settings:
    """The settings ``check`` would use in ``directory``: ``config``, else relpolicy.yaml, else pyproject.toml."""
    from relpolicy.config import load_settings as read  # noqa: PLC0415

    return read(_path(directory), _optional_path(config))


# --- Reports -----------------------------------------------------------------------------------


def format_text(report: Report, *, color: bool = False) -> str:
    """The human report: each finding with a code frame, then a summary line (ANSI colours if ``color``)."""
    from relpolicy.report import text  # noqa: PLC0415

    return text.render(report, color=color)


def format_json(report: Report) -> str:
    """The JSON report, valid against ``schemas/report/v1.json`` (``relpolicy schema report``)."""
    from relpolicy.report import json  # noqa: PLC0415

    return json.render(report)


def format_sarif(report: Report, *, category: str = "", root: PathArg | None = None, cwd: PathArg | None = None) -> str:
    """SARIF 2.1.0 for code scanning; ``category`` tells apart several uploads of one workflow.

    ``root`` is the repository root the artifact URIs are relative to and ``cwd`` the directory
    the report's paths are relative to (defaults: as the report writer decides).
    """
    from relpolicy.report import sarif  # noqa: PLC0415

    return sarif.render(
        report,
        category=category,
        root=None if root is None else os.fspath(root),
        cwd=None if cwd is None else os.fspath(cwd),
    )


def format_github(report: Report) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    from relpolicy.report import github  # noqa: PLC0415

    return github.render(report)


def format_junit(report: Report, *, fail_on: Severity | None = Severity.ERROR) -> str:
    """JUnit XML: a suite per file, a case per rule; cases fail from ``fail_on`` up (None: never)."""
    from relpolicy.report import junit  # noqa: PLC0415

    return junit.render(report, fail_on=fail_on)


# --- The policy and what is rendered from it -------------------------------------------------


def load_policy(paths: PathArgs, *, base: PathArg | None = None) -> LoadedPolicy:
    """Read and validate the policy under ``paths`` without running any rule.

    Documents that cannot be used are left out and counted in ``problems`` (``check`` reports them).
    """
    from relpolicy.render.load import load_policy as load  # noqa: PLC0415

    return load(_paths(paths), _optional_path(base))


def render_runbooks(
    policy: PolicySet,
    *,
    as_of: dt.date | None = None,
    templates: PathArg | None = None,
    restore_test_every: dt.timedelta = dt.timedelta(days=90),
) -> dict[str, str]:
    """One Markdown runbook page per service and an index, by file name.

    With ``as_of``, the pages also show what depends on the date (next maintenance, freezes in
    force, restore tests due). ``templates`` is a directory of templates overriding the built-in ones.
    """
    from relpolicy.graph import ServiceGraph  # noqa: PLC0415
    from relpolicy.render.runbooks import render_runbooks as render  # noqa: PLC0415
    from relpolicy.render.templating import environment  # noqa: PLC0415

    env = environment(_optional_path(templates))
    return render(env, policy, ServiceGraph(policy), as_of=as_of, restore_test_every=restore_test_every)


def render_sla(
    policy: PolicySet,
    *,
    format: SlaFormat = "md",  # noqa: A002 - the name the command line uses
    table: Literal["services", "priorities"] = "services",
    runbooks_link: str = "runbooks/",
    templates: PathArg | None = None,
) -> str:
    """The SLA tables: priority matrix, then objectives, SLAs and allowed downtime per service.

    ``table`` picks the table of a ``csv`` (the other formats hold both); ``runbooks_link``
    prefixes the link from each service to its runbook page in ``md`` and ``html`` ("" for none).
    """
    from relpolicy.graph import ServiceGraph  # noqa: PLC0415
    from relpolicy.render.sla import render_sla as render  # noqa: PLC0415
    from relpolicy.render.sla import sla_table  # noqa: PLC0415
    from relpolicy.render.templating import environment  # noqa: PLC0415

    env = environment(_optional_path(templates))
    return render(env, sla_table(policy, ServiceGraph(policy)), format, which=table, runbooks=runbooks_link)


def render_graph(
    policy: PolicySet,
    *,
    format: GraphFormat = "mermaid",  # noqa: A002 - the name the command line uses
    service: str | None = None,
    depth: int = 1,
) -> str:
    """The dependency graph as Mermaid, Graphviz DOT or JSON; with ``service``, only ``depth`` steps around it."""
    from relpolicy.graph import ServiceGraph  # noqa: PLC0415
    from relpolicy.render.graph_export import RENDERERS, around, whole  # noqa: PLC0415
    from relpolicy.render.load import find_service  # noqa: PLC0415

    if depth < 0:
        msg = f"depth {depth} is negative: give a number of steps, 0 or more"
        raise RelpolicyError(msg)
    graph = ServiceGraph(policy)
    view = whole(graph) if service is None else around(graph, find_service(policy, service), depth)
    return RENDERERS[format](view)


def impact(policy: PolicySet, service: str) -> BlastRadius:
    """Every service that goes down (hard dependants) or is degraded (soft ones) when ``service`` is down."""
    from relpolicy.graph import ServiceGraph  # noqa: PLC0415
    from relpolicy.render.impact import blast_radius  # noqa: PLC0415
    from relpolicy.render.load import find_service  # noqa: PLC0415

    return blast_radius(ServiceGraph(policy), find_service(policy, service))


def deadline(  # noqa: PLR0913 - keyword-only choices of one incident
    policy: PolicySet,
    *,
    opened: dt.datetime,
    priority: str | None = None,
    service: str | None = None,
    impact: Impact | None = None,
    priority_policy: str | None = None,
) -> Deadlines:
    """When an incident opened at ``opened`` (aware) must be responded to and restored, on its level's clock.

    Give the level (``priority="P1"``), or the ``service`` and ``impact`` for the priority rules to
    pick it. ``priority_policy`` names the policy when the service names none or there are several.
    """
    from relpolicy.chrono.deadline import deadlines, level_and_clock  # noqa: PLC0415
    from relpolicy.model.build import did_you_mean  # noqa: PLC0415
    from relpolicy.model.priority import PriorityPolicy  # noqa: PLC0415
    from relpolicy.model.service import Service  # noqa: PLC0415

    if (priority is None) == (service is None):
        msg = "give either priority, or service with impact"
        raise RelpolicyError(msg)
    if (service is None) != (impact is None):
        msg = "service and impact go together"
        raise RelpolicyError(msg)
    if opened.tzinfo is None or opened.utcoffset() is None:
        msg = f"opened {opened.isoformat()} has no UTC offset"
        raise RelpolicyError(msg)
    chosen: PriorityPolicy | None = None
    if priority_policy is not None:
        chosen = policy.get(PriorityPolicy, priority_policy)
        if chosen is None:
            msg = (
                f"no priority policy `{priority_policy}`{did_you_mean(priority_policy, policy.names('PriorityPolicy'))}"
            )
            raise RelpolicyError(msg)
    if service is not None and impact is not None:
        found = policy.get(Service, service)
        if found is None:
            msg = f"no service `{service}`{did_you_mean(service, policy.names('Service'))}"
            raise RelpolicyError(msg)
        chosen = chosen or policy.priority_policy_of(found)
        if chosen is None:
            msg = f"service `{service}` has no priority policy: set its `priorityPolicy`, or pass priority_policy"
            raise RelpolicyError(msg)
        priority, _ = chosen.spec.pick(found.spec.tier, impact, found.metadata.labels)
    if chosen is None:
        policies = policy.priority_policies
        if len(policies) != 1:
            msg = f"there are {len(policies)} priority policies: choose one with priority_policy"
            raise RelpolicyError(msg)
        chosen = policies[0]
    assert priority is not None  # noqa: S101 - given, or picked above
    level, clock = level_and_clock(policy, chosen, priority)
    return deadlines(level, clock, opened)
