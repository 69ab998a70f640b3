"""``relpolicy deadline``: when an incident's response and restore are due on its level's clock."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from relpolicy.cli import EXIT_CLEAN
from relpolicy.cli._args import in_years
from relpolicy.cli._output import write
from relpolicy.errors import RelpolicyError
from relpolicy.model.priority import IMPACTS

if TYPE_CHECKING:
    from relpolicy.chrono.deadline import Deadlines, Due
    from relpolicy.model.priority import PriorityPolicy
    from relpolicy.model.service import Service
    from relpolicy.policy import PolicySet

DEFAULT_ROOT: Final = Path("policies")
SCHEMA_VERSION: Final = 1


_DATE: Final = r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
_OFFSET: Final = r"(?P<offset>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)"
_INSTANT: Final = re.compile(_DATE + r"[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?" + _OFFSET + "?")
"""What ``--opened`` takes: RFC 3339 (``2026-11-27T16:30-05:00``), seconds optional, the offset required."""
_DATE_ONLY: Final = re.compile(_DATE + _OFFSET + "?")


def _instant(text: str) -> dt.datetime:
    """``--opened``: a date, a time of day and a UTC offset; each error suggests forms it accepts."""
    shape = _INSTANT.fullmatch(text)
    if shape is None:
        date_only = _DATE_ONLY.fullmatch(text)
        if date_only is not None:
            day = date_only["date"]
            msg = f"{text!r} has no time of day: give one with a UTC offset, e.g. {day}T09:00-05:00 or {day}T09:00Z"
        else:
            msg = f"not a date and time: {text!r} (expected e.g. 2026-11-27T16:30-05:00 or 2026-11-27T21:30Z)"
        raise argparse.ArgumentTypeError(msg)
    try:
        value = dt.datetime.fromisoformat(text.upper())
    except ValueError:
        msg = f"not a date and time: {text!r} (expected e.g. 2026-11-27T16:30-05:00 or 2026-11-27T21:30Z)"
        raise argparse.ArgumentTypeError(msg) from None
    if shape["offset"] is None:
        msg = f"{text!r} has no UTC offset: add one, e.g. {text}-05:00 or {text}Z"
        raise argparse.ArgumentTypeError(msg)
    in_years(value, text)
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``deadline``."""
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: policies/)")
    parser.add_argument("--priority", metavar="LEVEL", help="the incident's priority level (P1, P2...)")
    parser.add_argument("--service", metavar="NAME", help="the service the incident is on (with --impact)")
    parser.add_argument("--impact", choices=IMPACTS, help="how badly it is hit; the priority rules pick the level")
    parser.add_argument("--policy", metavar="NAME", help="the priority policy, when there are several")
    parser.add_argument(
        "--opened",
        type=_instant,
        metavar="DATETIME",
        help="when the incident was opened: date, time and UTC offset, e.g. 2026-11-27T16:30-05:00 (default: now)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")


def run(args: argparse.Namespace) -> int:
    """Compute and print the deadlines."""
    from relpolicy.chrono.deadline import deadlines, level_and_clock  # noqa: PLC0415

    if (args.priority is None) == (args.service is None):
        msg = "give either --priority LEVEL, or --service NAME with --impact"
        raise RelpolicyError(msg)
    if (args.service is None) != (args.impact is None):
        msg = "--service and --impact go together"
        raise RelpolicyError(msg)
    policy = _load(args.paths)
    picked: dict[str, Any] | None = None
    if args.service is not None:
        service = _service(policy, args.service)
        priorities = _priority_policy_of(policy, service, args.policy)
        level_name, rule_index = priorities.spec.pick(service.spec.tier, args.impact, service.metadata.labels)
        picked = {"service": service.name, "tier": service.spec.tier, "impact": args.impact, "rule": rule_index}
    else:
        priorities = _priority_policy(policy, args.policy)
        level_name = args.priority
    level, clock = level_and_clock(policy, priorities, level_name)
    opened = args.opened or dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        result = deadlines(level, clock, opened)
    except RelpolicyError as error:
        msg = f"level {level.name} on calendar `{clock.name}`: {error}"
        raise RelpolicyError(msg) from None
    if args.format == "json":
        write(json.dumps(_document(priorities.name, picked, result), indent=2) + "\n")
    else:
        write(_text(priorities.name, picked, result))
    return EXIT_CLEAN


def _load(paths: list[Path]) -> PolicySet:
    from relpolicy.model.build import build  # noqa: PLC0415
    from relpolicy.policy import assemble  # noqa: PLC0415
    from relpolicy.source.loader import discover, load  # noqa: PLC0415

    if not paths and not DEFAULT_ROOT.is_dir():
        msg = "no paths given and no policies/ directory here; pass the files or directories to read"
        raise RelpolicyError(msg)
    policy, _ = assemble(build(load(discover(paths or [DEFAULT_ROOT])).documents))
    return policy


def _service(policy: PolicySet, name: str) -> Service:
    from relpolicy.model.build import did_you_mean  # noqa: PLC0415
    from relpolicy.model.service import Service  # noqa: PLC0415

    service = policy.get(Service, name)
    if service is None:
        invalid = " (its document is not valid: run `relpolicy check`)" if name in policy.names("Service") else ""
        hint = "" if invalid else did_you_mean(name, policy.names("Service"))
        msg = f"no service `{name}`{invalid}{hint}"
        raise RelpolicyError(msg)
    return service


def _priority_policy(policy: PolicySet, name: str | None) -> PriorityPolicy:
    from relpolicy.model.priority import PriorityPolicy  # noqa: PLC0415

    if name is not None:
        found = policy.get(PriorityPolicy, name)
        if found is None:
            msg = f"no priority policy `{name}`; known: {', '.join(policy.names('PriorityPolicy')) or 'none'}"
            raise RelpolicyError(msg)
        return found
    policies = policy.priority_policies
    if len(policies) != 1:
        names = ", ".join(p.name for p in policies)
        msg = f"there are {len(policies)} priority policies ({names}): choose one with --policy"
        if not policies:
            msg = "there is no priority policy to take the level from"
        raise RelpolicyError(msg)
    return policies[0]


def _priority_policy_of(policy: PolicySet, service: Service, name: str | None) -> PriorityPolicy:
    if name is not None:
        return _priority_policy(policy, name)
    found = policy.priority_policy_of(service)
    if found is None:
        msg = f"service `{service.name}` has no priority policy (set `priorityPolicy`, or pass --policy)"
        raise RelpolicyError(msg)
    return found


# --- Output ------------------------------------------------------------------------------------


def _local(instant: dt.datetime, zone: dt.tzinfo) -> str:
    """``Mon 2026-11-30 09:30 EST (2026-11-30 14:30 UTC)``; the UTC part only when it differs."""
    from relpolicy.chrono.wallclock import offset_label  # noqa: PLC0415

    local = instant.astimezone(zone)
    shown = f"{local:%a %Y-%m-%d} {_time_of_day(local)} {offset_label(instant, zone)}"
    if local.utcoffset() == dt.timedelta():
        return shown
    utc = instant.astimezone(dt.UTC)
    return f"{shown} ({utc:%Y-%m-%d} {_time_of_day(utc)} UTC)"


def _time_of_day(instant: dt.datetime) -> str:
    """``09:30``, with the seconds (and their fraction) when the instant has any, as the JSON shows them."""
    exact = instant.second or instant.microsecond
    return instant.time().isoformat(timespec="auto" if exact else "minutes")


def _iso_utc(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _picked_by(picked: dict[str, Any] | None) -> str:
    if picked is None:
        return ""
    how = "the default level" if picked["rule"] is None else f"rules[{picked['rule']}]"
    return f"; picked for {picked['service']} (tier {picked['tier']}) at impact {picked['impact']} by {how}"


def _text(policy_name: str, picked: dict[str, Any] | None, result: Deadlines) -> str:
    from relpolicy.model.types import format_duration  # noqa: PLC0415

    level, clock, zone = result.level, result.clock, result.clock.zone
    lines = [
        f"{level.name} {level.description} (priority policy {policy_name}{_picked_by(picked)})",
        f"opened      {_local(result.opened, result.opened.tzinfo or zone)}",
        f"clock       {clock.name} ({clock.zone_name}), starts {_local(result.clock_starts, zone)}",
    ]
    width = max(len(format_duration(level.response)), len(_target(result.restore)))
    for label, due in (("response", result.response), ("restore", result.restore)):
        target = _target(due).ljust(width)
        when = "scheduled case by case" if due is None else f"due {_local(due.at, zone)}"
        lines.append(f"{label:<8}    {target}  {when}")
    every = result.status_update_every
    lines.append(f"updates     every {format_duration(every)}" if every else "updates     no status-update cadence set")
    for i, off in enumerate(result.skipped):
        lines.append(f"{'skipped' if i == 0 else '':<12}{off.date:%a %Y-%m-%d}: {off.reason}")
    return "\n".join(lines) + "\n"


def _target(due: Due | None) -> str:
    from relpolicy.model.types import format_duration  # noqa: PLC0415

    return "scheduled" if due is None else format_duration(due.target)


def _document(policy_name: str, picked: dict[str, Any] | None, result: Deadlines) -> dict[str, Any]:
    from relpolicy.model.types import format_duration  # noqa: PLC0415

    zone = result.clock.zone

    def due(item: Due | None) -> dict[str, Any]:
        if item is None:
            return {"target": "scheduled", "due": None, "dueUtc": None}
        return {
            "target": format_duration(item.target),
            "due": item.at.astimezone(zone).isoformat(),
            "dueUtc": _iso_utc(item.at),
        }

    every = result.status_update_every
    return {
        "schemaVersion": SCHEMA_VERSION,
        "priorityPolicy": policy_name,
        "level": result.level.name,
        "description": result.level.description,
        "pickedBy": picked,
        "opened": result.opened.isoformat(),
        "openedUtc": _iso_utc(result.opened),
        "clock": {
            "calendar": result.clock.name,
            "timezone": result.clock.zone_name,
            "starts": result.clock_starts.astimezone(zone).isoformat(),
            "startsUtc": _iso_utc(result.clock_starts),
        },
        "response": due(result.response),
        "restore": due(result.restore),
        "statusUpdateEvery": format_duration(every) if every else None,
        "skipped": [{"date": off.date.isoformat(), "reason": off.reason} for off in result.skipped],
    }
